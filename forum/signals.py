"""Forum events for other packages (real-time, search, notifications, moderation).

Service functions *queue* a signal on the session; it is sent only after the transaction commits,
and dropped on rollback, so a rolled-back post never reaches a subscriber. Receivers get ids (and
the board slug) only. They run inside SQLAlchemy's ``after_commit`` hook, where the session cannot
emit SQL: a receiver that needs the database opens its own session or defers the work.

Payloads: ``thread_created(thread_id, board_id, board_slug)``, ``post_created(thread_id,
post_id, number, board_slug)``, ``post_edited`` / ``post_deleted`` / ``post_hidden`` (thread_id,
post_id, number), ``thread_updated(thread_id)``.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace
from sqlalchemy import event
from sqlalchemy.orm import Session

_signals = Namespace()

thread_created = _signals.signal("thread-created")
post_created = _signals.signal("post-created")
post_edited = _signals.signal("post-edited")
post_deleted = _signals.signal("post-deleted")
post_hidden = _signals.signal("post-hidden")  # sent by moderation when it hides a post
thread_updated = _signals.signal("thread-updated")  # locked/unlocked, pinned/unpinned

_KEY = "kyoso.pending_signals"


def queue_after_commit(session: Session, signal, **payload) -> None:
    session.info.setdefault(_KEY, []).append((signal, payload))


def pending(session: Session) -> list[tuple[Any, dict]]:
    """The signals queued in the session's current transaction (e.g. for a ``before_commit``
    listener that records them in the same transaction)."""
    return list(session.info.get(_KEY, ()))


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    pending = session.info.pop(_KEY, [])
    for signal, payload in pending:
        signal.send(None, **payload)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction) -> None:
    session.info.pop(_KEY, None)
