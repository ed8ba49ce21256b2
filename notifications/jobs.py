"""From events to jobs: a recorder of :mod:`core.events` writes one small job row per forum or
moderation event queued in the committing transaction, so the job commits (or rolls back) with
the post that caused it. The posting request does nothing else; fan-out happens in the worker.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from conversations import signals as conversation_signals
from core import events, requestid
from core.extensions import db
from core.types import utcnow
from forum import signals as forum_signals
from moderation import signals as moderation_signals
from notifications.models import JOB_DONE, JOB_FAILED, JOB_PENDING, NotificationJob

#: signal → job event name
EVENTS = {
    forum_signals.thread_created: "thread_created",
    forum_signals.post_created: "post_created",
    forum_signals.post_edited: "post_edited",
    forum_signals.post_deleted: "post_deleted",
    forum_signals.post_hidden: "post_hidden",
    moderation_signals.item_opened: "item_opened",
    moderation_signals.item_decided: "item_decided",
    moderation_signals.verification_decided: "verification_decided",
    conversation_signals.message_sent: "message_sent",
}
MAX_ATTEMPTS = 8
#: the payload key that carries the id of the request that queued the job (logs only)
REQUEST_ID = "request_id"
log = logging.getLogger(__name__)
#: a claimed job's status (its ``run_after`` is then the end of its worker's lease)
RUNNING = "running"


def _record_jobs(session: Session, batch: events.Batch) -> None:
    rows = []
    now = utcnow()
    request_id = requestid.current()
    for signal, payload in batch.events:
        name = EVENTS.get(signal)
        if name is None or (name == "post_created" and payload.get("number") == 1):
            continue  # a thread's first post is handled with thread_created
        payload = dict(payload)
        if request_id:
            payload[REQUEST_ID] = request_id
        rows.append({"event": name, "payload": payload, "status": JOB_PENDING,
                     "attempts": 0, "run_after": now, "created_at": now})  # fmt: skip
    if rows:
        session.connection().execute(NotificationJob.__table__.insert(), rows)
        log.info("notification jobs queued: %s", ", ".join(row["event"] for row in rows))


def install() -> None:
    """Record jobs in every committing transaction (once per process)."""
    events.add_recorder(_record_jobs)


def enqueue(event_name: str, **payload) -> None:
    """Add a job in the current transaction (e.g. reminders); the caller commits."""
    request_id = requestid.current()
    if request_id:
        payload[REQUEST_ID] = request_id
    db.session.add(NotificationJob(event=event_name, payload=payload))


def due_jobs(
    *, limit: int = 50, now: datetime | None = None, statuses: tuple[str, ...] = (JOB_PENDING,)
) -> list[NotificationJob]:
    """Jobs to run now, oldest first (``running`` ones whose lease ran out included)."""
    now = now or utcnow()
    query = (
        select(NotificationJob)
        .where(NotificationJob.status.in_(statuses), NotificationJob.run_after <= now)
        .order_by(NotificationJob.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def oldest_due(now: datetime | None = None) -> datetime | None:
    """When the job that has waited longest to be run became due (pending, or running with its
    lease run out); ``None`` when the worker has nothing due. Jobs waiting for a retry are not
    late until their time comes. One statement on the pending index."""
    now = now or utcnow()
    return db.session.scalar(
        select(func.min(NotificationJob.run_after)).where(
            NotificationJob.status.in_((JOB_PENDING, RUNNING)), NotificationJob.run_after <= now
        )
    )


def mark_done(job: NotificationJob) -> None:
    db.session.execute(
        update(NotificationJob)
        .where(NotificationJob.id == job.id)
        .values(status=JOB_DONE, done_at=utcnow(), error=None)
    )


def mark_failed(job_id: int, attempts: int, error: str) -> None:
    """Retry later with backoff (30 s, 1 min, 2 min … up to an hour); give up after
    MAX_ATTEMPTS (the row stays, with its error, for an operator)."""
    attempts += 1
    status = JOB_FAILED if attempts >= MAX_ATTEMPTS else JOB_PENDING
    delay = timedelta(seconds=min(3600, 30 * 2 ** (attempts - 1)))
    db.session.execute(
        update(NotificationJob)
        .where(NotificationJob.id == job_id)
        .values(attempts=attempts, status=status, run_after=utcnow() + delay, error=error[:500])
    )


def figures(now: datetime | None = None) -> dict[str, int]:
    """``flask status`` and ``/metrics``: the job queue by state — due (pending or with its lease
    run out), waiting for a retry, running under a live lease, failed for good. One statement on
    the pending index (the many done rows are not read)."""
    now = now or utcnow()
    due = NotificationJob.run_after <= now
    rows = db.session.execute(
        select(NotificationJob.status, due.label("due"), func.count())
        .where(NotificationJob.status.in_((JOB_PENDING, RUNNING, JOB_FAILED)))
        .group_by(NotificationJob.status, due)
    ).all()
    counts = {(status, bool(is_due)): n for status, is_due, n in rows}
    return {
        "jobs_due": counts.get((JOB_PENDING, True), 0) + counts.get((RUNNING, True), 0),
        "jobs_retry_waiting": counts.get((JOB_PENDING, False), 0),
        "jobs_running": counts.get((RUNNING, False), 0),
        "jobs_lease_expired": counts.get((RUNNING, True), 0),
        "jobs_failed": sum(n for (status, _due), n in counts.items() if status == JOB_FAILED),
    }
