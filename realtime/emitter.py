"""One emitter thread per app: the request that committed a post hands its events over and
answers at once; the thread fans them out in order. (Fanning out on the request thread made a
reply wait 100–260 ms at 1,000 readers; see bench/README.md.)"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

from flask_socketio import SocketIO

log = logging.getLogger(__name__)


class BackgroundEmitter:
    def __init__(self, socketio: SocketIO) -> None:
        self._socketio = socketio
        self._queue: queue.SimpleQueue[tuple[str, dict[str, Any], str]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._started = False

    def emit(self, event: str, payload: dict[str, Any], room: str) -> None:
        if not self._started:
            with self._lock:
                if not self._started:
                    self._socketio.start_background_task(self._run)
                    self._started = True
        self._queue.put((event, payload, room))

    def _run(self) -> None:
        while True:
            event, payload, room = self._queue.get()
            try:
                self._socketio.emit(event, payload, to=room)
            except Exception:  # noqa: BLE001 - real-time is best effort: pages work without it
                log.exception("real-time emit of %s to %s failed", event, room)
