"""Issue #14: an online event of national scope has no prefecture (「全国（オンライン）」), and the
municipality is chosen by name from the master list — on the web form, through the API, and in
every place an event is shown or exported."""

from __future__ import annotations

import csv
import io

from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import select

from core.extensions import db
from forum.models import Thread
from structured.models import ThreadDetail
from tests.fixtures.structured import valid_fields
from tests.structured.helpers import BOARDS, assert_japanese, form_data

NATIONAL = "全国（オンライン）"
START, END = "2030-12-03T14:00+09:00", "2030-12-03T16:00+09:00"


def _online(**overrides) -> dict:
    online = {"prefecture": None, "municipality_name": None, "attendance_mode": "online",
              "online_url": "https://example.jp/live/zenkoku", "venue_name": None, "address": None,
              "start_at": START, "end_at": END}  # fmt: skip
    return valid_fields("event", **{**online, **overrides})


def _post_web(client, fields, title):
    return client.post_form(f"/b/{BOARDS['event']}/new/event", form_data("event", fields, title=title))


def _detail(title: str) -> ThreadDetail:
    thread = db.session.scalar(select(Thread).where(Thread.title == title))
    return db.session.get(ThreadDetail, thread.id)


def test_a_national_online_event_from_the_web_is_shown_and_exported_everywhere(
    client, login, user_factory
):
    login(user_factory(role="admin"))
    response = _post_web(client, _online(), "全国オンライン報告会")
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    detail = _detail("全国オンライン報告会")
    assert detail.prefecture_code is None and detail.municipality_code is None
    tid = detail.thread_id

    page = client.get(f"/t/{tid}").get_data(as_text=True)
    assert NATIONAL in page
    listing = client.get("/events").get_data(as_text=True)
    assert f'href="/t/{tid}"' in listing and NATIONAL in listing
    # the prefecture map counts it apart, under its own name
    assert "全国（オンライン）：1件" in listing
    # filtering by a prefecture leaves it out; filtering online keeps it
    assert f'href="/t/{tid}"' not in client.get("/events?prefecture=13").get_data(as_text=True)
    assert f'href="/t/{tid}"' in client.get("/events?mode=online").get_data(as_text=True)

    calendar = client.get("/events/calendar?month=2030-12").get_data(as_text=True)
    assert f"/t/{tid}" in calendar

    for url in (f"/t/{tid}/event.ics", "/events.ics"):
        raw = client.get(url).get_data()
        events = [c for c in Calendar.from_ical(raw).walk() if c.name == "VEVENT"]
        (event,) = [e for e in events if str(e["SUMMARY"]) == "全国オンライン報告会"]
        assert str(event["LOCATION"]) == "オンライン"

    text = client.get("/events.csv").get_data().decode("utf-8").removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    (row,) = [r for r in rows if r["イベント名"] == "全国オンライン報告会"]
    assert row["都道府県名"] == NATIONAL
    assert row["都道府県コード又は市区町村コード"] == "" and row["市区町村名"] == ""

    book = load_workbook(io.BytesIO(client.get("/events.xlsx").get_data()))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    values = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    (found,) = [r for r in values if "全国オンライン報告会" in r]
    assert NATIONAL in found
    assert header[found.index(NATIONAL)] == "都道府県"

    feed = client.get("/feeds/events.atom").get_data(as_text=True)
    assert NATIONAL in feed


def test_a_venue_event_still_needs_a_prefecture_on_the_web(client, login, user_factory):
    login(user_factory(role="admin"))
    fields = _online(attendance_mode="venue", venue_name="会場", online_url=None)
    response = _post_web(client, fields, "会場なのに全国")
    assert response.status_code == 422
    assert "オンラインだけで開催するイベントは空けると「全国（オンライン）」になります" in response.get_data(as_text=True)


def test_the_web_form_takes_the_municipality_by_name_and_shows_its_name(client, login, user_factory):
    login(user_factory(role="admin"))
    form = client.get(f"/b/{BOARDS['case']}/new/case").get_data(as_text=True)
    assert 'list="municipality-options"' in form and 'id="municipality-options"' in form
    fields = valid_fields("case", prefecture="20", municipality_name="長野市")
    response = client.post_form(f"/b/{BOARDS['case']}/new/case", form_data("case", fields, title="長野の事例"))
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    detail = _detail("長野の事例")
    assert (detail.prefecture_code, detail.municipality_code) == ("20", "202011")
    card = client.get(f"/t/{detail.thread_id}").get_data(as_text=True).split("<main", 1)[1].split("</dl>", 1)[0]
    assert "長野県</a> 長野市" in card
    assert "長野県 長野市" in client.get("/cases").get_data(as_text=True)
    # editing suggests the prefecture's municipalities, server-rendered
    edit = client.get(f"/t/{detail.thread_id}/edit-details").get_data(as_text=True)
    assert "<option value=\"松本市\">長野県松本市（202029）</option>" in edit


def test_a_code_typed_as_the_municipality_is_shown_by_name(client, login, user_factory):
    login(user_factory(role="admin"))
    fields = valid_fields("challenge", prefecture="28", municipality_name="282090")
    response = client.post_form(f"/b/{BOARDS['challenge']}/new/challenge",
                                form_data("challenge", fields, title="コードで入力"))  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    detail = _detail("コードで入力")
    assert detail.data["municipality_name"] == "豊岡市" and detail.municipality_code == "282090"


def test_a_code_saved_alone_is_shown_by_name(client, structured_factory):
    thread = structured_factory("case", title="コードだけの事例", municipality_name=None,
                                municipality_code="282090")  # fmt: skip
    detail = db.session.get(ThreadDetail, thread.id)
    assert detail.data.get("municipality_name") is None  # saved without the form: code only
    card = client.get(f"/t/{thread.id}").get_data(as_text=True).split("<main", 1)[1].split("</dl>", 1)[0]
    assert "兵庫県</a> 豊岡市" in card and "282090" not in card
    assert "兵庫県 豊岡市" in client.get("/cases").get_data(as_text=True)


def test_statistics_count_events_without_prefecture_as_national(client, login, user_factory):
    from stats import queries as stats_queries
    from stats.scope import Scope

    login(user_factory(role="admin"))
    assert _post_web(client, _online(), "全国の統計").status_code == 302
    table = stats_queries.events_by_prefecture(Scope(fiscal_year=None))
    national = [r for r in table.rows if r[1] == NATIONAL]
    assert national and national[0][2] >= 1
    assert client.get("/stats").status_code == 200


# --- the API ------------------------------------------------------------------------------------


def _post_api(client, headers, fields, title="API の全国イベント"):
    return client.post("/api/v1/boards/events/threads", headers=headers,
                       json={"title": title, "body": "本文です。", "type": "event", "fields": fields})  # fmt: skip


def test_a_national_online_event_through_the_api(client, user_factory, bearer):
    token = bearer(user_factory(role="org_staff"))
    fields = _online()
    del fields["prefecture"], fields["municipality_name"], fields["municipality_code"]
    response = _post_api(client, token, fields)
    assert response.status_code == 201, response.get_json()
    got = client.get(f"/api/v1/threads/{response.get_json()['id']}").get_json()["thread"]
    assert got["fields"]["prefecture"] is None
    listing = client.get("/api/v1/events?from=2030-12-01&to=2030-12-31").get_json()
    assert response.get_json()["id"] in [e["id"] for e in listing["events"]]
    page = client.get("/events").get_data(as_text=True)
    assert "API の全国イベント" in page and NATIONAL in page


def test_the_api_refuses_no_prefecture_for_a_venue_event(client, user_factory, bearer):
    token = bearer(user_factory(role="org_staff"))
    response = _post_api(client, token, _online(attendance_mode="hybrid", venue_name="会場"))
    assert response.status_code == 422
    messages = response.get_json()["error"]["fields"]["prefecture"]
    assert messages == ["都道府県を選んでください（オンラインだけで開催するイベントは空けると「全国（オンライン）」になります）。"]


def test_the_api_takes_a_code_and_answers_the_name(client, user_factory, bearer):
    token = bearer(user_factory(role="org_staff"))
    fields = valid_fields("event", prefecture="20", municipality_name=None, municipality_code="202011",
                          start_at=START, end_at=END)  # fmt: skip
    response = _post_api(client, token, fields, title="コードで送る")
    assert response.status_code == 201, response.get_json()
    got = client.get(f"/api/v1/threads/{response.get_json()['id']}").get_json()["thread"]
    assert (got["fields"]["municipality_code"], got["fields"]["municipality_name"]) == ("202011", "長野市")


def test_the_api_refuses_codes_and_names_outside_the_master_list_in_japanese(client, user_factory, bearer):
    token = bearer(user_factory(role="org_staff"))
    cases = [
        ({"municipality_code": "202012", "municipality_name": None}, "municipality_code",
         "市区町村コード「202012」は全国地方公共団体コードの一覧にありません。（例：長野市は202011）"),
        ({"municipality_code": "282090", "municipality_name": None, "prefecture": "20"}, "municipality_code",
         "豊岡市は兵庫県の市区町村です。都道府県と合わせてください。"),
        ({"municipality_name": "長野"}, "municipality_name",
         "「長野」は市区町村の一覧にありません。「長野市」のように市区町村名を正確に入力して候補から選ぶか、全国地方公共団体コード（6桁）を入力してください。"),
    ]  # fmt: skip
    for overrides, name, message in cases:
        fields = valid_fields("event", start_at=START, end_at=END, **overrides)
        response = _post_api(client, token, fields)
        assert response.status_code == 422, overrides
        error = response.get_json()["error"]
        assert error["code"] == "validation"
        assert error["fields"][name] == [message]
        assert_japanese(error["message"])


def test_the_master_list_is_served_by_prefecture(client):
    everything = client.get("/api/v1/taxonomies/municipalities").get_json()["municipalities"]
    assert len(everything) == 1741
    nagano = client.get("/api/v1/taxonomies/municipalities?prefecture=20").get_json()["municipalities"]
    assert nagano[0] == {"code": "202011", "name": "長野市", "kana": "ながのし", "kind": "市",
                         "prefecture": "20", "prefecture_name": "長野県"}  # fmt: skip
    assert len(nagano) == 77
    bad = client.get("/api/v1/taxonomies/municipalities?prefecture=48")
    assert bad.status_code == 400
    assert_japanese(bad.get_json()["error"]["message"])
