"""Moderation events for other packages (notifications), queued like ``forum.signals``: sent
only after the transaction commits, dropped on rollback. Receivers get ids only.

``item_opened(item_id)`` — a new review-queue item; ``item_decided(item_id, action)`` — a
moderator decided it; ``verification_decided(user_id, outcome, role)`` — a role request or a new
account was approved or rejected (``outcome``: approved | rejected; ``role``: a role slug or
``"account"``).
"""

from __future__ import annotations

from blinker import Namespace

from core.extensions import db
from forum.signals import queue_after_commit

_signals = Namespace()

item_opened = _signals.signal("moderation-item-opened")
item_decided = _signals.signal("moderation-item-decided")
verification_decided = _signals.signal("verification-decided")


def queue(signal, **payload) -> None:
    queue_after_commit(db.session, signal, **payload)
