"""The listing pages: each filter alone and combined, filters kept in the pager, keyset pagination,
hidden/deleted threads left out, statuses labelled, bad filters refused, the month calendar."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from core.extensions import db
from structured.schema import TOKYO, to_tokyo_iso
from tests.structured.helpers import assert_japanese, listed_ids, next_link


def _ids(client, url: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    return listed_ids(response.get_data(as_text=True))


def _at(days: int, hour: int = 10) -> str:
    """An ISO time ``days`` from today in Tokyo, at ``hour`` o'clock."""
    day = datetime.now(UTC).astimezone(TOKYO).date() + timedelta(days=days)
    return to_tokyo_iso(datetime(day.year, day.month, day.day, hour, tzinfo=TOKYO))


# --- cases ---------------------------------------------------------------------------------


@pytest.fixture
def cases(structured_factory):
    make = structured_factory
    return {
        "hyogo_small": make("case", title="兵庫の小さな町", prefecture="28", population=8_000,
                            funding_kind="community_support", player_fields=["chiiki-kotsu"],
                            life_domains=["ido"]),
        "osaka_mid": make("case", title="大阪の中規模市", prefecture="27", population=30_000,
                          funding_kind="grant", player_fields=["iryo-kaigo-fukushi"],
                          life_domains=["kaimono"]),
        "tokyo_big": make("case", title="東京の区", prefecture="13", population=900_000,
                          funding_kind="grant", player_fields=["iryo-kaigo-fukushi"],
                          life_domains=["kaimono", "mimamori"]),
        "hyogo_mid": make("case", title="兵庫の中規模市", prefecture="28", population=77_000,
                          funding_kind="municipal", player_fields=["iryo-kaigo-fukushi"],
                          life_domains=["mimamori"]),
    }  # fmt: skip


def _ids_of(things, *names):
    return sorted(things[n].id for n in names)


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["hyogo_small", "osaka_mid", "tokyo_big", "hyogo_mid"]),
    ("prefecture=28", ["hyogo_small", "hyogo_mid"]),
    ("block=kinki", ["hyogo_small", "osaka_mid", "hyogo_mid"]),
    ("block=kanto", ["tokyo_big"]),
    ("field=iryo-kaigo-fukushi", ["osaka_mid", "tokyo_big", "hyogo_mid"]),
    ("domain=kaimono", ["osaka_mid", "tokyo_big"]),
    ("population=lt10k", ["hyogo_small"]),
    ("population=10k-50k", ["osaka_mid"]),
    ("population=50k-200k", ["hyogo_mid"]),
    ("population=200k-plus", ["tokyo_big"]),
    ("funding=grant", ["osaka_mid", "tokyo_big"]),
    ("block=kinki&funding=grant", ["osaka_mid"]),
    ("block=kinki&domain=mimamori&field=iryo-kaigo-fukushi", ["hyogo_mid"]),
    ("prefecture=28&population=lt10k&funding=community_support", ["hyogo_small"]),
    ("prefecture=13&domain=ido", []),
])  # fmt: skip
def test_case_filters_alone_and_combined(client, cases, query, expected):
    got = _ids(client, f"/cases?{query}")
    assert sorted(got) == _ids_of(cases, *expected)
    assert got == sorted(got, reverse=True)  # newest first
    api = client.get(f"/api/v1/cases?{query}").get_json()["cases"]
    assert [c["id"] for c in api] == got  # the API means the same


def test_case_filters_are_shown_selected(client, cases):
    page = client.get("/cases?block=kinki&funding=grant").get_data(as_text=True)
    assert '<option value="kinki" selected>' in page
    assert '<option value="grant" selected>' in page
    assert "条件をクリア" in page


# --- events --------------------------------------------------------------------------------


@pytest.fixture
def events(structured_factory):
    make = structured_factory
    return {
        "soon_venue": make("event", title="近日の会場イベント", start_at=_at(2), end_at=None,
                           attendance_mode="venue", prefecture="28", life_domains=["kaimono"]),
        "later_online": make("event", title="来月のオンライン", start_at=_at(30), end_at=None,
                             attendance_mode="online", venue_name=None, address=None,
                             online_url="https://example.jp/live", prefecture="13",
                             life_domains=["ido"]),
        "hybrid_cancelled": make("event", title="中止のハイブリッド", start_at=_at(5), end_at=None,
                                 attendance_mode="hybrid", status="cancelled", prefecture="27",
                                 life_domains=["kaimono"]),
        "past": make("event", title="先月の研修", start_at=_at(-20), end_at=None, prefecture="28"),
        "long_past": make("event", title="昨年の研修", start_at=_at(-400), end_at=None,
                          prefecture="28"),
    }  # fmt: skip


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["soon_venue", "hybrid_cancelled", "later_online"]),  # upcoming, soonest first
    ("when=upcoming", ["soon_venue", "hybrid_cancelled", "later_online"]),
    ("when=past", ["past", "long_past"]),  # latest first
    ("mode=online", ["later_online"]),
    ("mode=hybrid", ["hybrid_cancelled"]),
    ("status=cancelled", ["hybrid_cancelled"]),
    ("status=scheduled", ["soon_venue", "later_online"]),
    ("prefecture=28", ["soon_venue"]),
    ("prefecture=28&when=past", ["past", "long_past"]),
    ("block=kinki", ["soon_venue", "hybrid_cancelled"]),
    ("domain=kaimono&mode=venue", ["soon_venue"]),
    ("when=all&prefecture=28", ["long_past", "past", "soon_venue"]),
])  # fmt: skip
def test_event_filters(client, events, query, expected):
    got = _ids(client, f"/events?{query}")
    assert got == [events[n].id for n in expected]


def test_event_date_range(client, events):
    today = datetime.now(UTC).astimezone(TOKYO).date()
    frm, to = (today + timedelta(days=1)).isoformat(), (today + timedelta(days=6)).isoformat()
    assert _ids(client, f"/events?from={frm}&to={to}") == [events["soon_venue"].id,
                                                          events["hybrid_cancelled"].id]  # fmt: skip
    assert _ids(client, f"/events?from={frm}&to={to}&mode=venue") == [events["soon_venue"].id]
    past_from = (today - timedelta(days=30)).isoformat()
    assert _ids(client, f"/events?from={past_from}&to={today.isoformat()}") == [events["past"].id]


def test_a_cancelled_event_is_labelled_in_the_listing(client, events):
    page = client.get("/events").get_data(as_text=True)
    item = page.split(f'href="/t/{events["hybrid_cancelled"].id}"')[1].split("</li>")[0]
    assert "中止" in item and "status-cancelled" in item
    assert 'class="listing-item kind-event inactive"' in page
    soon = page.split(f'href="/t/{events["soon_venue"].id}"')[1].split("</li>")[0]
    assert "中止" not in soon


def test_the_past_archive_links_back_to_upcoming(client, events):
    page = client.get("/events?when=past&prefecture=28").get_data(as_text=True)
    assert "過去のイベント" in page and "これからのイベント" in page
    assert 'name="when" value="past"' in page


# --- policies and challenges ---------------------------------------------------------------


@pytest.fixture
def policies(structured_factory):
    make = structured_factory
    return {
        "mhlw_2026": make("policy", ministry="厚生労働省", fiscal_year=2026, policy_kind="subsidy"),
        "mhlw_2025": make("policy", ministry="厚生労働省", fiscal_year=2025, policy_kind="grant"),
        "mlit_2026": make("policy", ministry="国土交通省", fiscal_year=2026, policy_kind="grant",
                          prefecture="13"),
    }  # fmt: skip


@pytest.mark.parametrize(("query", "expected"), [
    ("ministry=厚生労働省", ["mhlw_2026", "mhlw_2025"]),
    ("fiscal_year=2026", ["mhlw_2026", "mlit_2026"]),
    ("policy_kind=grant", ["mhlw_2025", "mlit_2026"]),
    ("ministry=厚生労働省&fiscal_year=2026", ["mhlw_2026"]),
    ("fiscal_year=2026&policy_kind=grant&prefecture=13", ["mlit_2026"]),
    ("ministry=総務省", []),
])  # fmt: skip
def test_policy_filters(client, policies, query, expected):
    assert sorted(_ids(client, f"/policies?{query}")) == _ids_of(policies, *expected)


def test_policies_show_the_reiwa_fiscal_year(client, policies):
    page = client.get("/policies?fiscal_year=2026").get_data(as_text=True)
    assert "令和8年度" in page


@pytest.fixture
def challenges(structured_factory):
    make = structured_factory
    return {
        "open": make("challenge", status="open", prefecture="28", life_domains=["kaimono"]),
        "negotiating": make("challenge", status="negotiating", prefecture="28",
                            life_domains=["ido"]),
        "closed": make("challenge", status="closed", prefecture="01", life_domains=["kaimono"]),
    }  # fmt: skip


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["open", "negotiating", "closed"]),
    ("status=open", ["open"]),
    ("status=closed", ["closed"]),
    ("prefecture=28&domain=kaimono", ["open"]),
    ("block=hokkaido&status=closed", ["closed"]),
    ("status=partnered", []),
])  # fmt: skip
def test_challenge_filters(client, challenges, query, expected):
    assert sorted(_ids(client, f"/challenges?{query}")) == _ids_of(challenges, *expected)


def test_a_closed_challenge_is_labelled_in_the_listing(client, challenges):
    page = client.get("/challenges").get_data(as_text=True)
    item = page.split(f'href="/t/{challenges["closed"].id}"')[1].split("</li>")[0]
    assert "終了" in item and "status-closed" in item
    open_item = page.split(f'href="/t/{challenges["open"].id}"')[1].split("</li>")[0]
    assert "募集中" in open_item and "終了" not in open_item


# --- hidden, deleted, errors ---------------------------------------------------------------


@pytest.mark.parametrize(("kind", "section"), [("case", "cases"), ("event", "events"),
                                               ("policy", "policies"), ("challenge", "challenges")])  # fmt: skip
def test_hidden_and_deleted_threads_are_left_out(client, structured_factory, kind, section):
    shown = structured_factory(kind, title="見えるもの")
    hidden = structured_factory(kind, title="非表示のもの")
    deleted = structured_factory(kind, title="削除したもの")
    hidden.is_hidden = True
    deleted.is_deleted = True
    db.session.commit()
    assert _ids(client, f"/{section}") == [shown.id]
    api = client.get(f"/api/v1/{section}").get_json()[section]
    assert [x["id"] for x in api] == [shown.id]
    if kind in ("case", "event", "policy"):
        feed = client.get(f"/feeds/{section}.atom").get_data(as_text=True)
        assert "見えるもの" in feed and "非表示のもの" not in feed and "削除したもの" not in feed
    if kind == "event":
        for export in ("/events.ics", "/events.csv"):
            body = client.get(export).get_data(as_text=True)
            assert (
                "見えるもの" in body and "非表示のもの" not in body and "削除したもの" not in body
            )


@pytest.mark.parametrize(("url", "message"), [
    ("/cases?prefecture=99", "都道府県コードが正しくありません。"),
    ("/cases?block=atlantis", "地方ブロックが正しくありません。"),
    ("/cases?field=nope", "分野が正しくありません。"),
    ("/cases?domain=nope", "生活支援の領域が正しくありません。"),
    ("/cases?population=huge", "「人口規模」の値が正しくありません。"),
    ("/cases?funding=gold", "「財源」の値が正しくありません。"),
    ("/events?mode=teleport", "「参加方法」の値が正しくありません。"),
    ("/events?status=done", "「状況」の値が正しくありません。"),
    ("/events?from=2026-13-01", "日付は「2026-12-01」の形で指定してください。"),
    ("/events?from=2026-12-10&to=2026-12-01", "終わりの日付は始まりの日付より後にしてください。"),
    ("/events?when=someday", "「期間」の値が正しくありません。"),
    ("/policies?fiscal_year=R8", "年度は西暦の年（例：2026）で指定してください。"),
    ("/policies?fiscal_year=1999", "年度は西暦の年（例：2026）で指定してください。"),
    ("/policies?policy_kind=loan", "「種別」の値が正しくありません。"),
    ("/challenges?status=cancelled", "「状況」の値が正しくありません。"),
    ("/events/calendar?prefecture=99", "都道府県コードが正しくありません。"),
])  # fmt: skip
def test_an_invalid_filter_is_a_400_page_in_japanese(client, url, message):
    response = client.get(url)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert_japanese(re.sub(r"「[a-z_]+」", "", message))  # the URL argument's own name aside
    assert 'role="alert"' in page


@pytest.mark.parametrize("url", ["/cases?cursor=abc", "/events?cursor=1.2.3", "/events?cursor=x.y",
                                 "/events/calendar?month=2026-13", "/events/calendar?month=x"])  # fmt: skip
def test_bad_cursors_and_months_are_400(client, url):
    assert client.get(url).status_code == 400


def test_filters_for_another_kind_are_ignored(client, cases):
    # `mode` is an event filter: on the case listing it is not a filter at all
    assert len(_ids(client, "/cases?mode=online")) == 4


# --- pagination ----------------------------------------------------------------------------


def _walk(client, url: str) -> tuple[list[int], list[str]]:
    seen, links = [], []
    while url:
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.get_data(as_text=True)
        seen += listed_ids(text)
        url = next_link(text)
        if url:
            links.append(url)
        assert len(links) < 10
    return seen, links


def test_case_pages_keep_the_filters_and_have_no_duplicates_or_gaps(client, structured_factory):
    wanted = [structured_factory("case", prefecture="28", funding_kind="grant").id
              for _ in range(45)]  # fmt: skip
    others = [structured_factory("case", prefecture="13", funding_kind="grant").id
              for _ in range(3)]  # fmt: skip
    seen, links = _walk(client, "/cases?block=kinki&funding=grant")
    assert len(links) == 2  # 20 + 20 + 5
    for link in links:
        args = parse_qs(urlsplit(link).query)
        assert args["block"] == ["kinki"] and args["funding"] == ["grant"] and "cursor" in args
    assert seen == sorted(wanted, reverse=True)
    assert not set(seen) & set(others)


def test_event_pages_walk_ties_on_the_same_start_without_gaps(client, structured_factory):
    ids = []
    for i in range(25):
        # groups of five sharing a start time: the cursor must break ties by id
        ids.append(structured_factory("event", start_at=_at(3 + i // 5), end_at=None,
                                      attendance_mode="online", venue_name=None, address=None,
                                      online_url="https://example.jp/x").id)  # fmt: skip
    structured_factory("event", start_at=_at(4), end_at=None)  # a venue event: filtered out
    seen, links = _walk(client, "/events?mode=online")
    assert len(links) == 1
    assert parse_qs(urlsplit(links[0]).query)["mode"] == ["online"]
    assert seen == ids  # soonest first, ties by id, each exactly once


def test_past_event_pages_go_backwards_in_time(client, structured_factory):
    ids = [structured_factory("event", start_at=_at(-1 - i // 3), end_at=None).id
           for i in range(24)]  # fmt: skip
    seen, links = _walk(client, "/events?when=past")
    assert len(links) == 1 and "when=past" in links[0]
    expected = sorted(ids, key=lambda i: (ids.index(i) // 3, -i))  # latest day first, ties by id
    assert seen == expected


def test_challenge_and_policy_pages(client, structured_factory):
    for kind, section in (("challenge", "challenges"), ("policy", "policies")):
        ids = [structured_factory(kind).id for _ in range(21)]
        seen, links = _walk(client, f"/{section}")
        assert len(links) == 1
        assert seen == sorted(ids, reverse=True)


# --- calendar ------------------------------------------------------------------------------


def _day_cell(page: str, day: int) -> str:
    marker = f'<span class="day-number">{day}<span class="visually-hidden">'
    assert marker in page, day
    return page.split(marker)[1].split("</td>")[0]


def test_the_calendar_puts_an_event_on_its_tokyo_day(client, structured_factory):
    early = structured_factory("event", title="深夜の見守り訓練", start_at="2026-12-01T00:30+09:00",
                               end_at=None)  # fmt: skip
    late = structured_factory("event", title="大晦日の集い", start_at="2026-12-31T23:30+09:00",
                              end_at=None)  # fmt: skip
    page = client.get("/events/calendar?month=2026-12").get_data(as_text=True)
    assert "深夜の見守り訓練" in _day_cell(page, 1)
    assert "0:30" in _day_cell(page, 1)
    assert "大晦日の集い" in _day_cell(page, 31)
    assert "この月のイベント：2件" in page
    # the actions are flex items spaced by CSS: no separator left alone at a phone's line end
    actions = page.split('<p class="listing-actions">', 1)[1].split("</p>", 1)[0]
    assert "・" not in actions and "この月を.icsで書き出す" in actions
    november = client.get("/events/calendar?month=2026-11").get_data(as_text=True)
    assert "深夜の見守り訓練" not in november and "この月のイベント：0件" in november
    january = client.get("/events/calendar?month=2027-01").get_data(as_text=True)
    assert "大晦日の集い" not in january
    assert early.id != late.id


def test_calendar_month_links_keep_the_filters(client, structured_factory):
    structured_factory("event", start_at="2026-12-10T10:00+09:00", end_at=None)
    page = client.get("/events/calendar?month=2026-01&prefecture=28&mode=venue")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    prev = re.search(r'<a href="([^"]+)" rel="prev">', text).group(1).replace("&amp;", "&")
    nxt = re.search(r'<a href="([^"]+)" rel="next">', text).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(prev).query) == {"month": ["2025-12"], "prefecture": ["28"],
                                              "mode": ["venue"]}  # fmt: skip
    assert parse_qs(urlsplit(nxt).query) == {"month": ["2026-02"], "prefecture": ["28"],
                                             "mode": ["venue"]}  # fmt: skip
    assert "2026年1月" in text


def test_the_calendar_honours_filters_and_labels_cancellations(client, structured_factory):
    structured_factory("event", title="兵庫の会", prefecture="28", start_at="2026-12-05T10:00+09:00",
                       end_at=None)  # fmt: skip
    structured_factory("event", title="東京の会", prefecture="13", start_at="2026-12-05T14:00+09:00",
                       end_at=None, status="cancelled")  # fmt: skip
    everything = client.get("/events/calendar?month=2026-12").get_data(as_text=True)
    cell = _day_cell(everything, 5)
    assert "兵庫の会" in cell and "東京の会" in cell
    assert cell.index("兵庫の会") < cell.index("東京の会")  # in time order
    assert "中止" in cell.split("東京の会")[1]
    hyogo = client.get("/events/calendar?month=2026-12&prefecture=28").get_data(as_text=True)
    assert "兵庫の会" in hyogo and "東京の会" not in hyogo
    kanto = client.get("/events/calendar?month=2026-12&block=kanto").get_data(as_text=True)
    assert "兵庫の会" not in kanto and "東京の会" in kanto


@pytest.mark.parametrize(("query", "heading"), [
    ("", "これからのイベント"), ("when=past", "過去のイベント"), ("when=all", "すべてのイベント"),
])  # fmt: skip
def test_the_events_heading_names_the_window_shown(client, events, query, heading):
    """「すべてのイベント」 lists past events too: the heading must not say upcoming."""
    page = client.get(f"/events?{query}").get_data(as_text=True)
    assert f'<h2 class="subhead">{heading}</h2>' in page
