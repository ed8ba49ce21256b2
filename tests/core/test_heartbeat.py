"""Worker heartbeats (issue #17 item 5): a background loop with an application writes one row per
worker, host and process; ``/readyz``, ``flask status`` and ``/metrics`` tell a worker that went
silent (killed, hung) from one that is idle, and one stopped cleanly is no longer expected."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core import background, heartbeat
from core.background import BackgroundLoop
from core.extensions import db
from core.heartbeat import WorkerHeartbeat
from core.types import utcnow

NO_REDIS = {"REDIS_URL": "", "SOCKETIO_MESSAGE_QUEUE": "", "RATELIMIT_STORAGE_URI": "memory://"}
FAST = {**NO_REDIS, "WORKER_HEARTBEAT_SECONDS": 0.05, "READY_WORKER_SILENCE_SECONDS": 60.0,
        "METRICS_TOKEN": "metrics-token-0123456789"}  # fmt: skip


@dataclass(frozen=True)
class Row:
    worker: str
    host: str
    pid: int
    beat_at: object
    failures: int


def _rows() -> list[Row]:
    """The rows as plain values (read before the rollback: the worker thread may delete one
    right after, and an expired object would then fail to load)."""
    db.session.expire_all()
    rows = [Row(r.worker, r.host, r.pid, r.beat_at, r.failures)
            for r in db.session.scalars(select(WorkerHeartbeat))]  # fmt: skip
    db.session.rollback()
    return rows


def _wait(predicate, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def _start(app, name: str, step) -> tuple[BackgroundLoop, threading.Thread]:
    loop = BackgroundLoop(name, step, app=app, poll_seconds=0.02, min_backoff=0.02)
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    return loop, thread


@pytest.mark.parametrize("app_config", [FAST], indirect=True)
def test_heartbeat_is_written_while_the_worker_idles_and_removed_on_a_clean_stop(app, client):
    loop, thread = _start(app, "test worker", lambda: None)
    try:
        assert _wait(lambda: len(_rows()) == 1), "no heartbeat was written"
        row = _rows()[0]
        assert (row.worker, row.host, row.pid) == ("test worker", heartbeat.host_name(), os.getpid())
        first = row.beat_at
        assert _wait(lambda: _rows()[0].beat_at > first), "an idle worker stopped beating"
        body = client.get("/readyz").get_json()
        assert body["checks"]["workers"]["status"] == "ok"
        assert body["checks"]["workers"]["workers"] == 1
        assert heartbeat.host_name() not in str(body) and str(os.getpid()) not in str(body)
    finally:
        loop.stop()
        thread.join(10)
    assert _rows() == []  # stopped on purpose: no longer expected
    assert client.get("/readyz").get_json()["checks"]["workers"]["workers"] == 0


@pytest.mark.parametrize("app_config", [FAST], indirect=True)
def test_a_silent_worker_makes_the_site_not_ready(app, client):
    """A killed worker leaves its row: once it is older than the limit, /readyz is 503,
    ``flask status`` says which worker, and /metrics carries its age."""
    now = utcnow()
    db.session.add(WorkerHeartbeat(worker="search worker", host="web-1", pid=4242,
                                   started_at=now - timedelta(hours=1),
                                   beat_at=now - timedelta(seconds=600), failures=0))  # fmt: skip
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    check = response.get_json()["checks"]["workers"]
    assert check["status"] == "error" and check["silent"] == 1
    assert check["oldest_beat_seconds"] >= 600
    assert "web-1" not in response.get_data(as_text=True)  # the public body names no host

    result = app.test_cli_runner().invoke(args=["status"])
    assert result.exit_code == 1
    assert "search worker@web-1" in result.output and "pid 4242" in result.output

    metrics = client.get("/metrics", headers={"Authorization": "Bearer metrics-token-0123456789"})
    text = metrics.get_data(as_text=True)
    line = next(x for x in text.splitlines()
                if x.startswith("kyoso_worker_heartbeat_age_seconds{"))  # fmt: skip
    assert 'worker="search worker"' in line and float(line.rsplit(" ", 1)[1]) >= 600
    assert 'kyoso_ready{check="workers"} 0.0' in text


@pytest.mark.parametrize("app_config", [FAST], indirect=True)
def test_a_new_process_replaces_its_killed_sibling(app, client):
    """The worker restarted on the same host removes the row its killed predecessor left."""
    now = utcnow()
    db.session.add(WorkerHeartbeat(worker="test worker", host=heartbeat.host_name(), pid=1,
                                   started_at=now - timedelta(hours=1),
                                   beat_at=now - timedelta(seconds=600), failures=3))  # fmt: skip
    db.session.commit()
    assert client.get("/readyz").status_code == 503
    loop, thread = _start(app, "test worker", lambda: None)
    try:
        assert _wait(lambda: [r.pid for r in _rows()] == [os.getpid()]), [r.pid for r in _rows()]
        assert client.get("/readyz").status_code == 200
    finally:
        loop.stop()
        thread.join(10)


@pytest.mark.parametrize("app_config", [FAST], indirect=True)
def test_a_failing_worker_still_beats_and_reports_its_failures(app):
    """Alive but failing (the database answers, the step does not): the beat carries the count
    of consecutive failures, which ``flask status`` shows."""

    def step():
        raise RuntimeError("boom")

    loop, thread = _start(app, "failing worker", step)
    try:
        assert _wait(lambda: bool(_rows()) and _rows()[0].failures >= 2)
        assert "failures" in app.test_cli_runner().invoke(args=["status"]).output
    finally:
        loop.stop()
        thread.join(10)


@pytest.mark.parametrize("app_config", [{**FAST, "WORKER_HEARTBEAT_SECONDS": 0.0}], indirect=True)
def test_heartbeats_can_be_turned_off(app):
    loop, thread = _start(app, "quiet worker", lambda: None)
    try:
        time.sleep(0.3)
        assert _rows() == []
    finally:
        loop.stop()
        thread.join(10)


@pytest.mark.parametrize("app_config", [FAST], indirect=True)
def test_a_heartbeat_that_cannot_be_written_never_stops_the_worker(app, monkeypatch):
    steps = {"n": 0}

    def step():
        steps["n"] += 1

    def broken(self, failures):
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(heartbeat.Heartbeat, "_write", broken)
    loop, thread = _start(app, "test worker", step)
    try:
        assert _wait(lambda: steps["n"] >= 5)
        assert thread.is_alive() and loop.failures == 0
    finally:
        background.stop_all()
        thread.join(10)


@pytest.mark.parametrize("app_config", [FAST], indirect=True)
def test_the_silence_limit_zero_reports_without_failing(app, client):
    app.config["READY_WORKER_SILENCE_SECONDS"] = 0.0
    now = utcnow()
    db.session.add(WorkerHeartbeat(worker="w", host="h", pid=1, started_at=now,
                                   beat_at=now - timedelta(days=1), failures=0))  # fmt: skip
    db.session.commit()
    check = client.get("/readyz").get_json()["checks"]["workers"]
    assert check["status"] == "ok" and check["oldest_beat_seconds"] >= 86400
    db.session.execute(update(WorkerHeartbeat).values(beat_at=now))
    db.session.commit()
