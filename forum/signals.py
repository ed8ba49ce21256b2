"""Forum events for other packages (real-time, search, notifications, moderation).

Service functions *queue* a signal on the session; :mod:`core.events` hands the queued signals to
the in-transaction recorders (notification jobs) and sends them only after the transaction
commits, dropping them on rollback, so a rolled-back post never reaches a subscriber. Receivers
get ids (and the board slug) only. They run inside SQLAlchemy's ``after_commit`` hook, where the
session cannot emit SQL: a receiver that needs the database opens its own session or defers the
work.

Payloads: ``thread_created(thread_id, board_id, board_slug)``, ``post_created(thread_id,
post_id, number, board_slug)``, ``post_edited`` / ``post_deleted`` / ``post_hidden`` (thread_id,
post_id, number), ``thread_updated(thread_id)``.
"""

from __future__ import annotations

from blinker import Namespace
from sqlalchemy.orm import Session

from core import events

_signals = Namespace()

thread_created = _signals.signal("thread-created")
post_created = _signals.signal("post-created")
post_edited = _signals.signal("post-edited")
post_deleted = _signals.signal("post-deleted")
post_hidden = _signals.signal("post-hidden")  # sent by moderation when it hides a post
thread_updated = _signals.signal("thread-updated")  # locked/unlocked, pinned/unpinned

#: every signal above, for subscribers that take them all (e.g. waking a worker)
ALL = (thread_created, post_created, post_edited, post_deleted, post_hidden, thread_updated)


def queue_after_commit(session: Session, signal, **payload) -> None:
    """Queue ``signal`` in the transaction (see :mod:`core.events`)."""
    events.queue(session, signal, **payload)
