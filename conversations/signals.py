"""Conversation events for other packages (real-time, notifications), queued like
``forum.signals``: sent only after the transaction commits, dropped on rollback. Payloads carry
ids only; receivers that need more read it themselves.

``message_sent(conversation_id, message_id, author_id, recipient_ids)`` — a new message;
``recipient_ids`` are the participants still in the conversation, the author included (their
other tabs refresh too). ``participants_changed(conversation_id, recipient_ids)`` — someone was
invited or left.
"""

from __future__ import annotations

from blinker import Namespace

from core import events
from core.extensions import db

_signals = Namespace()

message_sent = _signals.signal("conversation-message-sent")
participants_changed = _signals.signal("conversation-participants-changed")


def queue(signal, **payload) -> None:
    events.queue(db.session, signal, **payload)
