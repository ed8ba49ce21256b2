"""Gap-free live updates with the real python-socketio client against a live server: the
connection is cut while replies are being posted; after reconnecting, the client catches up
through the REST API with no duplicates and no holes (the protocol static/js/live.js follows)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import urllib.request

import pytest
import socketio

from auth.accounts import create_api_token
from core.extensions import db


class CatchUpClient:
    """Knows the last post number it has; on every post_created and on every (re)connect it
    fetches ``/api/v1/threads/<id>/posts?after=<last>``."""

    def __init__(self, base: str, thread_id: int, last_number: int) -> None:
        self.base, self.thread_id, self.last = base, thread_id, last_number
        self.numbers: list[int] = []
        self.connects = 0
        self.joins = 0
        self.cuts = 0
        self._dropped: list[socket.socket] = []
        self._fetch_lock = threading.Lock()
        self.sio = socketio.Client(reconnection_delay=0.1, reconnection_delay_max=0.3)
        self.sio.on("connect", self._on_connect)
        self.sio.on("post_created", self._on_post_created)

    def _on_connect(self) -> None:
        self.connects += 1
        self.sio.emit("join_thread", {"thread_id": self.thread_id}, callback=self._on_joined)

    def _on_joined(self, ack: dict) -> None:
        if ack.get("ok"):
            self.joins += 1
        if ack.get("ok") and ack["last_number"] > self.last:
            threading.Thread(target=self.catch_up, daemon=True).start()

    def _on_post_created(self, event: dict) -> None:
        if event["number"] > self.last:
            threading.Thread(target=self.catch_up, daemon=True).start()

    def catch_up(self) -> None:
        with self._fetch_lock:
            url = f"{self.base}/api/v1/threads/{self.thread_id}/posts?after={self.last}&limit=200"
            with urllib.request.urlopen(url, timeout=10) as response:
                posts = json.load(response)["posts"]
            for post in posts:
                if post["number"] > self.last:
                    self.numbers.append(post["number"])
                    self.last = post["number"]

    def cut_connection(self, timeout: float = 15.0) -> None:
        """Drop the TCP connection under the client's feet, as a network change or a sleeping
        laptop would: no close handshake.

        Every cut drops a live connection: it first waits (bounded) until the client is back
        and has rejoined the thread after the previous cut. Reconnecting takes a randomised
        0.1–0.6 s (more on a loaded machine), and until then ``eio.ws`` is still the socket the
        previous cut dropped; shutting that down again would count a cut that never happened."""
        back = _wait_for(lambda: self.sio.connected and self.joins == self.cuts + 1, timeout)
        assert back, f"not reconnected within {timeout}s after cut {self.cuts}: {self.joins=}"
        ws = self.sio.eio.ws
        assert ws is not None and ws.sock is not None and ws.sock not in self._dropped
        self._drop(ws.sock)
        self.cuts += 1

    def _drop(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        self._dropped.append(sock)  # closed in close(): the client forgets it

    def close(self) -> None:
        self.sio.reconnection = False
        ws = self.sio.eio.ws
        if ws is not None and ws.sock is not None and ws.sock not in self._dropped:
            self._drop(ws.sock)
        self.sio.disconnect()
        for sock in self._dropped:
            sock.close()


def _post_replies(base: str, thread_id: int, token: str, count: int, cut_after: int, cut) -> None:
    for i in range(count):
        body = json.dumps({"body": f"連続投稿 {i + 1}"}).encode()
        request = urllib.request.Request(
            f"{base}/api/v1/threads/{thread_id}/posts", data=body, method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )  # fmt: skip
        urllib.request.urlopen(request, timeout=10).close()
        if i + 1 == cut_after:
            cut()
        time.sleep(0.02)


def _wait_for(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.parametrize("cuts", [1, 3])
def test_live_catch_up_after_cut_connection_has_no_gaps(live_server, thread_factory, user, cuts):
    thread = thread_factory(author=user)
    token = create_api_token(user)
    db.session.commit()
    reader = CatchUpClient(live_server, thread.id, last_number=1)
    reader.sio.connect(live_server, transports=["websocket"], wait_timeout=10)
    try:
        total = 30
        for _round in range(cuts):
            _post_replies(live_server, thread.id, token, total // cuts, cut_after=3,
                          cut=reader.cut_connection)  # fmt: skip
        expected = list(range(2, 2 + (total // cuts) * cuts))
        assert _wait_for(lambda: reader.last == expected[-1]), (reader.last, reader.numbers)
        assert reader.numbers == expected  # in order, no duplicate, no hole
        assert reader.cuts == cuts  # each cut dropped a live connection
        # ... and the client came back and rejoined after each one (the last reconnect may
        # still be under way once every post has arrived through post_created)
        assert _wait_for(lambda: reader.joins == cuts + 1), (reader.connects, reader.joins, cuts)
        assert reader.connects == cuts + 1
    finally:
        reader.close()
