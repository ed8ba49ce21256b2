"""Script in every text and Markdown field of every kind, posted through the web form: nothing a
browser would run shows up on the thread page, the listing, the feed or the calendar; the CSV and
.ics keep the text as data and are served as downloads that browsers do not sniff into HTML."""

from __future__ import annotations

import csv
import io

import feedparser
import pytest
from icalendar import Calendar
from sqlalchemy import select

from core.extensions import db
from forum.models import Thread
from tests.fixtures.structured import valid_fields
from tests.structured.helpers import (
    BOARDS,
    SECTIONS,
    assert_nothing_executable,
    form_data,
    text_specs,
)

PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


def _hostile(kind: str, payload: str) -> dict:
    overrides = {s.name: f"{payload}{s.name}"[: s.max_length] for s in text_specs(kind)}
    # municipality_name is no free text any more (it must be in the master list): see below
    if kind == "event":
        overrides |= {"start_at": "2030-12-01T10:00+09:00", "end_at": "2030-12-01T12:00+09:00"}
    return valid_fields(kind, **overrides)


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("kind", ["case", "event", "policy", "challenge"])
def test_script_in_every_field_never_runs(client, login, user_factory, kind, payload):
    login(user_factory(role="admin"))
    data = form_data(kind, _hostile(kind, payload), title=f"{payload}の題", body=f"本文 {payload}")
    response = client.post_form(f"/b/{BOARDS[kind]}/new/{kind}", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    thread = db.session.scalar(select(Thread).order_by(Thread.id.desc()))
    assert thread.kind == kind

    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert_nothing_executable(page)
    # plain text fields are shown as the text that was typed (escaped), not dropped
    plain = [s for s in text_specs(kind, ("text",))]
    if plain:
        escaped = payload.replace("<", "&lt;").replace(">", "&gt;")
        assert escaped in page

    listing = client.get(f"/{SECTIONS[kind]}").get_data(as_text=True)
    assert f'href="/t/{thread.id}"' in listing
    assert_nothing_executable(listing)

    revisions = client.get(f"/t/{thread.id}/details/revisions").get_data(as_text=True)
    assert_nothing_executable(revisions)

    edit = client.get(f"/t/{thread.id}/edit-details").get_data(as_text=True)
    assert_nothing_executable(edit)

    if kind in ("case", "event", "policy"):
        raw = client.get(f"/feeds/{SECTIONS[kind]}.atom").get_data(as_text=True)
        assert "<script" not in raw and "<img" not in raw
        feed = feedparser.parse(raw)
        assert feed.bozo == 0
        assert feed.entries[0].title == f"{payload}の題"  # the reader gets the text back


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_hostile_municipality_name_is_refused_and_echoed_inert(client, login, user_factory, payload):
    login(user_factory(role="admin"))
    data = form_data("case", valid_fields("case", municipality_name=payload[:50]), title="題", body="本文")
    response = client.post_form(f"/b/{BOARDS['case']}/new/case", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "は市区町村の一覧にありません。" in page
    assert_nothing_executable(page)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_event_exports_keep_hostile_text_as_inert_data(client, login, user_factory, payload):
    login(user_factory(role="admin"))
    data = form_data("event", _hostile("event", payload), title=f"{payload}の題",
                     body=f"本文 {payload}")  # fmt: skip
    assert client.post_form("/b/events/new/event", data).status_code == 302

    calendar = client.get("/events/calendar?month=2030-12").get_data(as_text=True)
    assert "の題" in calendar
    assert_nothing_executable(calendar)

    for url, mimetype in (("/events.csv", "text/csv"), ("/events.ics", "text/calendar")):
        response = client.get(url)
        assert response.mimetype == mimetype
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"

    rows = list(csv.reader(io.StringIO(
        client.get("/events.csv").get_data().decode("utf-8").removeprefix("\ufeff"), newline="")))  # fmt: skip
    assert rows[1][4] == f"{payload}の題"  # the title column is the title, verbatim
    # the description is the post as plain text: what was typed, as text (no markup added)
    assert rows[1][12] == f"本文 {payload}"

    cal = Calendar.from_ical(client.get("/events.ics").get_data())
    (vevent,) = [c for c in cal.walk() if c.name == "VEVENT"]
    assert str(vevent["SUMMARY"]) == f"{payload}の題"
    assert str(vevent["DESCRIPTION"]).startswith(f"本文 {payload}\n")


@pytest.mark.parametrize("kind", ["case", "policy", "challenge"])
def test_markdown_fields_are_sanitised_not_escaped_away(client, login, user_factory, kind):
    """Markdown still works: emphasis survives, the script does not."""
    login(user_factory(role="admin"))
    markdown = [s.name for s in text_specs(kind, ("markdown",))]
    fields = valid_fields(kind, **{n: "**太字**<script>alert(1)</script>" for n in markdown})
    response = client.post_form(f"/b/{BOARDS[kind]}/new/{kind}", form_data(kind, fields))
    assert response.status_code == 302
    thread = db.session.scalar(select(Thread).order_by(Thread.id.desc()))
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert page.count("<strong>太字</strong>") >= len(markdown)
    assert_nothing_executable(page)
