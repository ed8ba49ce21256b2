"""Forum events for other packages (real-time, search, notifications, moderation).

Service functions *queue* a signal on the session; it is sent only after the transaction commits,
and dropped on rollback, so a rolled-back post never reaches a subscriber. Receivers get ids only.
"""

from __future__ import annotations

from blinker import Namespace
from sqlalchemy import event
from sqlalchemy.orm import Session

_signals = Namespace()

thread_created = _signals.signal("thread-created")
post_created = _signals.signal("post-created")
post_edited = _signals.signal("post-edited")
post_deleted = _signals.signal("post-deleted")

_KEY = "kyoso.pending_signals"


def queue_after_commit(session: Session, signal, **payload) -> None:
    session.info.setdefault(_KEY, []).append((signal, payload))


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    pending = session.info.pop(_KEY, [])
    for signal, payload in pending:
        signal.send(None, **payload)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction) -> None:
    session.info.pop(_KEY, None)
