"""The long-running worker commands (``notifications process --loop``, ``search worker``) outlive a
database error: it is logged, the loop backs off (bounded) and carries on with the next round.

The error is raised by the step's own function once (a monkeypatched function raising the
``OperationalError`` a dropped connection gives: what matters here is the loop around it; the
database's side of a dropped connection is tested in tests/core/test_database_faults.py)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from core import background
from core.extensions import db
from notifications import worker
from notifications.models import JOB_DONE, NotificationJob
from search import cli as search_cli
from search import indexer

FAST = {"NOTIFICATION_POLL_SECONDS": 0.05, "SEARCH_POLL_SECONDS": 0.05}


def _fail_once(real):
    calls = {"n": 0}

    def wrapped(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("SELECT …", {}, Exception("server closed the connection"))
        return real(*args, **kwargs)

    return wrapped, calls


def _run_in_thread(app, args):
    result: dict = {}

    def run():  # as ``flask`` runs a command: in an application context of its own
        with app.app_context():
            result["result"] = app.test_cli_runner().invoke(args=args)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def _wait(predicate, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("app_config", [FAST], indirect=True)
def test_notifications_process_loop_survives_a_database_error(app, monkeypatch, thread_factory,
                                                               user_factory, caplog):  # fmt: skip
    failing, calls = _fail_once(worker.run_once)
    monkeypatch.setattr(worker, "run_once", failing)
    thread, result = _run_in_thread(app, ["notifications", "process", "--loop"])
    try:
        assert _wait(lambda: calls["n"] >= 2), "the loop did not run again after the error"
        assert thread.is_alive()
        thread_factory(author=user_factory())  # a job written after the error

        def done() -> bool:
            db.session.expire_all()
            statuses = set(db.session.scalars(select(NotificationJob.status)))
            db.session.rollback()
            return statuses == {JOB_DONE}

        assert _wait(done), "the next job was not processed"
    finally:
        background.stop_all()
        thread.join(10)
    assert not thread.is_alive()
    assert result["result"].exit_code == 0
    assert "notifications process failed; retrying" in caplog.text


@pytest.mark.parametrize("app_config", [FAST], indirect=True)
def test_search_worker_survives_a_database_error(app, monkeypatch, thread_factory, caplog):
    failing, calls = _fail_once(indexer.apply_pending)
    monkeypatch.setattr(indexer, "apply_pending", failing)
    thread, result = _run_in_thread(app, ["search", "worker"])
    try:
        assert _wait(lambda: calls["n"] >= 2), "the loop did not run again after the error"
        thread_factory(title="雪かきの担い手", body="本文")

        def indexed() -> bool:
            # what ``search status --json`` prints, read directly: click's test runner swaps the
            # process-wide stdout, so the worker thread's own log lines would land in a second
            # runner's output (CI once read "applied 2 rows …" before the JSON)
            status = search_cli.status_data()
            db.session.rollback()
            return status["state"] == "ok" and status["pending_rows"] == 0

        assert _wait(indexed), "the next post was not indexed"
    finally:
        background.stop_all()
        thread.join(10)
    assert not thread.is_alive()
    assert result["result"].exit_code == 0
    assert "search worker failed; retrying" in caplog.text


def test_background_loop_backoff_is_bounded():
    """1 → 2 → 4 … seconds after consecutive failures, never more than ``max_backoff``."""
    loop = background.BackgroundLoop("t", lambda: None, poll_seconds=1.0, max_backoff=30.0)
    assert [loop.backoff(n) for n in (1, 2, 3, 5, 6, 20)] == [1.0, 2.0, 4.0, 16.0, 30.0, 30.0]
