"""A structured thread's details copy three of its thread's columns — ``is_deleted``,
``is_hidden``, ``board_id`` — so that the counts of a listing (the prefecture map, 「N件」) read
one index of ``thread_details`` and never look each item's thread up (issue #18, migration 0031).

The copies are kept in step here, in one place, whatever made the change: just before a
transaction commits, :mod:`core.events` hands over the threads whose copied columns changed (seen
at a flush: deleting, hiding or restoring post #1, a move to another board) and the detail rows
inserted; one ``UPDATE`` then copies what differs. No service calls this. A bulk ``UPDATE`` of
``threads`` that may set a copied column names no rows: then every detail whose copies differ is
put right (one statement over the whole table; ``tests/structured/test_copies.py`` keeps the
application's code free of such statements).

The kept counts of the listings (``structured.counts``) follow in the same recorder, after the
copies: the groups of the details whose copies changed, and those of the details whose own
kind, prefecture or tags changed, are counted again.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session

from core import events
from forum.models import Thread
from structured import counts
from structured.models import ThreadDetail

#: the changes that concern the copies (:func:`core.events.watch`)
THREAD_STATE = "thread_state"
COPIED = ("is_deleted", "is_hidden", "board_id")
_CHUNK = 500


def _statement():
    thread, detail = Thread.__table__, ThreadDetail.__table__
    mine = thread.c.id == detail.c.thread_id
    differs = exists().where(
        mine, or_(*(thread.c[name] != detail.c[name] for name in COPIED))
    )
    return (
        update(detail)
        .values({name: select(thread.c[name]).where(mine).scalar_subquery() for name in COPIED})
        .where(differs)
        .returning(detail.c.kind, detail.c.prefecture_code, detail.c.starts_at)
    )


def _copy(session: Session, thread_ids: Iterable[int] | None) -> list[counts.Group]:
    """Copy the threads' columns where they differ; the groups of the detail rows changed."""
    statement = _statement()
    connection = session.connection()
    if thread_ids is None:
        rows = list(connection.execute(statement))
    else:
        ids, rows = sorted(set(thread_ids)), []
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            rows += connection.execute(
                statement.where(ThreadDetail.__table__.c.thread_id.in_(chunk))
            )
    return [counts.group_of(kind, code, starts_at) for kind, code, starts_at in rows]


def copy_thread_state(session: Session, thread_ids: Iterable[int] | None = None) -> int:
    """Copy the threads' columns into their details where they differ (``thread_ids`` None: every
    detail), and count the groups of the rows changed again (``structured.counts``); how many
    detail rows changed. Runs on the session's connection, in its transaction."""
    changed = _copy(session, thread_ids)
    counts.recount(session, changed)
    return len(changed)


def _record(session: Session, batch: events.Batch) -> None:
    groups: set[counts.Group] = set(batch.changes.get(counts.GROUPS, ()))
    if THREAD_STATE in batch.unseen:
        groups.update(_copy(session, None))
    elif ids := batch.changes.get(THREAD_STATE):
        groups.update(_copy(session, ids))
    # a bulk UPDATE of details that may have changed a kind or prefecture: count everything
    counts.recount(session, None if counts.GROUPS in batch.unseen else groups)


def install() -> None:
    """Watch the copied columns of threads and new detail rows (once per process)."""
    # a new thread's detail row, if it has one, is itself new (and takes its copies then); a
    # thread deleted for good takes its details with it: only changed threads concern the copies
    events.watch(Thread, THREAD_STATE, COPIED, new_and_deleted=False)
    events.watch(ThreadDetail, THREAD_STATE, COPIED, key="thread_id")
    events.watch(ThreadDetail, counts.GROUPS, counts.WATCHED, key=counts.detail_groups)
    events.add_recorder(_record)
