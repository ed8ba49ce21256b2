"""Relay forum events to Socket.IO rooms. Receivers run after the transaction commits (see
``forum.signals``) and send only ids, numbers and kinds; clients fetch the HTML they may see."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_socketio import SocketIO

from forum import signals

_connected = False


def get_socketio() -> SocketIO | None:
    return current_app.extensions.get("kyoso.socketio")


def thread_room(thread_id: int) -> str:
    return f"thread:{thread_id}"


def board_room(slug: str) -> str:
    return f"board:{slug}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


MODERATORS_ROOM = "moderators"


def emit(event: str, payload: dict[str, Any], room: str) -> None:
    """Emit to a room of this app's Socket.IO server (through the message queue, if any): by
    the app's background emitter when it has one (SOCKETIO_EMIT_IN_BACKGROUND), else now."""
    background = current_app.extensions.get("kyoso.emitter")
    if background is not None:
        background.emit(event, payload, room)
        return
    socketio = get_socketio()
    if socketio is None:
        return
    try:
        socketio.emit(event, payload, to=room)
    except Exception:  # noqa: BLE001 - real-time is best effort: pages work without it
        current_app.logger.exception("real-time emit of %s to %s failed", event, room)


def _on_post(kind: str):
    def receiver(_sender, *, thread_id: int, post_id: int, number: int, **extra) -> None:
        payload = {"thread_id": thread_id, "post_id": post_id, "number": number, "kind": kind}
        emit(kind, payload, thread_room(thread_id))
        slug = extra.get("board_slug")
        if kind == "post_created" and number > 1 and slug:
            emit("thread_bumped", {"board": slug, "thread_id": thread_id}, board_room(slug))

    return receiver


def _on_thread_created(_sender, *, thread_id: int, board_slug: str, **_extra) -> None:
    emit("thread_created", {"board": board_slug, "thread_id": thread_id}, board_room(board_slug))


def _on_thread_updated(_sender, *, thread_id: int, **_extra) -> None:
    emit("thread_updated", {"thread_id": thread_id}, thread_room(thread_id))


_RECEIVERS = {
    signals.post_created: _on_post("post_created"),
    signals.post_edited: _on_post("post_updated"),
    signals.post_deleted: _on_post("post_deleted"),
    signals.post_hidden: _on_post("post_hidden"),
    signals.thread_created: _on_thread_created,
    signals.thread_updated: _on_thread_updated,
}


def connect_signals() -> None:
    """Subscribe once per process (blinker signals are global; receivers use current_app)."""
    global _connected
    if _connected:
        return
    for signal, receiver in _RECEIVERS.items():
        signal.connect(receiver, weak=False)
    _connected = True
