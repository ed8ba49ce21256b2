"""One emitter thread per app: the request that committed a post hands its events over and
answers at once; the thread fans them out in order. (Fanning out on the request thread made a
reply wait 100–260 ms at 1,000 readers; see bench/README.md.) The thread is a
:class:`core.background.BackgroundLoop` like every other worker of the process."""

from __future__ import annotations

import logging
import queue
from typing import Any

from flask_socketio import SocketIO

from core.background import BackgroundLoop

log = logging.getLogger(__name__)

#: how long one step waits for an event before the loop checks whether it should stop
WAIT_SECONDS = 1.0


class BackgroundEmitter:
    def __init__(self, socketio: SocketIO) -> None:
        self._socketio = socketio
        self._queue: queue.SimpleQueue[tuple[str, dict[str, Any], str]] = queue.SimpleQueue()
        self.loop = BackgroundLoop("kyoso-emitter", self._step, poll_seconds=WAIT_SECONDS)

    def emit(self, event: str, payload: dict[str, Any], room: str) -> None:
        self.loop.start()
        self._queue.put((event, payload, room))

    def _step(self) -> float:
        try:
            event, payload, room = self._queue.get(timeout=WAIT_SECONDS)
        except queue.Empty:
            return 0
        try:
            self._socketio.emit(event, payload, to=room)
        except Exception:  # noqa: BLE001 - real-time is best effort: pages work without it
            log.exception("real-time emit of %s to %s failed", event, room)
        return 0
