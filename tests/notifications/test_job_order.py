"""Jobs applied out of order: a job re-run after a worker crash (its lease ran out) or after a
database error (retried with backoff) lands after later posts' jobs of the same thread. Every
watcher must still count every post once, and a job applied twice must count once."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from core.extensions import db
from core.types import utcnow
from forum import posting
from forum.models import Post
from notifications import worker
from notifications.models import JOB_DONE, JOB_PENDING, Notification, NotificationJob

PAST = datetime(2000, 1, 1, tzinfo=UTC)
LATER = datetime(2100, 1, 1, tzinfo=UTC)


def _counts(user_ids, kind="posted"):
    rows = db.session.execute(
        select(Notification.user_id, Notification.count).where(
            Notification.user_id.in_(user_ids),
            Notification.kind == kind,
            Notification.read_at.is_(None),
        )
    ).all()
    return dict(rows)


def _run_only(job_id: int) -> worker.Progress:
    """Make one held job due (as its retry time or an expired lease would) and run the worker."""
    db.session.execute(
        update(NotificationJob).where(NotificationJob.id == job_id)
        .values(status=JOB_PENDING, run_after=PAST)
    )  # fmt: skip
    db.session.commit()
    progress = worker.run_once()
    db.session.expire_all()
    return progress


def test_jobs_in_any_order_with_a_duplicate_count_every_post_once(thread_factory, user_factory,
                                                                   watch, process):  # fmt: skip
    author, replier = user_factory(), user_factory()
    watchers = [user_factory() for _ in range(6)]
    thread = thread_factory(author=author)
    for w in watchers:
        watch(w, "thread", thread.id, "watching")
    process()  # the thread's own job
    n = 7
    for i in range(n):
        posting.create_reply(thread=thread, author=replier, body=f"返信{i + 1}")
        db.session.commit()
    jobs = list(db.session.scalars(
        select(NotificationJob.id).where(NotificationJob.status == JOB_PENDING)
        .order_by(NotificationJob.id)
    ))  # fmt: skip
    assert len(jobs) == n
    # held back, as jobs waiting for a retry or behind a lease are
    db.session.execute(update(NotificationJob).where(NotificationJob.id.in_(jobs))
                       .values(run_after=LATER))  # fmt: skip
    db.session.commit()
    order = jobs[:]
    random.Random(17).shuffle(order)
    if order[0] == jobs[0]:  # the first post must arrive late for the test to mean anything
        order.append(order.pop(0))
    order.insert(3, order[1])  # a job applied twice (re-run after its worker committed)
    order.append(jobs[0])  # and the earliest post once more, last of all
    for job_id in order:
        assert _run_only(job_id).jobs == 1
    ids = [w.id for w in watchers]
    assert _counts(ids) == {uid: n for uid in ids}
    assert _counts([author.id], "replied") == {author.id: n}
    rows = db.session.scalars(select(Notification).where(Notification.user_id == watchers[0].id))
    (row,) = rows
    first = db.session.scalar(select(Post.id).where(Post.thread_id == thread.id, Post.number == 2))
    assert row.post_id == first  # links to the first unread post, even though it came late
    assert set(db.session.scalars(select(NotificationJob.status))) == {JOB_DONE}


def test_a_late_job_after_the_row_was_read_is_told_once(thread_factory, user_factory, watch,
                                                        process):  # fmt: skip
    """A watcher read the notification of posts 2 and 3; post 1's job, late, still reaches them
    (in a new row), and re-running any of the three afterwards changes nothing."""
    replier, w = user_factory(), user_factory()
    thread = thread_factory()
    watch(w, "thread", thread.id, "watching")
    process()
    for i in range(3):
        posting.create_reply(thread=thread, author=replier, body=f"返信{i + 1}")
        db.session.commit()
    jobs = list(db.session.scalars(
        select(NotificationJob.id).where(NotificationJob.status == JOB_PENDING)
        .order_by(NotificationJob.id)
    ))  # fmt: skip
    db.session.execute(update(NotificationJob).where(NotificationJob.id == jobs[0])
                       .values(run_after=LATER))  # fmt: skip
    db.session.commit()
    process()
    assert _counts([w.id]) == {w.id: 2}
    db.session.execute(update(Notification).where(Notification.user_id == w.id)
                       .values(read_at=utcnow() - timedelta(seconds=1)))  # fmt: skip
    db.session.commit()
    _run_only(jobs[0])
    assert _counts([w.id]) == {w.id: 1}
    for job_id in jobs:
        _run_only(job_id)
    rows = db.session.execute(
        select(Notification.count, Notification.read_at.is_(None))
        .where(Notification.user_id == w.id).order_by(Notification.id)
    ).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [(2, False), (1, True)]


def test_a_dead_workers_lease_holds_back_only_its_own_job(thread_factory, user_factory, watch,
                                                          process):  # fmt: skip
    """A worker died holding post 1's job: post 2's job is applied meanwhile, and post 1's once
    the lease (one minute, not five) has run out."""
    replier, w = user_factory(), user_factory()
    thread = thread_factory()
    watch(w, "thread", thread.id, "watching")
    process()
    for i in range(2):
        posting.create_reply(thread=thread, author=replier, body=f"返信{i + 1}")
        db.session.commit()
    first, second = db.session.scalars(
        select(NotificationJob.id).where(NotificationJob.status == JOB_PENDING)
        .order_by(NotificationJob.id)
    )  # fmt: skip
    leased_until = utcnow() + worker.LEASE
    db.session.execute(update(NotificationJob).where(NotificationJob.id == first)
                       .values(status=worker.RUNNING, run_after=leased_until))  # fmt: skip
    db.session.commit()
    assert process().jobs == 1
    assert _counts([w.id]) == {w.id: 1}
    assert timedelta(minutes=1) >= worker.LEASE
    db.session.execute(update(NotificationJob).where(NotificationJob.id == first)
                       .values(run_after=utcnow() - timedelta(seconds=1)))  # fmt: skip
    db.session.commit()
    assert process().jobs == 1
    assert _counts([w.id]) == {w.id: 2}
    assert db.session.get(NotificationJob, second).status == JOB_DONE
