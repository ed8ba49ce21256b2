"""Garbage collection for a process that holds thousands of open sockets (gevent mode).

CPython's cyclic collector walks every tracked object of a generation. A web process with 1,000
open Socket.IO connections holds millions of long-lived objects, so each automatic full
collection (generation 2) stopped the process — gevent's one hub with it — for 180–245 ms,
several times a minute under live traffic: the largest part of the p95 of a live reply at 2,000
readers (bench/README.md, "2,000 readers, server models").

The policy: every ``GC_FREEZE_SECONDS`` a background loop collects the young generations (cheap:
they hold at most a few thousand objects) and then moves every survivor into the permanent
generation with :func:`gc.freeze` (the technique of Instagram's Django servers and of
gunicorn's ``gc.freeze()`` advice), so automatic collections only walk what the last few seconds
made. Cycles among frozen objects that later become garbage (a closed connection's) are freed
by a full collection every ``GC_FULL_COLLECT_SECONDS`` (one pause an hour instead of several a
minute); objects without cycles are freed by reference counting as always.

On by default where it pays: in a process whose Socket.IO runs in gevent mode
(:func:`default_freeze_seconds`); ``GC_FREEZE_SECONDS=0`` turns it off, a positive value turns
it on in any process.
"""

from __future__ import annotations

import gc
import logging
import time

from flask import Flask

from core.background import BackgroundLoop

log = logging.getLogger(__name__)

#: seconds between two freezes when the process serves Socket.IO in gevent mode
GEVENT_FREEZE_SECONDS = 10.0


def default_freeze_seconds(async_mode: str) -> float:
    return GEVENT_FREEZE_SECONDS if async_mode == "gevent" else 0.0


class GCPolicy:
    """Freeze the survivors every ``freeze_seconds``; a full collection every ``full_seconds``."""

    def __init__(self, freeze_seconds: float, full_seconds: float) -> None:
        self.freeze_seconds = freeze_seconds
        self.full_seconds = full_seconds
        self.last_full = time.monotonic()
        self.freezes = 0
        self.full_collections = 0
        self.loop = BackgroundLoop("kyoso-gc", self.step, poll_seconds=freeze_seconds)

    def step(self) -> float:
        if self.full_seconds > 0 and time.monotonic() - self.last_full >= self.full_seconds:
            self.full_collect()
        else:
            gc.collect(1)  # the young generations' garbage is not frozen with the survivors
            gc.freeze()
            self.freezes += 1
        return self.freeze_seconds

    def full_collect(self) -> None:
        started = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.last_full = time.monotonic()
        self.full_collections += 1
        log.info("full garbage collection in %.0f ms", (time.perf_counter() - started) * 1000)

    def start(self) -> None:
        self.loop.start()


_policy: GCPolicy | None = None


def register(app: Flask, async_mode: str) -> GCPolicy | None:
    """Start the policy in this process when its settings ask for it (never under TESTING
    unless ``GC_FREEZE_SECONDS`` is set explicitly). One per process: the collector is."""
    global _policy
    seconds = app.config.get("GC_FREEZE_SECONDS")
    if seconds is None:
        seconds = 0.0 if app.config.get("TESTING") else default_freeze_seconds(async_mode)
    if seconds <= 0:
        return None
    if _policy is None or not _policy.loop.running:
        _policy = GCPolicy(float(seconds), float(app.config.get("GC_FULL_COLLECT_SECONDS") or 0))
        _policy.start()
    app.extensions["kyoso.gcpolicy"] = _policy
    return _policy


def stop() -> None:
    """Stop this process's policy and give the frozen objects back to the collector (tests)."""
    global _policy
    if _policy is not None:
        _policy.loop.stop()
        _policy = None
    gc.unfreeze()
