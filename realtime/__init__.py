"""Real-time exchange board over Socket.IO (Flask-SocketIO).

Each app gets its own ``SocketIO`` (kept in ``app.extensions``), so several apps in one process
(tests, workers) never share a server object. Forum events are relayed to rooms after the
database transaction commits (``forum.signals``); clients then fetch what they may see.

Server model (``SOCKETIO_ASYNC_MODE``): ``threading`` (the default: the dev server, the test
suite, gunicorn ``-k gthread``) holds about four threads per open socket; ``gevent`` (gunicorn
``-k gevent``) holds greenlets instead, which is what carries thousands of readers per process
(bench/README.md, "2,000 readers, server models"). gevent mode needs the standard library
monkey-patched before the app is imported — gunicorn's gevent worker does that first thing in
each worker — so the app refuses to start in gevent mode without it rather than hang.

Rooms: ``thread:<id>``, ``board:<slug>``, ``user:<id>`` (a user's own notifications) and
``moderators`` (queue changes).
"""

from __future__ import annotations

import logging
import sys

from flask import Flask
from flask_socketio import SocketIO

from core import gcpolicy
from realtime import broadcast, handlers
from realtime.emitter import BackgroundEmitter

EXTENSION_KEY = "kyoso.socketio"
ASYNC_MODES = ("threading", "gevent")


def register(app: Flask) -> None:
    queue = app.config.get("SOCKETIO_MESSAGE_QUEUE") or None
    mode = async_mode(app)
    socketio = SocketIO(
        app,
        async_mode=mode,  # explicit: auto-detection would prefer eventlet/gevent
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
    gcpolicy.register(app, mode)  # many open sockets: no full collections under live traffic


def async_mode(app: Flask) -> str:
    """``SOCKETIO_ASYNC_MODE``, checked. gevent mode in a process gevent has not patched would
    block its one hub on every socket read, so such a process runs in threading mode instead:
    the ``flask`` commands and the workers (which share every process's settings, as the README
    asks, and only emit through the message queue), or a server started without gevent's
    worker — which then works as a threaded server and says so in its log."""
    mode = (app.config.get("SOCKETIO_ASYNC_MODE") or "threading").strip().lower()
    if mode not in ASYNC_MODES:
        raise RuntimeError(f"SOCKETIO_ASYNC_MODE must be one of {', '.join(ASYNC_MODES)}: {mode!r}")
    if mode == "gevent" and not gevent_patched():
        logging.getLogger(__name__).info(
            "SOCKETIO_ASYNC_MODE=gevent, but gevent has not patched this process (not under "
            "gunicorn -k gevent): Socket.IO runs in threading mode here"
        )
        return "threading"
    return mode


def gevent_patched() -> bool:
    """Whether gevent has patched ``socket`` in this process (never imports gevent itself)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("socket")
