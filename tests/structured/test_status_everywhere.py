"""Cancelling an event or closing a local problem shows wherever the item is listed."""

from __future__ import annotations

import csv
import io


def test_cancelled_event_is_labelled_in_every_listing(client, structured_factory, find):
    thread = structured_factory("event", title="見守り研修会", status="cancelled")
    for path in ("/events", "/b/events", "/events/calendar?month=" + _month(thread)):
        html = client.get(path).get_data(as_text=True)
        assert "見守り研修会" in html and "中止" in html, path
    assert "STATUS:CANCELLED" in client.get("/events.ics").get_data(as_text=True)
    rows = list(
        csv.reader(io.StringIO(client.get("/events.csv").get_data(as_text=True).lstrip("\ufeff")))
    )
    assert rows[1][rows[0].index("備考")].startswith("中止")
    assert "【中止】" in client.get("/feeds/events.atom").get_data(as_text=True)
    find("")  # applies the search outbox now
    assert "中止" in client.get("/search?q=見守り研修会").get_data(as_text=True)


def test_closed_challenge_is_labelled_on_its_board_and_listing(client, structured_factory):
    structured_factory("challenge", title="買い物の足がない", status="closed")
    for path in ("/challenges", "/b/chiiki-kadai"):
        html = client.get(path).get_data(as_text=True)
        assert "買い物の足がない" in html and "終了" in html, path


def _month(thread) -> str:
    from core.extensions import db
    from structured.models import ThreadDetail
    from structured.schema import TOKYO

    return db.session.get(ThreadDetail, thread.id).starts_at.astimezone(TOKYO).strftime("%Y-%m")
