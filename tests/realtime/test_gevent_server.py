"""The production server model for many readers: gunicorn ``-k gevent`` with
``SOCKETIO_ASYNC_MODE=gevent`` (README "Real-time"). The app runs in a real gunicorn gevent
worker — the standard library monkey-patched by the worker before the app is imported — on the
test's database (SQLite or PostgreSQL: psycopg 3 cooperates with gevent by itself from 3.1.14),
and a page, the API, a Socket.IO join with a live event, and a database write all work."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import socketio

from auth.accounts import create_api_token
from core.extensions import db
from forum.models import Post
from tests.support.workers import redis_url_or_skip

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _require_server_extra() -> None:
    missing = [name for name in ("gevent", "gunicorn") if importlib.util.find_spec(name) is None]
    if missing or not GUNICORN.exists():
        message = f"the server extra is not installed (pip install '.[server]'): {missing}"
        if os.environ.get("KYOSO_REQUIRE_SERVICES"):
            pytest.fail(message)
        pytest.skip(message)


@contextmanager
def gevent_worker(database_url: str, instance: Path, **config: str) -> Iterator[tuple[str, int]]:
    """``gunicorn -k gevent -w 1 "app:create_app()"`` configured through the environment, as the
    README runs it; yields its base URL and the pid of its worker process."""
    _require_server_extra()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "gevent-test",
           "INSTANCE_PATH": str(instance), "SITE_URL": f"http://127.0.0.1:{port}",
           "SOCKETIO_ASYNC_MODE": "gevent", "MODERATION_HOLD_FIRST_POSTS": "0",
           "MODERATION_DUPLICATE_MINUTES": "0", "RATELIMIT_STORAGE_URI": "memory://",
           **config}  # fmt: skip
    instance.mkdir(parents=True, exist_ok=True)
    with open(instance / "gunicorn.log", "wb") as log:
        process = subprocess.Popen(
            [str(GUNICORN), "-k", "gevent", "-w", "1", "--worker-connections", "1000",
             "-b", f"127.0.0.1:{port}", "--graceful-timeout", "3", "--log-level", "warning",
             "app:create_app()"],
            cwd=ROOT, env=env, stdout=log, stderr=log,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process, instance / "gunicorn.log")
        yield base, _worker_pid(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn not ready: {log.read_text(errors='replace')[-2000:]}")


def _worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def _threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError("no Threads line")


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def _reply(base: str, thread_id: int, token: str, body: str) -> dict:
    request = urllib.request.Request(
        f"{base}/api/v1/threads/{thread_id}/posts", data=json.dumps({"body": body}).encode(),
        method="POST", headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.load(response)


def _reader(base: str, thread_id: int):
    received: list[dict] = []
    arrived = threading.Event()
    client = socketio.Client(reconnection=False)

    @client.on("post_created")
    def _on_post(event):
        received.append(event)
        arrived.set()

    client.connect(base, transports=["websocket"], wait_timeout=10)
    assert client.call("join_thread", {"thread_id": thread_id}, timeout=10) == {
        "ok": True, "last_number": 1}  # fmt: skip
    return client, received, arrived


def test_gevent_server_page_api_socket_and_write(database_url, tmp_path, thread, user):
    token = create_api_token(user)
    db.session.commit()
    with gevent_worker(database_url, tmp_path / "instance", GC_FREEZE_SECONDS="0.2",
                       METRICS_ALLOW="127.0.0.1") as (base, worker):  # fmt: skip
        status, html = _get(f"{base}/t/{thread.id}")
        assert status == 200 and thread.title in html
        # the garbage-collection policy of gevent mode runs in the worker (core/gcpolicy.py)
        frozen = 0.0
        for _ in range(50):
            status, text = _get(f"{base}/metrics")
            frozen = float(re.search(r"^kyoso_gc_frozen_objects (\S+)$", text, re.M).group(1))
            if frozen > 0:
                break
            time.sleep(0.1)
        assert status == 200 and frozen > 0
        status, body = _get(f"{base}/api/v1/threads/{thread.id}/posts")
        assert status == 200 and [p["number"] for p in json.loads(body)["posts"]] == [1]
        readers = [_reader(base, thread.id) for _ in range(20)]
        try:
            # a socket holds greenlets, not threads (threading mode: about 4 threads each)
            assert _threads(worker) < 20
            post = _reply(base, thread.id, token, "geventのワーカーからの返信です。")
            for _client, received, arrived in readers:
                assert arrived.wait(10), "a reader never got the live event"
                assert received == [{"thread_id": thread.id, "post_id": post["id"],
                                     "number": 2, "kind": "post_created"}]  # fmt: skip
        finally:
            for client, _received, _arrived in readers:
                client.disconnect()
    db.session.expire_all()
    saved = db.session.get(Post, post["id"])
    assert saved is not None and saved.number == 2 and "geventのワーカー" in saved.body_source


@pytest.mark.redis
def test_gevent_servers_share_events_through_redis(database_url, tmp_path, thread, user):
    """Two gevent workers, one message queue: a reply posted to B reaches a reader on A."""
    queue = {"SOCKETIO_MESSAGE_QUEUE": redis_url_or_skip(),
             "SOCKETIO_CHANNEL": f"kyoso-test-{uuid.uuid4().hex}"}  # fmt: skip
    token = create_api_token(user)
    db.session.commit()
    with (
        gevent_worker(database_url, tmp_path / "a", **queue) as (worker_a, _pid_a),
        gevent_worker(database_url, tmp_path / "b", **queue) as (worker_b, _pid_b),
    ):
        client, received, arrived = _reader(worker_a, thread.id)
        try:
            post = _reply(worker_b, thread.id, token, "プロセスBからの返信です。")
            assert arrived.wait(10), "the event never reached the reader on worker A"
            assert [e["post_id"] for e in received] == [post["id"]]
        finally:
            client.disconnect()


def test_gevent_mode_falls_back_to_threads_without_monkey_patching(database_url, tmp_path):
    """In a process gevent has not patched (a ``flask`` command, a worker, a server started
    without gevent's worker) gevent mode would block on every socket read: threading is used.
    The operator sets SOCKETIO_ASYNC_MODE once for every process, as the README asks."""
    from flask_socketio import SocketIO

    from tests.fixtures.app import make_test_app

    app = make_test_app(database_url, tmp_path, SOCKETIO_ASYNC_MODE="gevent")
    socketio = next(e for e in app.extensions.values() if isinstance(e, SocketIO))
    assert socketio.async_mode == "threading"
    with app.app_context():
        try:
            assert app.test_cli_runner().invoke(args=["status"]).exit_code in (0, 1)  # it starts
        finally:
            db.session.remove()
            db.engine.dispose()  # no pooled connection left for the collector to find open
    with pytest.raises(RuntimeError, match="SOCKETIO_ASYNC_MODE must be one of"):
        make_test_app(database_url, tmp_path, SOCKETIO_ASYNC_MODE="eventlet")
