"""The front door (issue #14 item 1): つながる / 知る / うまれる with live items and a way into the
same listings the menu opens, はじめての方へ with the verification request, the prefectural
platforms and the boards; a fixed number of SQL statements; the anonymous page cache."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from core.extensions import db
from forum import boards
from spaces.service import SYSTEM, create_space
from structured.schema import to_tokyo_iso

#: statements of the home page for a signed-in member: a visitor's 7, the session with the
#: account, the notification badge (closed boards are a subquery of each list, as for visitors)
MEMBER_BUDGET = 9


def _section(html: str, heading_id: str) -> str:
    """The HTML of the <section> labelled by ``heading_id`` (up to the next such section)."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    end = html.find('<section aria-labelledby="', start + 1)
    return html[start : end if end != -1 else len(html)]


def _hrefs(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', html)]


def test_home_sections_show_live_items_and_link_to_the_listings(client, thread_factory,
                                                                  structured_factory):  # fmt: skip
    thread_factory(title="移動販売の巡回ルートの決め方")
    structured_factory("case", title="山間部の移動販売")
    soon = datetime.now(UTC) + timedelta(days=3)
    structured_factory("event", title="買い物支援の研修会",
                       start_at=to_tokyo_iso(soon), end_at=to_tokyo_iso(soon + timedelta(hours=2)))  # fmt: skip
    past = datetime.now(UTC) - timedelta(days=30)
    structured_factory("event", title="終わった研修会",
                       start_at=to_tokyo_iso(past), end_at=to_tokyo_iso(past + timedelta(hours=2)))  # fmt: skip
    structured_factory("policy", title="生活支援体制整備事業")
    structured_factory("challenge", title="北部の買い物の足", status="open")
    structured_factory("challenge", title="成立した連携", status="partnered")

    html = client.get("/").get_data(as_text=True)
    order = [html.index(f'id="{h}"') for h in ("tsunagaru", "shiru", "umareru")]
    assert order == sorted(order)
    assert "移動販売の巡回ルートの決め方" in _section(html, "discussions-h")
    cases = _section(html, "cases-h")
    assert "山間部の移動販売" in cases and "/cases" in _hrefs(cases)
    events = _section(html, "events-h")
    assert "買い物支援の研修会" in events and "終わった研修会" not in events  # upcoming only
    assert "/events" in _hrefs(events)
    policies = _section(html, "policies-h")
    assert "生活支援体制整備事業" in policies and "/policies" in _hrefs(policies)
    challenges = _section(html, "challenges-h")
    assert "北部の買い物の足" in challenges and "成立した連携" not in challenges  # open only
    assert "/challenges?status=open" in _hrefs(challenges)
    assert {"/directory", "/links"} <= set(_hrefs(_section(html, "directory-h")))


def test_home_cards_and_menu_open_the_same_listings_not_board_views(client):
    html = client.get("/").get_data(as_text=True)
    menu = html[
        html.index('aria-label="メインメニュー"') : html.index(
            "</nav>", html.index("メインメニュー")
        )
    ]
    main = html[html.index("<main") : html.index("</main>")]
    for label, listing, board in (("取組事例", "/cases", "/b/jirei"), ("イベント", "/events", "/b/events"),
                                  ("施策・予算", "/policies", "/b/seisaku")):  # fmt: skip
        assert f'<a href="{listing}">{label}</a>' in menu
        assert listing in _hrefs(main)
        assert board not in _hrefs(main), f"{label}: the home page still opens the board view"
    assert "/b/chiiki-kadai" not in _hrefs(main)
    assert "/challenges?status=open" in _hrefs(main)


def test_home_keeps_the_platforms_near_the_top_and_the_boards(client, app):
    create_space(actor=SYSTEM, slug="nagano", name="長野県生活支援共創プラットフォーム",
                 prefecture_code="20")  # fmt: skip
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert html.index("都道府県版プラットフォーム") < html.index('id="tsunagaru"')
    assert '<a href="/pf/nagano">長野県生活支援共創プラットフォーム</a>' in html
    boards = html[html.index('id="boards"') :]
    for name in ("全体交流", "困りごと相談", "医療・介護・福祉", "地域交通"):
        assert name in boards
    assert boards.index("分野を超えた交流") < boards.index("分野別の交流")


def test_home_welcome_explains_who_what_and_how_to_get_verified(client, login, user_factory):
    html = client.get("/").get_data(as_text=True)
    welcome = _section(html, "welcome-heading")
    assert "はじめての方へ" in welcome and "読むだけなら登録はいりません" in welcome
    assert {"/register", "/settings/verification", "/guide"} <= set(_hrefs(welcome))
    login(user_factory())  # a plain member: still told how to get verified, not to register
    welcome = _section(client.get("/").get_data(as_text=True), "welcome-heading")
    assert "/settings/verification" in _hrefs(welcome) and "/register" not in _hrefs(welcome)
    client.post_form("/logout")
    login(user_factory(role="municipal_staff"))  # verified: no welcome
    assert 'id="welcome-heading"' not in client.get("/").get_data(as_text=True)


def test_home_leaves_out_what_the_viewer_may_not_read(client, thread_factory):
    closed = thread_factory(title="職員だけの相談")
    boards.set_audience(actor=None, board=closed.board,
                        audience=boards.audience_of("roles", ["municipal_staff"]))  # fmt: skip
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "職員だけの相談" not in html


@pytest.mark.parametrize("app_config", [{"ANON_PAGE_CACHE_SECONDS": 0}], indirect=True)
def test_home_statement_count_is_small_and_fixed(client, login, user_factory, thread_factory,
                                                 structured_factory, count_queries):  # fmt: skip
    counts = []
    for n in (1, 4):
        for i in range(n - len(counts) * 1):
            thread_factory(title=f"話題{n}-{i}")
            structured_factory("case", title=f"事例{n}-{i}")
            structured_factory("event", title=f"研修{n}-{i}")
            structured_factory("policy", title=f"施策{n}-{i}")
            structured_factory("challenge", title=f"課題{n}-{i}")
        client.get("/")
        with count_queries() as log:
            assert client.get("/").status_code == 200
        counts.append(log.count)
    assert counts[0] == counts[1], counts
    # boards, spaces (the platform list), one statement per list (discussions, cases, events,
    # policies, open problems; the audience rule is a subquery of each)
    assert counts[1] == 7, "\n".join(log.statements)
    login(user_factory())
    client.get("/")
    with count_queries() as log:
        assert client.get("/").status_code == 200
    # and for a member: the session with the account and role, the notification badge
    assert log.count == MEMBER_BUDGET, "\n".join(log.statements)


def test_home_is_served_from_the_anonymous_page_cache(client, count_queries, thread_factory):
    client.get("/")
    with count_queries() as log:
        assert client.get("/").status_code == 200
    assert log.count == 0, log.statements
    thread_factory(title="キャッシュの後に書かれた話題")  # a commit drops the kept pages
    assert "キャッシュの後に書かれた話題" in client.get("/").get_data(as_text=True)
