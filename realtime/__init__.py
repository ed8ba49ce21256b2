"""Real-time exchange board over Socket.IO (Flask-SocketIO, threading mode).

Each app gets its own ``SocketIO`` (kept in ``app.extensions``), so several apps in one process
(tests, workers) never share a server object. Forum events are relayed to rooms after the
database transaction commits (``forum.signals``); clients then fetch what they may see.

Rooms: ``thread:<id>``, ``board:<slug>``, ``user:<id>`` (a user's own notifications) and
``moderators`` (queue changes).
"""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from realtime import broadcast, handlers
from realtime.emitter import BackgroundEmitter

EXTENSION_KEY = "kyoso.socketio"


def register(app: Flask) -> None:
    queue = app.config.get("SOCKETIO_MESSAGE_QUEUE") or None
    socketio = SocketIO(
        app,
        async_mode="threading",  # explicit: auto-detection would prefer eventlet/gevent
        message_queue=queue,
        channel=app.config.get("SOCKETIO_CHANNEL") or "kyoso",
        cors_allowed_origins=None,  # engine.io: same origin only ([] would turn the check off)
        ping_interval=20,
        ping_timeout=20,
        max_http_buffer_size=64 * 1024,
        logger=False,
        engineio_logger=False,
    )
    app.extensions[EXTENSION_KEY] = socketio
    if app.config["SOCKETIO_EMIT_IN_BACKGROUND"]:
        app.extensions["kyoso.emitter"] = BackgroundEmitter(socketio)
    handlers.register_handlers(socketio)
    broadcast.connect_signals()
