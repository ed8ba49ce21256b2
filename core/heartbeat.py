"""Worker heartbeats: each background loop that runs with an application (the search indexer, the
notification worker — in a web process's thread or as its own ``--loop`` command) writes a row
``(worker, host, pid)`` with the time of its last step, at most every ``WORKER_HEARTBEAT_SECONDS``
(default 30: one small UPDATE per worker per half-minute).

``/readyz``, ``flask status`` and ``/metrics`` read them: for each worker on each host the
freshest beat counts (several web processes on one host each run the thread; one alive is
enough), and a worker whose freshest beat is older than ``READY_WORKER_SILENCE_SECONDS``
(default 300; 0 reports the age without ever failing on it) is *silent*: killed, hung or cut off
from the database. An idle worker still beats, so this catches what the lag checks cannot: a dead
indexer on a site where nobody posts.

A worker that stops cleanly deletes its row, so a worker taken out of service on purpose is not
reported as dead. A killed one leaves its row behind; the next process of that worker on that host
deletes rows of its siblings that have been silent for ``STALE_FACTOR`` heartbeats (it replaced
them). Rows are a few per host: the check reads them all in one statement.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import Integer, String, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.types import UTCDateTime, utcnow

log = logging.getLogger(__name__)

#: a sibling silent this many heartbeat intervals (and at least STALE_MIN_SECONDS) is replaced
STALE_FACTOR = 4
STALE_MIN_SECONDS = 120.0


class WorkerHeartbeat(db.Model):
    __tablename__ = "worker_heartbeats"

    worker: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    pid: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    #: consecutive failed steps at the last beat (0: the last step succeeded)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


def host_name() -> str:
    return socket.gethostname()[:255]


class Heartbeat:
    """One worker's beats: :meth:`beat` after each step (throttled), :meth:`stop` on a clean
    exit. Writes on its own short transaction and never raises: a beat that cannot be written
    (the database is down) is simply missing, which is what the check reports."""

    def __init__(self, app: Flask, worker: str) -> None:
        self.app = app
        self.worker = worker[:64]
        self.host = host_name()
        self.pid = os.getpid()
        self.started_at = utcnow()
        self.interval = float(app.config.get("WORKER_HEARTBEAT_SECONDS", 30.0))
        self._last = float("-inf")

    def beat(self, failures: int = 0) -> None:
        if os.getpid() != self.pid:  # made before a fork (gunicorn --preload): a new worker
            self.pid, self.started_at, self._last = os.getpid(), utcnow(), float("-inf")
        if self.interval <= 0 or time.monotonic() - self._last < self.interval:
            return
        try:
            with self.app.app_context():
                self._write(failures)
            self._last = time.monotonic()
        except Exception as exc:  # noqa: BLE001 - a missing beat is the report, never a crash
            log.warning("%s: heartbeat not written: %s", self.worker, type(exc).__name__)

    def _write(self, failures: int) -> None:
        now = utcnow()
        stale = now - timedelta(seconds=max(STALE_FACTOR * self.interval, STALE_MIN_SECONDS))
        key = (
            (WorkerHeartbeat.worker == self.worker) & (WorkerHeartbeat.host == self.host)
        )
        with db.engine.begin() as connection:
            done = connection.execute(
                update(WorkerHeartbeat)
                .where(key, WorkerHeartbeat.pid == self.pid)
                .values(beat_at=now, failures=failures)
            ).rowcount
            if not done:
                connection.execute(
                    WorkerHeartbeat.__table__.insert().values(
                        worker=self.worker, host=self.host, pid=self.pid,
                        started_at=self.started_at, beat_at=now, failures=failures,
                    )
                )  # fmt: skip
                # this process replaces siblings that stopped beating (killed, never cleaned up)
                connection.execute(
                    delete(WorkerHeartbeat).where(
                        key, WorkerHeartbeat.pid != self.pid, WorkerHeartbeat.beat_at < stale
                    )
                )

    def stop(self) -> None:
        """A clean exit: this worker is no longer expected."""
        if self.interval <= 0:
            return
        try:
            with self.app.app_context(), db.engine.begin() as connection:
                connection.execute(
                    delete(WorkerHeartbeat).where(
                        WorkerHeartbeat.worker == self.worker,
                        WorkerHeartbeat.host == self.host,
                        WorkerHeartbeat.pid == self.pid,
                    )
                )
        except Exception as exc:  # noqa: BLE001 - the row then ages like a killed worker's
            log.warning("%s: heartbeat not removed: %s", self.worker, type(exc).__name__)


def freshest() -> dict[tuple[str, str], WorkerHeartbeat]:
    """Each (worker, host)'s freshest beat."""
    rows = db.session.scalars(select(WorkerHeartbeat)).all()
    best: dict[tuple[str, str], WorkerHeartbeat] = {}
    for row in rows:
        key = (row.worker, row.host)
        if key not in best or row.beat_at > best[key].beat_at:
            best[key] = row
    return best


def readiness() -> dict:
    """``/readyz``: ``"error"`` when some worker's freshest beat is older than the threshold.
    Public body: the count of workers and the oldest age, never host names or pids."""
    threshold = float(current_app.config.get("READY_WORKER_SILENCE_SECONDS", 300.0))
    now = utcnow()
    ages = [(now - row.beat_at).total_seconds() for row in freshest().values()]
    silent = sum(1 for age in ages if threshold > 0 and age > threshold)
    return {
        "status": "error" if silent else "ok",
        "workers": len(ages),
        "silent": silent,
        "oldest_beat_seconds": round(max(ages, default=0.0), 1),
        "threshold_seconds": threshold,
    }


def figures() -> dict:
    """``flask status`` (text per worker and host) and ``/metrics`` (the numbers)."""
    now = utcnow()
    values: dict = {}
    for (worker, host), row in sorted(freshest().items()):
        age = round((now - row.beat_at).total_seconds(), 1)
        values[f"{worker}@{host}"] = f"beat {age} s ago, pid {row.pid}, failures {row.failures}"
    return values
