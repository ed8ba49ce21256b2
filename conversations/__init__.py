"""Private conversations (個別メッセージ, like Discourse's personal messages): between two or more
members, optionally about a local problem or a partnership offer; Markdown rendered once by the
forum's renderer; screened by the checks moderation registers (``conversations.screening``);
live over Socket.IO in each participant's own room; nothing of it in search, feeds, listings or
profiles.

Below moderation and notifications (which subscribe to ``conversations.signals`` and register
screens), above forum, realtime and directory.
"""

from __future__ import annotations

from flask import Flask

from conversations import api, api_schema, signals, views
from conversations.models import Conversation, ConversationMessage, ConversationParticipant
from core import openapi
from core.events import quiet
from realtime.broadcast import emit, user_room

_connected = False


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    openapi.declare(app, api_schema.contract)
    # private rows: no public page (nor its cache) depends on them
    quiet(Conversation, ConversationMessage, ConversationParticipant)
    _connect()


def _relay_message(_sender, *, conversation_id: int, message_id: int, recipient_ids, **_extra):
    """After the commit: tell each participant's own room (``user:<id>``) that there is something
    new, with ids only; the page fetches what it may see through the API."""
    for user_id in recipient_ids:
        emit("conversation_message", {"conversation_id": conversation_id, "message_id": message_id},
             user_room(user_id))  # fmt: skip


def _relay_people(_sender, *, conversation_id: int, recipient_ids, **_extra):
    for user_id in recipient_ids:
        emit("conversation_updated", {"conversation_id": conversation_id}, user_room(user_id))


def _connect() -> None:
    global _connected
    if _connected:
        return
    signals.message_sent.connect(_relay_message, weak=False)
    signals.participants_changed.connect(_relay_people, weak=False)
    _connected = True
