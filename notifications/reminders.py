"""Event RSVPs (参加予定 / 興味あり) and the reminder the day before (Asia/Tokyo)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import case, func, select

from auth.models import User
from core.extensions import db
from core.types import TOKYO, utcnow
from forum.models import Thread
from notifications import kinds
from notifications.fanout import Source, deliver
from notifications.models import RSVP_STATUSES, EventRsvp
from structured.models import ThreadDetail


def set_rsvp(user: User, thread: Thread, status: str | None) -> None:
    """``going`` / ``interested``, or None to withdraw. The caller commits."""
    row = db.session.get(EventRsvp, (thread.id, user.id))
    if status is None:
        if row is not None:
            db.session.delete(row)
        return
    if status not in RSVP_STATUSES:
        raise ValueError(status)
    if row is None:
        db.session.add(EventRsvp(thread_id=thread.id, user_id=user.id, status=status))
    else:
        row.status = status


def rsvp_summary(thread_id: int, user_id: int | None) -> dict:
    """``{"counts": {"going": n, "interested": n}, "mine": status | None}`` in one query."""
    mine_expr = func.sum(case((EventRsvp.user_id == (user_id or 0), 1), else_=0))
    rows = db.session.execute(
        select(EventRsvp.status, func.count(), mine_expr)
        .where(EventRsvp.thread_id == thread_id)
        .group_by(EventRsvp.status)
    ).all()
    counts = dict.fromkeys(RSVP_STATUSES, 0)
    mine = None
    for status, count, is_mine in rows:
        counts[status] = count
        if is_mine:
            mine = status
    return {"counts": counts, "mine": mine}


def tomorrow_window(now: datetime) -> tuple[datetime, datetime, str]:
    """Tomorrow in Tokyo as a UTC interval, and its date (for the collapse key)."""
    today = now.astimezone(TOKYO).date()
    tomorrow = today + timedelta(days=1)
    start = datetime.combine(tomorrow, time(0), tzinfo=TOKYO)
    return start, start + timedelta(days=1), tomorrow.isoformat()


def queue_reminders(*, now: datetime | None = None) -> int:
    """Remind everyone who marked an event that starts tomorrow (once per event and day);
    returns how many notifications were written. Cancelled events are skipped."""
    start, end, day = tomorrow_window(now or utcnow())
    events = db.session.scalars(
        select(ThreadDetail.thread_id).where(
            ThreadDetail.kind == "event", ThreadDetail.starts_at >= start,
            ThreadDetail.starts_at < end, ThreadDetail.status != "cancelled",
        )
    ).all()  # fmt: skip
    written = 0
    for thread_id in events:
        thread = db.session.get(Thread, thread_id)
        user_ids = db.session.scalars(
            select(EventRsvp.user_id).where(EventRsvp.thread_id == thread_id)
        ).all()
        if thread is None or not user_ids:
            continue
        source = Source(collapse_key=f"reminder:{thread_id}:{day}", source_id=thread_id,
                        thread=thread, data={"date": day})  # fmt: skip
        written += len(deliver(kinds.EVENT_REMINDER, user_ids, source))
    db.session.commit()
    return written
