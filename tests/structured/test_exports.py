"""Exports checked with parsers nobody here wrote: icalendar, feedparser, csv, json."""

from __future__ import annotations

import csv
import io
import json
import re

import feedparser
import pytest
from icalendar import Calendar

from core.extensions import db
from structured.details import save_details, serialize_fields
from structured.exports import EVENT_CSV_COLUMNS
from structured.models import ThreadDetail


def _calendar(client, url: str) -> Calendar:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    return Calendar.from_ical(response.get_data())


def _vevents(cal: Calendar) -> list:
    return [c for c in cal.walk() if c.name == "VEVENT"]


@pytest.fixture
def events(structured_factory):
    make = structured_factory
    return {
        "hyogo": make("event", title="豊岡の買い物支援研修会", prefecture="28",
                      start_at="2030-12-01T00:30+09:00", end_at="2030-12-01T02:00+09:00",
                      municipality_code="282090", capacity=80, fee="無料", contact="豊岡市社協"),
        "tokyo_cancelled": make("event", title="中止になった交流会", prefecture="13",
                                start_at="2030-12-05T13:00+09:00", end_at=None,
                                status="cancelled", attendance_mode="online", venue_name=None,
                                address=None, online_url="https://example.jp/meet"),
        "osaka_postponed": make("event", title="延期した勉強会", prefecture="27",
                                start_at="2030-12-10T18:00+09:00", end_at=None,
                                status="postponed"),
    }  # fmt: skip


def test_one_event_as_icalendar(client, events):
    cal = _calendar(client, f"/t/{events['hyogo'].id}/event.ics")
    (vevent,) = _vevents(cal)
    assert str(vevent["SUMMARY"]) == "豊岡の買い物支援研修会"
    start = vevent.decoded("DTSTART")
    assert start.isoformat() == "2030-12-01T00:30:00+09:00"
    assert vevent["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert vevent.decoded("DTEND").isoformat() == "2030-12-01T02:00:00+09:00"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert f"/t/{events['hyogo'].id}" in str(vevent["URL"])
    timezones = [c for c in cal.walk() if c.name == "VTIMEZONE"]
    assert [str(tz["TZID"]) for tz in timezones] == ["Asia/Tokyo"]
    assert str(cal["VERSION"]) == "2.0" and "PRODID" in cal
    raw = client.get(f"/t/{events['hyogo'].id}/event.ics").get_data()
    assert b"DTSTART;TZID=Asia/Tokyo:20301201T003000" in raw
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # RFC 5545 folding


def test_a_cancelled_event_is_cancelled_in_icalendar(client, events):
    (vevent,) = _vevents(_calendar(client, f"/t/{events['tokyo_cancelled'].id}/event.ics"))
    assert str(vevent["STATUS"]) == "CANCELLED"
    (vevent,) = _vevents(_calendar(client, f"/t/{events['osaka_postponed'].id}/event.ics"))
    assert str(vevent["STATUS"]) == "TENTATIVE"


def test_event_ics_for_a_non_event_or_a_missing_thread_is_404(client, structured_factory):
    case = structured_factory("case")
    assert client.get(f"/t/{case.id}/event.ics").status_code == 404
    assert client.get("/t/999999/event.ics").status_code == 404


def test_the_filtered_list_as_icalendar(client, events):
    cal = _calendar(client, "/events.ics")
    vevents = _vevents(cal)
    assert len(vevents) == 3
    assert [str(v["SUMMARY"]) for v in vevents] == ["豊岡の買い物支援研修会", "中止になった交流会",
                                                   "延期した勉強会"]  # fmt: skip
    assert {str(v["STATUS"]) for v in vevents} == {"CONFIRMED", "CANCELLED", "TENTATIVE"}
    assert all(v["DTSTART"].params["TZID"] == "Asia/Tokyo" for v in vevents)
    assert len({str(v["UID"]) for v in vevents}) == 3
    assert len([c for c in cal.walk() if c.name == "VTIMEZONE"]) == 1
    kinki = _vevents(_calendar(client, "/events.ics?block=kinki"))
    assert sorted(str(v["SUMMARY"]) for v in kinki) == ["延期した勉強会", "豊岡の買い物支援研修会"]
    cancelled = _vevents(_calendar(client, "/events.ics?status=cancelled"))
    assert [str(v["STATUS"]) for v in cancelled] == ["CANCELLED"]
    empty = _calendar(client, "/events.ics?prefecture=01")
    assert _vevents(empty) == []


def test_export_filters_are_validated(client):
    assert client.get("/events.ics?prefecture=99").status_code == 400
    assert client.get("/events.csv?mode=x").status_code == 400
    assert client.get("/feeds/cases.atom?block=x").status_code == 400
    assert client.get("/feeds/unknown.atom").status_code == 404


@pytest.mark.parametrize(("url", "message"), [
    ("/events.ics?prefecture=99", "都道府県コードが正しくありません。"),
    ("/events.csv?mode=x", "「参加方法」の値が正しくありません。"),
    ("/feeds/cases.atom?block=x", "地方ブロックが正しくありません。"),
])  # fmt: skip
def test_a_bad_export_filter_says_what_is_wrong(client, url, message):
    """As the listing does, not only that the request is wrong."""
    response = client.get(url)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


# --- CSV -----------------------------------------------------------------------------------


def _csv(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())  # BOM for Excel
    text = raw.decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_round_trips_in_the_standard_column_order(client, events):
    rows = _csv(client, "/events.csv")
    assert tuple(rows[0]) == EVENT_CSV_COLUMNS
    assert len(rows) == 4
    assert all(len(r) == len(EVENT_CSV_COLUMNS) for r in rows)
    by_title = {r[EVENT_CSV_COLUMNS.index("イベント名")]: dict(zip(EVENT_CSV_COLUMNS, r, strict=True))
                for r in rows[1:]}  # fmt: skip
    hyogo = by_title["豊岡の買い物支援研修会"]
    assert hyogo["都道府県コード又は市区町村コード"] == "282090"
    assert hyogo["NO"] == str(events["hyogo"].id)
    assert hyogo["都道府県名"] == "兵庫県"
    assert hyogo["市区町村名"] == "豊岡市"
    assert hyogo["開始日"] == "2030-12-01" and hyogo["開始時間"] == "00:30"  # Tokyo, not UTC
    assert hyogo["終了日"] == "2030-12-01" and hyogo["終了時間"] == "02:00"
    assert hyogo["料金(基本)"] == "無料"
    assert hyogo["定員"] == "80"
    assert hyogo["主催者"] == "豊岡市"
    assert hyogo["場所名称"] == "豊岡市民会館"
    assert hyogo["住所"] == "兵庫県豊岡市立野町20-34"
    assert hyogo["連絡先名称"] == "豊岡市社協"
    assert hyogo["説明"] == "詳しくは本文で。"
    assert hyogo["URL"].endswith(f"/t/{events['hyogo'].id}")
    tokyo = by_title["中止になった交流会"]
    assert tokyo["都道府県コード又は市区町村コード"] == "130000"  # no municipality: prefecture
    assert tokyo["終了日"] == "2030-12-05" and tokyo["終了時間"] == ""
    assert tokyo["備考"].startswith("中止")
    assert "https://example.jp/meet" in tokyo["備考"]
    assert by_title["延期した勉強会"]["備考"].startswith("延期")


def test_csv_honours_filters(client, events):
    rows = _csv(client, "/events.csv?prefecture=13")
    assert [r[EVENT_CSV_COLUMNS.index("イベント名")] for r in rows[1:]] == ["中止になった交流会"]
    assert len(_csv(client, "/events.csv?block=hokkaido")) == 1  # the header only


@pytest.mark.parametrize("title", ['=HYPERLINK("http://evil.example")', "+1+2", "-2+3", "@SUM(A1)"])
def test_csv_neutralises_formulas(client, structured_factory, title):
    structured_factory("event", title=title, organizer="=cmd|' /C calc'!A0")
    rows = _csv(client, "/events.csv")
    row = dict(zip(EVENT_CSV_COLUMNS, rows[1], strict=True))
    assert row["イベント名"] == "'" + title
    assert row["主催者"].startswith("'=")
    for value in rows[1]:
        assert value[:1] not in ("=", "+", "-", "@")


def test_csv_keeps_commas_quotes_and_newlines_in_their_column(client, structured_factory):
    structured_factory("event", title='研修会「買い物, 移動」"第2回"', venue_name="会議室A,B",
                       body="一行目\n二行目, カンマ")  # fmt: skip
    rows = _csv(client, "/events.csv")
    row = dict(zip(EVENT_CSV_COLUMNS, rows[1], strict=True))
    assert row["イベント名"] == '研修会「買い物, 移動」"第2回"'
    assert row["場所名称"] == "会議室A,B"
    assert "二行目, カンマ" in row["説明"]


# --- Atom ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "section"), [("case", "cases"), ("event", "events"),
                                               ("policy", "policies")])  # fmt: skip
def test_each_feed_parses_cleanly(client, structured_factory, kind, section):
    hyogo = structured_factory(kind, title=f"兵庫の{kind}", prefecture="28")
    tokyo = structured_factory(kind, title=f"東京の{kind} & <特集>", prefecture="13")
    response = client.get(f"/feeds/{section}.atom")
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.get_data())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert [e.title for e in feed.entries] == [f"東京の{kind} & <特集>", f"兵庫の{kind}"]
    assert feed.entries[0].link.endswith(f"/t/{tokyo.id}")
    assert feed.entries[1].id.endswith(f"/t/{hyogo.id}")
    assert all(e.get("updated_parsed") and e.get("published_parsed") for e in feed.entries)
    filtered = feedparser.parse(client.get(f"/feeds/{section}.atom?prefecture=28").get_data())
    assert filtered.bozo == 0
    assert [e.title for e in filtered.entries] == [f"兵庫の{kind}"]
    assert "prefecture=28" in filtered.feed.link


def test_the_event_feed_has_past_events_and_marks_cancellations(client, structured_factory):
    structured_factory("event", title="昔の会", start_at="2020-01-10T10:00+09:00", end_at=None)
    structured_factory("event", title="中止の会", status="cancelled")
    feed = feedparser.parse(client.get("/feeds/events.atom").get_data())
    assert feed.bozo == 0
    titles = [e.title for e in feed.entries]
    assert titles == ["中止の会", "昔の会"]
    assert "【中止】" in feed.entries[0].summary


def test_an_empty_feed_is_still_valid(client):
    feed = feedparser.parse(client.get("/feeds/policies.atom").get_data())
    assert feed.bozo == 0 and feed.entries == []


def test_the_listing_advertises_its_feed(client):
    page = client.get("/cases?prefecture=28").get_data(as_text=True)
    assert re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]+href="[^"]*'
                     r'/feeds/cases\.atom\?prefecture=28"', page)  # fmt: skip


# --- JSON-LD -------------------------------------------------------------------------------


def _jsonld(page: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match, "no JSON-LD"
    return json.loads(match.group(1))


def test_event_page_has_schema_org_event(client, events):
    doc = _jsonld(client.get(f"/t/{events['hyogo'].id}").get_data(as_text=True))
    assert doc["@context"] == "https://schema.org"
    assert doc["@type"] == "Event"
    assert doc["name"] == "豊岡の買い物支援研修会"
    assert doc["startDate"] == "2030-12-01T00:30:00+09:00"
    assert doc["endDate"] == "2030-12-01T02:00:00+09:00"
    assert doc["eventStatus"] == "https://schema.org/EventScheduled"
    assert doc["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert doc["location"]["@type"] == "Place"
    assert doc["location"]["address"]["addressRegion"] == "兵庫県"
    assert doc["maximumAttendeeCapacity"] == 80
    assert doc["organizer"]["name"] == "豊岡市"


def test_cancelled_online_event_json_ld(client, events):
    doc = _jsonld(client.get(f"/t/{events['tokyo_cancelled'].id}").get_data(as_text=True))
    assert doc["eventStatus"] == "https://schema.org/EventCancelled"
    assert doc["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert doc["location"] == {"@type": "VirtualLocation", "url": "https://example.jp/meet"}
    assert doc["startDate"].endswith("+09:00")


def test_json_ld_cannot_be_closed_by_a_title(client, structured_factory):
    thread = structured_factory("event", title="</script><script>alert(1)</script>")
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    doc = _jsonld(page)
    assert doc["name"] == "</script><script>alert(1)</script>"


def test_only_event_pages_have_json_ld(client, structured_factory):
    page = client.get(f"/t/{structured_factory('case').id}").get_data(as_text=True)
    assert "application/ld+json" not in page


def test_ics_answers_not_modified_until_an_event_changes(client, structured_factory, user_factory):
    thread = structured_factory("event", title="研修会")
    first = client.get("/events.ics")
    etag = first.headers["ETag"]
    assert client.get("/events.ics", headers={"If-None-Match": etag}).status_code == 304
    detail = db.session.get(ThreadDetail, thread.id)
    assert serialize_fields(detail)["status"] == "scheduled"
    fields = {**serialize_fields(detail), "status": "cancelled"}
    save_details(thread=thread, kind="event", fields=fields, editor=thread.author)
    db.session.commit()
    again = client.get("/events.ics", headers={"If-None-Match": etag})
    assert again.status_code == 200 and b"STATUS:CANCELLED" in again.data


def test_icalendar_says_how_and_until_when_to_apply_and_invites_nobody(client, structured_factory):
    """The calendar entry carries the deadline, how to apply and where; no ORGANIZER (calendar
    apps treat one as an invitation from that address)."""
    event = structured_factory(
        "event", title="申込制の研修", organizer="長野県 介護支援課", start_at="2030-12-13T10:00+09:00",
        end_at=None, apply_deadline="2030-12-06", apply_method="申込フォームから",
        apply_url="https://example.jp/apply/sc", contact="長野県 介護支援課",
    )  # fmt: skip
    (vevent,) = _vevents(_calendar(client, f"/t/{event.id}/event.ics"))
    description = str(vevent["DESCRIPTION"])
    assert "申込締切：2030年12月6日" in description
    assert "申込先：https://example.jp/apply/sc" in description and "主催：長野県 介護支援課" in description
    assert "ORGANIZER" not in vevent
    (listed,) = [v for v in _vevents(_calendar(client, "/events.ics")) if str(v["SUMMARY"]) == "申込制の研修"]
    assert "申込締切：2030年12月6日" in str(listed["DESCRIPTION"])


def test_feed_link_opens_a_page_for_people_that_says_how_to_subscribe(client, structured_factory):
    """#14 item 7: the listing's 「新着フィード（Atom）」 opened raw XML. It now opens a page
    saying what a feed is and how to subscribe, with the feed's absolute address (the listing's
    filters kept) to copy; feed readers still find the feed from <link rel="alternate">."""
    structured_factory("event", title="フィード用のイベント")
    listing = client.get("/events?prefecture=28").get_data(as_text=True)
    assert 'href="/feeds/events?prefecture=28">新着をフィードで受け取る</a>' in listing
    assert "Atom" not in listing.split("<body", 1)[1]  # the format's name is not the label
    assert 'type="application/atom+xml"' in listing and "/feeds/events.atom?prefecture=28" in listing
    page = client.get("/feeds/events?prefecture=28")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "登録のしかた" in html and "フィードリーダー" in html
    assert 'value="http://localhost/feeds/events.atom?prefecture=28"' in html
    assert client.get("/feeds/events.atom?prefecture=28").mimetype == "application/atom+xml"
    assert client.get("/feeds/nothing").status_code == 404
