"""Event RSVPs and the reminder the day before (Asia/Tokyo)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from core.extensions import db
from notifications import reminders
from structured.models import ThreadDetail

TOKYO = ZoneInfo("Asia/Tokyo")


def _event(thread_factory, starts_at, status="scheduled"):
    thread = thread_factory(title="見守り研修会（神戸）")
    thread.kind = "event"
    db.session.add(ThreadDetail(thread_id=thread.id, kind="event", prefecture_code="28",
                                starts_at=starts_at, status=status))  # fmt: skip
    db.session.commit()
    return thread


def test_reminders_the_day_before_in_tokyo(thread_factory, user_factory, process, notes):
    event = _event(thread_factory, datetime(2026, 12, 10, 13, 30, tzinfo=TOKYO))
    going, interested, nobody = user_factory(), user_factory(), user_factory()
    reminders.set_rsvp(going, event, "going")
    reminders.set_rsvp(interested, event, "interested")
    db.session.commit()
    process(now=datetime(2026, 12, 8, 23, 0, tzinfo=TOKYO))  # two days before
    assert notes(going) == []
    process(now=datetime(2026, 12, 9, 0, 5, tzinfo=TOKYO))  # the day before (UTC: still the 8th)
    assert [n.kind for n in notes(going)] == ["event_reminder"]
    assert [n.kind for n in notes(interested)] == ["event_reminder"]
    assert notes(nobody) == []
    process(now=datetime(2026, 12, 9, 18, 0, tzinfo=TOKYO))
    assert len(notes(going)) == 1  # once
    assert reminders.rsvp_summary(event.id, going.id) == {
        "counts": {"going": 1, "interested": 1},
        "mine": "going",
    }


def test_reminders_skip_cancelled_events(thread_factory, user_factory, process, notes):
    event = _event(thread_factory, datetime(2026, 12, 10, 10, 0, tzinfo=TOKYO), "cancelled")
    me = user_factory()
    reminders.set_rsvp(me, event, "going")
    db.session.commit()
    process(now=datetime(2026, 12, 9, 9, 0, tzinfo=TOKYO))
    assert notes(me) == []
