"""Lists that never dead-end (issue #14, item 5): each listing says how many items it has, has a
keyword box (the site search, with the listing's filters), offers only the chosen 地方's
prefectures, resolves 中部 + 東京都 plainly, and an empty result offers one-click widening with
counts and a pre-filled question; a case page offers 「この事例について質問する」."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from auth.spaces import set_member
from core.extensions import db
from forum import boards as forum_boards
from spaces import service
from structured import queries
from tests.fixtures.app import PASSWORD
from tests.structured.helpers import assert_japanese, listed_ids


@pytest.fixture
def cases(structured_factory):
    make = structured_factory
    return {
        "nagano": make("case", title="長野の見守り活動", prefecture="20", life_domains=["mimamori"]),
        "tokyo": make("case", title="東京の移動販売", prefecture="13", life_domains=["kaimono"]),
        "hyogo": make("case", title="兵庫の移動販売と買い物代行", prefecture="28",
                      life_domains=["kaimono"]),
        "hyogo2": make("case", title="兵庫の居場所づくり", prefecture="28",
                       life_domains=["mimamori"]),
    }  # fmt: skip


def _page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def _count(page: str) -> str:
    found = re.search(r'<p class="result-count"[^>]*>(.*?)</p>', page, re.S)
    assert found, "no result count"
    return html.unescape(found.group(1)).strip()


def _widenings(page: str) -> dict[str, tuple[dict, int]]:
    """label → (the link's query arguments, the count shown)."""
    section = re.search(r'<ul class="widenings">(.*?)</ul>', page, re.S)
    if not section:
        return {}
    found = {}
    for href, label, count in re.findall(
        r'<li><a href="([^"]+)">(.*?)</a> <span class="count">（([\d,]+)件）</span></li>',
        section.group(1),
    ):
        args = {k: v[0] for k, v in parse_qs(urlsplit(html.unescape(href)).query).items()}
        found[html.unescape(label)] = (args, int(count.replace(",", "")))
    return found


def _prefecture_options(page: str) -> list[str]:
    select = re.search(r'<select id="f-prefecture".*?</select>', page, re.S)
    assert select
    options = re.findall(r'<option value="\d\d"([^>]*)>([^<]+)</option>', select.group(0))
    return [name for attrs, name in options if "disabled" not in attrs]


# --- 1. result counts ----------------------------------------------------------------------------


def test_each_listing_says_how_many_items_match(client, cases, structured_factory):
    assert _count(_page(client, "/cases")) == "4件"
    assert _count(_page(client, "/cases?prefecture=28")) == "2件"
    assert _count(_page(client, "/cases?block=kinki&domain=kaimono")) == "1件"
    assert _count(_page(client, "/cases?block=chubu&domain=kaimono")) == "0件"
    structured_factory("challenge", title="地域の課題", prefecture="20")
    assert _count(_page(client, "/challenges")) == "1件"
    assert _count(_page(client, "/policies")) == "0件"


def test_the_count_is_the_total_not_the_page(client, structured_factory):
    for i in range(23):
        structured_factory("case", title=f"事例{i}", prefecture="28")
    page = _page(client, "/cases")
    assert len(listed_ids(page)) == 20
    assert _count(page) == "23件"


def test_the_total_matches_the_listing_for_every_viewer(client, login, user_factory, cases):
    """The count comes from the same counts as the map (audience rule included): a hidden
    thread is left out of both."""
    cases["tokyo"].is_hidden = True
    db.session.commit()
    assert _count(_page(client, "/cases")) == "3件"
    assert _count(_page(client, "/cases?domain=kaimono")) == "1件"


# --- 3. prefectures follow the 地方 ---------------------------------------------------------------


def test_prefecture_choices_follow_the_chosen_region(client, cases):
    everything = _prefecture_options(_page(client, "/cases"))
    assert len(everything) == 47
    chubu = _prefecture_options(_page(client, "/cases?block=chubu"))
    assert "長野県" in chubu and "新潟県" in chubu
    assert "東京都" not in chubu and "兵庫県" not in chubu
    assert len(chubu) == 9


def test_an_inconsistent_region_and_prefecture_keeps_the_prefecture(client, cases):
    page = _page(client, "/cases?block=chubu&prefecture=13")
    assert listed_ids(page) == [cases["tokyo"].id]
    notice = re.search(r'<p class="notice" role="status">(.*?)</p>', page, re.S)
    assert notice and "東京都は中部にない" in html.unescape(notice.group(1))
    assert_japanese(html.unescape(notice.group(1)))
    assert _count(page) == "1件"
    # the links of the page carry the resolved filters (no 地方)
    assert "block=chubu" not in page.split('class="listing-results"')[1]


def test_a_consistent_region_and_prefecture_stay(client, cases):
    page = _page(client, "/cases?block=chubu&prefecture=20")
    assert listed_ids(page) == [cases["nagano"].id]
    assert 'class="notice"' not in page


# --- 4. empty results widen ------------------------------------------------------------------------


def test_an_empty_result_offers_widening_with_counts(client, cases):
    page = _page(client, "/cases?block=chubu&domain=kaimono")
    assert listed_ids(page) == []
    offers = _widenings(page)
    assert offers["「中部」を外す"] == ({"domain": "kaimono"}, 2)
    assert offers["「買い物」を外す"] == ({"block": "chubu"}, 1)
    assert "全国に広げる" not in offers  # the same listing as 「中部」を外す: offered once
    for label, (args, count) in offers.items():
        query = "&".join(f"{k}={v}" for k, v in args.items())
        target = _page(client, f"/cases?{query}")
        assert len(listed_ids(target)) == count, label
        assert _count(target) == f"{count}件"


def test_a_prefecture_widens_to_its_region_and_to_national(client, cases, structured_factory):
    structured_factory("case", title="新潟の買い物支援", prefecture="15", life_domains=["kaimono"])
    offers = _widenings(_page(client, "/cases?prefecture=20&domain=kaimono"))
    assert offers["中部全体に広げる"] == ({"block": "chubu", "domain": "kaimono"}, 1)
    assert offers["「長野県」を外す"] == ({"domain": "kaimono"}, 3)
    assert offers["「買い物」を外す"] == ({"prefecture": "20"}, 1)
    assert list(offers)[0] == "中部全体に広げる"


def test_widening_leaves_out_what_finds_nothing(client, cases):
    page = _page(client, "/cases?prefecture=20&domain=kaimono&funding=grant")
    offers = _widenings(page)
    assert "中部全体に広げる" not in offers  # 0 in 中部 too
    assert all(count > 0 for _args, count in offers.values())


def test_an_empty_event_list_offers_the_past_events_too(client, structured_factory):
    structured_factory("event", title="昨年の研修会", prefecture="20",
                       start_at="2020-01-10T10:00+09:00", end_at=None)  # fmt: skip
    page = _page(client, "/events?prefecture=20")
    assert listed_ids(page) == []
    offers = _widenings(page)
    assert offers["過去のイベントも含める"] == ({"prefecture": "20", "when": "all"}, 1)
    assert listed_ids(_page(client, "/events?prefecture=20&when=all")) != []


def test_an_empty_result_offers_a_prefilled_question(client, login, user_factory, cases):
    page = _page(client, "/cases?block=chubu&domain=kaimono")
    link = re.search(r'<a class="button" href="([^"]+)">掲示板で質問する</a>', page)
    assert link
    url = urlsplit(html.unescape(link.group(1)))
    assert url.path == "/b/komarigoto/new"
    args = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert "中部" in args["title"] and "買い物" in args["title"]
    assert "- 中部" in args["body"] and "- 買い物" in args["body"]
    assert "/cases?block=chubu&domain=kaimono" in args["body"]
    login(user_factory(role="member"))
    form = _page(client, f"{url.path}?{url.query}")
    assert html.escape(args["title"], quote=True) in form or args["title"] in html.unescape(form)
    assert "- 中部" in html.unescape(form)


def test_a_listing_with_results_offers_no_widening(client, cases):
    page = _page(client, "/cases?domain=kaimono")
    assert "条件を広げる" not in page and "掲示板で質問する" not in page


def test_an_unfiltered_empty_listing_only_says_so(client):
    page = _page(client, "/policies")
    assert "条件に合うものはまだありません。" in page and "条件を広げる" not in page


def test_the_prefill_of_the_new_thread_form_is_bounded(client, login, user_factory):
    login(user_factory(role="member"))
    page = _page(client, "/b/komarigoto/new?title=" + "あ" * 500 + "&body=" + "い" * 50_000)
    title = re.search(r'<input[^>]*name="title"[^>]*>', page).group(0)
    assert 'value="' + "あ" * 120 + '"' in title
    body = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert body.strip() == "い" * 4000


# --- 2. the keyword box ---------------------------------------------------------------------------


def test_the_keyword_box_finds_within_the_listing_and_its_filters(client, sync_index, cases,
                                                                   structured_factory):  # fmt: skip
    structured_factory("event", title="移動販売の研修会", prefecture="28")
    sync_index()
    page = _page(client, "/cases?q=移動販売")
    assert sorted(listed_ids(page)) == sorted([cases["tokyo"].id, cases["hyogo"].id])
    assert _count(page) == "「移動販売」に合う取組事例：2件"
    assert 'value="移動販売"' in page  # the box keeps the keyword
    page = _page(client, "/cases?q=移動販売&prefecture=28")
    assert listed_ids(page) == [cases["hyogo"].id]
    # every filter of the listing applies; the keyword is kept in the pager and the map links
    assert listed_ids(_page(client, "/cases?q=移動販売&domain=mimamori")) == []
    assert listed_ids(_page(client, "/events?q=移動販売&when=all")) != []


def test_an_empty_keyword_result_offers_dropping_the_keyword(client, sync_index, cases):
    sync_index()
    offers = _widenings(_page(client, "/cases?q=移動販売&block=chubu"))
    assert offers["キーワード「移動販売」を外す"] == ({"block": "chubu"}, 1)
    assert offers["「中部」を外す"] == ({"q": "移動販売"}, 2)


def test_a_too_long_keyword_is_refused_in_japanese(client, sync_index, cases):
    sync_index()
    page = _page(client, "/cases?q=" + "あ" * 101, status=400)
    message = re.search(r'<p class="error-message" role="alert">(.*?)</p>', page).group(1)
    assert "100文字以内" in message
    assert_japanese(message)
    assert _page(client, "/cases?q=" + "あ" * 100)  # at the limit: fine
    response = client.get("/api/v1/cases?q=" + "あ" * 101)
    assert response.status_code == 400 and "q" in response.get_json()["error"]["fields"]


def test_the_keyword_before_an_index_exists_is_a_clear_error(client, cases):
    page = _page(client, "/cases?q=移動販売", status=400)
    assert "検索の準備ができていません" in page


def test_the_keyword_box_never_shows_a_closed_board(app, client, login, user_factory, sync_index,
                                                    structured_factory, cases):  # fmt: skip
    """The keyword box uses the search page's audience rule, and the listing's own: a case in a
    board for 行政職員 of a platform is neither listed nor counted for others."""
    space = service.create_space(actor=service.SYSTEM, slug="nagano", name="長野テスト",
                                 prefecture_code="20").space  # fmt: skip
    forum_boards.create_board(actor=service.SYSTEM, space=space, slug="nagano-roles", name="限定",
                              audience=forum_boards.Audience("roles", ("municipal_staff",)))  # fmt: skip
    insider = user_factory(role="municipal_staff")
    set_member(space, insider)
    db.session.commit()
    secret = structured_factory("case", title="移動販売の秘密の事例", prefecture="20",
                                board_slug="nagano-roles")  # fmt: skip
    sync_index()
    outsider = app.test_client()
    signed_in = outsider.post_form(
        "/login", {"email": user_factory(role="municipal_staff").email, "password": PASSWORD}
    )  # an official, not a member
    assert signed_in.status_code == 302
    for who, viewer in (("anonymous", client), ("outsider", outsider)):
        page = _page(viewer, "/cases?q=移動販売")
        assert secret.id not in listed_ids(page) and "秘密" not in page, who
        assert _count(page) == "「移動販売」に合う取組事例：2件", who
        page = _page(viewer, "/cases?q=秘密")
        assert "秘密の事例" not in page and _count(page) == "「秘密」に合う取組事例：0件", who
    login(insider)
    assert secret.id in listed_ids(_page(client, "/cases"))
    page = _page(client, "/cases?q=移動販売")
    assert secret.id in listed_ids(page)
    assert _count(page) == "「移動販売」に合う取組事例：3件"


# --- 5. a case page asks ----------------------------------------------------------------------------


def test_a_case_page_offers_a_question_about_it(client, login, user_factory, cases):
    page = _page(client, f"/t/{cases['nagano'].id}")
    link = re.search(r'<a href="([^"]+)">この事例について質問する</a>', page)
    assert link
    url = urlsplit(html.unescape(link.group(1)))
    assert url.path == "/b/komarigoto/new"
    args = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert args["title"] == "取組事例「長野の見守り活動」について質問"
    assert f"/t/{cases['nagano'].id}" in args["body"]
    login(user_factory(role="member"))
    form = html.unescape(_page(client, f"{url.path}?{url.query}"))
    assert "取組事例「長野の見守り活動」について質問" in form


def test_other_kinds_have_no_case_question(client, structured_factory):
    event = structured_factory("event", title="研修会", prefecture="20")
    assert "この事例について質問する" not in _page(client, f"/t/{event.id}")


def test_parse_filters_is_shared_by_the_api(app, cases):
    """The API reads the same filters: 中部 + 東京都 gives 東京都 there too."""
    with app.test_request_context("/api/v1/cases?block=chubu&prefecture=13"):
        from flask import request

        filters = queries.parse_filters("case", request.args)
    assert (filters.prefecture, filters.block) == ("13", None) and filters.notice
