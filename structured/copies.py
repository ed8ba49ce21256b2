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
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session

from core import events
from forum.models import Thread
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
    return update(detail).values(
        {name: select(thread.c[name]).where(mine).scalar_subquery() for name in COPIED}
    ).where(differs)


def copy_thread_state(session: Session, thread_ids: Iterable[int] | None = None) -> int:
    """Copy the threads' columns into their details where they differ (``thread_ids`` None: every
    detail); how many detail rows changed. Runs on the session's connection, in its
    transaction."""
    statement = _statement()
    connection = session.connection()
    if thread_ids is None:
        return connection.execute(statement).rowcount
    ids = sorted(set(thread_ids))
    changed = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        changed += connection.execute(
            statement.where(ThreadDetail.__table__.c.thread_id.in_(chunk))
        ).rowcount
    return changed


def _record(session: Session, batch: events.Batch) -> None:
    if THREAD_STATE in batch.unseen:
        copy_thread_state(session)
    elif ids := batch.changes.get(THREAD_STATE):
        copy_thread_state(session, ids)


def install() -> None:
    """Watch the copied columns of threads and new detail rows (once per process)."""
    # a new thread's detail row, if it has one, is itself new (and takes its copies then); a
    # thread deleted for good takes its details with it: only changed threads concern the copies
    events.watch(Thread, THREAD_STATE, COPIED, new_and_deleted=False)
    events.watch(ThreadDetail, THREAD_STATE, COPIED, key="thread_id")
    events.add_recorder(_record)
