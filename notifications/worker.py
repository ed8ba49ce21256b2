"""Running the notification work outside requests: jobs → notifications (with the live badge
update), due e-mails, digests and event reminders.

``run_once`` does one round; the in-process :func:`background_worker` (single-machine default,
off under TESTING) and ``flask --app app notifications process`` / ``send`` call it. Several
processes may run it at once: a job is claimed with a conditional UPDATE (a lease that expires,
so a crashed worker's job is picked up again), and processing one is one transaction, so a job
is applied once or not at all.

Jobs need not run in order (a re-run after a crash or a database error comes after later
posts' jobs; :func:`notifications.fanout.deliver` counts each source once whatever the order),
so a job behind a lease or a retry never holds back the other jobs of its thread: they are
claimed and applied meanwhile. The lease is short and renewed between the chunks of a large
fan-out, so a crashed worker's own job is picked up again within :data:`LEASE`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import update

from core import background, requestid
from core.background import BackgroundLoop
from core.extensions import db
from core.types import utcnow
from notifications import fanout, jobs, mailing, reminders
from notifications.events import HANDLERS
from notifications.models import JOB_PENDING, NotificationJob
from realtime.broadcast import emit, user_room

#: how long a claimed job is left to its worker; renewed between chunks (a chunk takes well
#: under a second), so only a dead worker's job waits it out
LEASE = timedelta(minutes=1)
RUNNING = jobs.RUNNING


@dataclass
class Progress:
    jobs: int = 0
    failed: int = 0
    emails: int = 0
    digests: int = 0
    reminders: int = 0

    def __bool__(self) -> bool:
        return bool(self.jobs or self.failed or self.emails or self.digests or self.reminders)


def _claim(job: NotificationJob) -> bool:
    result = db.session.execute(
        update(NotificationJob)
        .where(NotificationJob.id == job.id, NotificationJob.status == job.status,
               NotificationJob.run_after == job.run_after)
        .values(status=RUNNING, run_after=utcnow() + LEASE)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    db.session.commit()
    return result.rowcount == 1


def _renew(job_id: int) -> None:
    """Extend a running job's lease (its worker is alive and between chunks)."""
    db.session.execute(
        update(NotificationJob)
        .where(NotificationJob.id == job_id, NotificationJob.status == RUNNING)
        .values(run_after=utcnow() + LEASE)
        .execution_options(synchronize_session=False)
    )


def process_job(job: NotificationJob) -> list[int]:
    """Apply one job; returns the users to tell live. A large fan-out commits between chunks
    (idempotent, so a crash part-way is repaired by running the job again)."""
    handler = HANDLERS.get(job.event)
    job_id = job.id

    def between_chunks() -> None:
        _renew(job_id)
        db.session.commit()

    token = fanout.between_chunks.set(between_chunks)
    try:
        notified = handler(job) if handler is not None else []
    finally:
        fanout.between_chunks.reset(token)
    jobs.mark_done(job)
    return notified


def process_jobs(*, limit: int = 100) -> Progress:
    """Apply due jobs, oldest first, each in its own transaction."""
    progress = Progress()
    for job in jobs.due_jobs(limit=limit, statuses=(JOB_PENDING, RUNNING)):
        job_id, attempts = job.id, job.attempts
        origin = (job.payload or {}).get(jobs.REQUEST_ID)
        if not _claim(job):
            continue
        # the job's log lines carry the id of the request that queued it
        with requestid.bind(origin):
            try:
                notified = process_job(db.session.get(NotificationJob, job_id))
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - retried with backoff, never dropped
                db.session.rollback()
                current_app.logger.exception("notification job %s failed", job_id)
                jobs.mark_failed(job_id, attempts, repr(exc))
                db.session.commit()
                progress.failed += 1
                continue
        progress.jobs += 1
        tell_live(notified)
    return progress


def tell_live(user_ids: list[int]) -> None:
    """Ids only, after commit: each client fetches its own count (see static/js/notify.js)."""
    for user_id in dict.fromkeys(user_ids):
        emit("notification", {}, user_room(user_id))


#: other packages' periodic housekeeping (privacy's retention purge): (name, every, fn), run from
#: the worker loop at most once per ``every`` per process, on the real clock
_housekeeping: list[tuple[str, Callable[[], timedelta], Callable[[], object]]] = []
_last_housekeeping: dict[str, datetime] = {}


def add_housekeeping(name: str, every: Callable[[], timedelta], fn: Callable[[], object]) -> None:
    """``fn()`` (which commits its own work) runs from the worker at most once per ``every()``
    (a zero interval turns it off)."""
    if all(existing != name for existing, _every, _fn in _housekeeping):
        _housekeeping.append((name, every, fn))


def _run_housekeeping() -> None:
    clock = utcnow()
    for name, every, fn in _housekeeping:
        interval = every()
        last = _last_housekeeping.get(name)
        if interval <= timedelta(0) or (last is not None and clock - last < interval):
            continue
        _last_housekeeping[name] = clock
        fn()


def run_once(*, now=None) -> Progress:
    progress = Progress()
    while True:
        step = process_jobs()
        progress.jobs += step.jobs
        progress.failed += step.failed
        if step.jobs + step.failed == 0:
            break
    progress.reminders = reminders.queue_reminders(now=now)
    progress.emails = mailing.send_due(now=now)
    progress.digests = mailing.send_digests(now=now)
    _run_housekeeping()
    return progress


def stop_all(timeout: float = 10.0) -> None:
    """Stop every background loop of this process (tests, shutdown)."""
    background.stop_all(timeout)


def background_worker(app: Flask, *, poll_seconds: float) -> BackgroundLoop:
    """The in-process worker: woken right after a commit in this process (domain events), and
    polling every ``poll_seconds`` for work from elsewhere and for due e-mails."""

    def step() -> None:
        run_once()

    return BackgroundLoop("kyoso-notifications", step, poll_seconds=poll_seconds, app=app)
