"""Socket.IO event handlers: connect (session cookie or API token), joining rooms with the same
permission checks as the pages, and typing presence."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_login import current_user, login_user
from flask_socketio import SocketIO, emit, join_room, leave_room
from sqlalchemy import select

from auth.accounts import user_for_api_token
from auth.permissions import THREAD_MODERATE, can, has
from core.extensions import db
from core.metrics import SOCKETIO_CONNECTIONS
from forum import queries
from forum.models import Thread
from realtime.broadcast import MODERATORS_ROOM, board_room, thread_room, user_room

TYPING_EVENT = "typing"


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _payload(data: Any) -> dict:
    return data if isinstance(data, dict) else {}


def on_connect(auth: Any = None) -> bool:
    """Anonymous connections are allowed (public content); a token, when given, must be valid."""
    token = _payload(auth).get("token")
    if token:
        user = user_for_api_token(str(token))
        if user is None or not user.is_active:
            return False  # refuses the connection
        login_user(user)  # only this socket's session copy; no cookie is set
    if current_user.is_authenticated:
        join_room(user_room(current_user.id))
        if has(current_user, THREAD_MODERATE):
            join_room(MODERATORS_ROOM)
    SOCKETIO_CONNECTIONS.inc()  # an accepted connection: its disconnect counts it down
    return True


def on_disconnect(*_reason: Any) -> None:
    SOCKETIO_CONNECTIONS.dec()


def on_join_thread(data: Any) -> dict:
    thread_id = _int(_payload(data).get("thread_id"))
    thread = queries.get_thread(thread_id) if thread_id else None
    # a closed board's threads do not exist for those outside its audience (as on the pages)
    if thread is None or not can(current_user, "board.view", thread.board):
        return {"ok": False, "error": "not_found"}
    if not can(current_user, "thread.view", thread):
        return {"ok": False, "error": "forbidden"}
    join_room(thread_room(thread.id))
    # Read the last number only now that the socket is in the room: a reply committed after
    # this read is emitted to the room (after its commit) and reaches this socket; one
    # committed before it is in the answer. Read before joining, a reply committed in between
    # would be in neither, and the client would miss it until the next reply.
    last_number = db.session.scalar(select(Thread.last_number).where(Thread.id == thread.id))
    return {"ok": True, "last_number": last_number}


def on_leave_thread(data: Any) -> dict:
    thread_id = _int(_payload(data).get("thread_id"))
    if thread_id:
        leave_room(thread_room(thread_id))
    return {"ok": True}


def on_join_board(data: Any) -> dict:
    slug = _payload(data).get("slug")
    board = queries.get_board(slug) if isinstance(slug, str) else None
    if board is None or not can(current_user, "board.view", board):
        return {"ok": False, "error": "not_found"}
    join_room(board_room(board.slug))
    return {"ok": True}


def on_leave_board(data: Any) -> dict:
    slug = _payload(data).get("slug")
    if isinstance(slug, str):
        leave_room(board_room(slug))
    return {"ok": True}


def on_typing(data: Any) -> None:
    """Relay "someone is typing" to the thread's other readers. Nothing is stored: clients
    expire the notice on their own a few seconds after the last event."""
    thread_id = _int(_payload(data).get("thread_id"))
    if not thread_id or not current_user.is_authenticated:
        return
    thread = queries.get_thread(thread_id)
    # the same rules as the page: readers of the thread who may reply (a hidden thread is not
    # readable by other members, so nobody there learns who is typing)
    if thread is None or not can(current_user, "thread.view", thread):
        return
    if not can(current_user, "thread.reply", thread):
        return
    emit(
        TYPING_EVENT,
        {
            "thread_id": thread.id,
            "user": {"handle": current_user.handle, "name": current_user.display_name},
        },
        to=thread_room(thread.id),
        include_self=False,
    )


def register_handlers(socketio: SocketIO) -> None:
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    socketio.on_event("join_thread", on_join_thread)
    socketio.on_event("leave_thread", on_leave_thread)
    socketio.on_event("join_board", on_join_board)
    socketio.on_event("leave_board", on_leave_board)
    socketio.on_event(TYPING_EVENT, on_typing)
    socketio.on_error_default(_on_error)


def _on_error(exc: Exception) -> dict:
    current_app.logger.exception("socket event %s failed", request.event)
    return {"ok": False, "error": "server_error"}
