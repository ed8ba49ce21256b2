"""One background loop for every worker of a process: the search indexer, the notification worker
and the real-time emitter (and their ``--loop`` CLI commands) run a *step* again and again.

A step returns how long to wait before the next one: ``None`` waits ``poll_seconds`` (or until
:meth:`BackgroundLoop.wake`), a number waits that long, ``0`` runs again at once. A step that
raises (a database that went away, a full disk …) is logged and retried with exponential backoff
(1 s, 2 s, 4 s … at most ``max_backoff``, 30 s: a database that comes back is used again within
half a minute, and one that stays away is not hammered): the loop never dies of an error. With
an ``app``, each step runs in an application context and the database session is removed
afterwards, and the loop writes a heartbeat (:mod:`core.heartbeat`) at most every
``WORKER_HEARTBEAT_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable

from flask import Flask

from core.extensions import db
from core.heartbeat import Heartbeat
from core.metrics import BACKGROUND_ERRORS

log = logging.getLogger(__name__)

Step = Callable[[], float | None]

_loops: weakref.WeakSet[BackgroundLoop] = weakref.WeakSet()


class BackgroundLoop:
    def __init__(
        self, name: str, step: Step, *, poll_seconds: float, app: Flask | None = None,
        min_backoff: float = 1.0, max_backoff: float = 30.0,
        on_error: Callable[[], None] | None = None, on_exit: Callable[[], None] | None = None,
    ) -> None:  # fmt: skip
        self.name = name
        self.step = step
        self.poll_seconds = poll_seconds
        self.app = app
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.on_error = on_error
        self.on_exit = on_exit
        self.failures = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        #: a loop with an application beats (core.heartbeat): /readyz tells a dead worker
        self.heartbeat = Heartbeat(app, name) if app is not None else None
        _loops.add(self)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the daemon thread (once; safe to call on every request)."""
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self.run, name=self.name, daemon=True)
                self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        """Loop until :meth:`stop` (in this thread: the CLI's ``--loop`` commands call it)."""
        try:
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    wait = self._step_once()
                    self.failures = 0
                except Exception:  # noqa: BLE001 - a worker must outlive any one error
                    self.failures += 1
                    BACKGROUND_ERRORS.labels(self.name).inc()
                    log.exception("%s failed; retrying", self.name)
                    if self.on_error is not None:
                        self.on_error()
                    self._beat()
                    self._stop.wait(self.backoff(self.failures))
                    continue
                self._beat()
                if wait is None:
                    self._wake.wait(self.poll_seconds)
                elif wait > 0:
                    self._wake.wait(wait)
        finally:
            if self.heartbeat is not None:
                self.heartbeat.stop()
            if self.on_exit is not None:
                self.on_exit()

    def _beat(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.beat(self.failures)

    def backoff(self, failures: int) -> float:
        """Seconds to wait after ``failures`` consecutive failed steps."""
        return min(self.max_backoff, self.min_backoff * 2 ** min(failures - 1, 30))

    def _step_once(self) -> float | None:
        if self.app is None:
            return self.step()
        with self.app.app_context():
            try:
                return self.step()
            finally:
                db.session.remove()


def stop_all(timeout: float = 10.0) -> None:
    """Stop every background loop of this process (tests, shutdown)."""
    for loop in list(_loops):
        loop.stop(timeout)
