"""Scale-out: two server processes share events through a Redis message queue. A client
connected to worker A sees a reply posted through worker B."""

from __future__ import annotations

import json
import threading
import urllib.request
import uuid

import pytest
import socketio

from auth.accounts import create_api_token
from core.extensions import db
from tests.support.workers import redis_url_or_skip, worker_processes


def _reply(base: str, thread_id: int, token: str, body: str) -> dict:
    request = urllib.request.Request(
        f"{base}/api/v1/threads/{thread_id}/posts", data=json.dumps({"body": body}).encode(),
        method="POST", headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _listen(base: str, thread_id: int):
    received: list[dict] = []
    arrived = threading.Event()
    client = socketio.Client(reconnection=False)

    @client.on("post_created")
    def _on_post(event):
        received.append(event)
        arrived.set()

    client.connect(base, transports=["websocket"], wait_timeout=10)
    assert client.call("join_thread", {"thread_id": thread_id}, timeout=10)["ok"] is True
    return client, received, arrived


@pytest.mark.redis
def test_multiprocess_reply_through_b_reaches_client_on_a(database_url, tmp_path, thread, user):
    config = {"SOCKETIO_MESSAGE_QUEUE": redis_url_or_skip(),
              "SOCKETIO_CHANNEL": f"kyoso-test-{uuid.uuid4().hex}"}  # fmt: skip
    token = create_api_token(user)
    db.session.commit()
    with worker_processes(database_url, tmp_path, config) as (worker_a, worker_b):
        client, received, arrived = _listen(worker_a, thread.id)
        try:
            post = _reply(worker_b, thread.id, token, "プロセスBからの返信")
            assert arrived.wait(10), "the event never reached the client on worker A"
            assert received == [{"thread_id": thread.id, "post_id": post["id"], "number": 2,
                                 "kind": "post_created"}]  # fmt: skip
        finally:
            client.disconnect()


def test_multiprocess_without_queue_events_stay_in_their_process(
    database_url, tmp_path, thread, user
):
    """Control: without a message queue, worker A's clients do not hear about B's posts."""
    token = create_api_token(user)
    db.session.commit()
    with worker_processes(database_url, tmp_path, {}) as (worker_a, worker_b):
        client, received, arrived = _listen(worker_a, thread.id)
        try:
            _reply(worker_b, thread.id, token, "届かない返信")
            assert not arrived.wait(1.5)
            _reply(worker_a, thread.id, token, "届く返信")
            assert arrived.wait(10)
            assert [e["number"] for e in received] == [3]
        finally:
            client.disconnect()
