"""Kyoso's mixed load for Locust (issue #17 item 2). Run by ``bench/load.py``, which prepares the
accounts and threads (``setup.json``) and runs Locust headless in its own virtual environment
(Locust monkey-patches the standard library with gevent; the app's own venv stays as it is).

Users, by weight:

* ``Reader`` — a visitor reading: the home page, a board, a thread page, the listings of cases
  and events, the calendar, and a search (one or two Japanese words).
* ``ApiWriter`` — a member writing through the API with a token: replies, now and then a new
  thread; a share of the replies go to the *hot* thread that the live readers sit in.
* ``FormWriter`` — a member writing through the web forms (signs in once, then replies with the
  form's CSRF token, as a browser does). Kept few: ``PER_ADDRESS_POSTING`` (120 a minute) counts
  every form post from this one address.
* ``Flagger`` — a member flagging a post now and then (the moderation queue's write path).
* ``LiveReader`` — a Socket.IO client in the hot thread's room (and its board's); on each
  ``post_created`` it fetches the new posts (``/api/v1/threads/<id>/posts?after=N``) as the page's
  script does: every hot reply makes a burst of reads. Delivery latency — from just before the
  writer's POST to the event's arrival (one process, one clock) — is reported as the request
  type ``SIO`` named ``post_created delivered``; events never delivered are counted at the end
  (``lost``) in ``live.json`` beside Locust's CSV files.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import re
import time
from pathlib import Path

import socketio
from locust import HttpUser, between, events, task
from requests.adapters import HTTPAdapter

SETUP = json.loads(Path(os.environ["KYOSO_LOAD_SETUP"]).read_text(encoding="utf-8"))
OUT = Path(os.environ.get("KYOSO_LOAD_OUT", "."))
HOT_SHARE = float(os.environ.get("KYOSO_LOAD_HOT_SHARE", "0.3"))
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
WORDS = ["見守り", "買い物", "移動支援", "居場所", "協議体", "認知症カフェ", "配食", "防災", "ボランティア",
         "商店街", "郵便局", "サロン", "送迎", "空き家", "交流"]  # fmt: skip

#: (thread_id, number) → time just before the POST that made it (hot thread only)
SENT: dict[tuple[int, int], float] = {}
#: events that arrived before their writer had read its response: key → arrival times
EARLY: dict[tuple[int, int], list[float]] = {}
#: each live reader's received keys, for the lost count at the end
LIVE_READERS: list[LiveReader] = []
#: kept out of Locust's table (its "Aggregated" row would mix them into the HTTP percentiles)
TIMINGS: dict[str, list[float]] = {"post_created delivered": [], "connect + join": []}
ERRORS: dict[str, int] = {}
STATE = {"stopping": False}


def _fire(name: str, ms: float, exc: Exception | None = None) -> None:
    if exc is not None:
        ERRORS[f"{name}: {type(exc).__name__}"] = ERRORS.get(f"{name}: {type(exc).__name__}", 0) + 1
        return
    TIMINGS[name].append(ms)


def _percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    if not ordered:
        return {"n": 0}

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"n": len(ordered), "p50": at(0.50), "p95": at(0.95), "p99": at(0.99),
            "max": round(ordered[-1], 1)}  # fmt: skip


def _sent(thread_id: int, number: int, started: float) -> None:
    key = (thread_id, number)
    SENT[key] = started
    for arrived in EARLY.pop(key, []):
        _fire("post_created delivered", (arrived - started) * 1000)


def _body(kind: str) -> str:
    return (f"{random.choice(WORDS)}について、{kind}からの書き込みです。"
            f"地域の{random.choice(WORDS)}と{random.choice(WORDS)}の取り組みを共有します。"
            f"（負荷試験 {random.randrange(10**9)}）")  # fmt: skip


class Reader(HttpUser):
    weight = int(os.environ.get("KYOSO_LOAD_READERS", "6"))
    wait_time = between(1, 3)

    def on_start(self):
        _own_address(self)

    @task(3)
    def thread_page(self):
        thread_id = random.choice(SETUP["thread_ids"])
        self.client.get(f"/t/{thread_id}", name="/t/[id]")

    @task(2)
    def board(self):
        self.client.get(f"/b/{random.choice(SETUP['board_slugs'])}", name="/b/[slug]")

    @task(1)
    def home(self):
        self.client.get("/", name="/")

    @task(1)
    def cases(self):
        self.client.get("/cases", name="/cases")

    @task(1)
    def events_list(self):
        self.client.get("/events", name="/events")

    @task(1)
    def calendar(self):
        self.client.get("/events/calendar", name="/events/calendar")

    @task(1)
    def search(self):
        words = random.sample(WORDS, random.choice((1, 2)))
        self.client.get("/search", params={"q": " ".join(words)},
                        name=f"/search ({len(words)} word{'s' if len(words) > 1 else ''})")  # fmt: skip


_ACCOUNTS = itertools.count()
_ADDRESSES = itertools.count(1)


class _SourceAddress(HTTPAdapter):
    """Connections from one loopback address of this simulated visitor's own (127.0.x.y): the
    site's per-address limits and the proxy's sticky hash see many visitors, as they would,
    not one load generator."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def _own_address(user: HttpUser) -> None:
    n = next(_ADDRESSES)
    adapter = _SourceAddress(f"127.0.{n // 250 % 250}.{n % 250 + 2}")
    user.client.mount("http://", adapter)


class _Member(HttpUser):
    abstract = True

    def on_start(self):
        _own_address(self)
        # one account per simulated member (the per-member limit, 20 a minute, is per account)
        self.account = SETUP["writers"][next(_ACCOUNTS) % len(SETUP["writers"])]
        self.headers = {"Authorization": f"Bearer {self.account['token']}"}


class ApiWriter(_Member):
    weight = int(os.environ.get("KYOSO_LOAD_API_WRITERS", "2"))
    wait_time = between(2, 6)

    @task(8)
    def reply(self):
        hot = random.random() < HOT_SHARE
        thread_id = SETUP["hot_thread_id"] if hot else random.choice(SETUP["thread_ids"])
        started = time.time()
        with self.client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": _body("API")},
                              headers=self.headers, name="POST /api/v1/threads/[id]/posts",
                              catch_response=True) as response:  # fmt: skip
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            if hot:
                _sent(thread_id, int(response.json()["number"]), started)

    @task(1)
    def new_thread(self):
        slug = random.choice(SETUP["board_slugs"])
        with self.client.post(f"/api/v1/boards/{slug}/threads",
                              json={"title": f"{random.choice(WORDS)}の相談 {random.randrange(10**6)}",
                                    "body": _body("API")},
                              headers=self.headers, name="POST /api/v1/boards/[slug]/threads",
                              catch_response=True) as response:  # fmt: skip
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")


class FormWriter(_Member):
    weight = int(os.environ.get("KYOSO_LOAD_FORM_WRITERS", "1"))
    wait_time = between(4, 8)

    def on_start(self):
        super().on_start()
        page = self.client.get("/login", name="/login")
        token = CSRF_RE.search(page.text).group(1)
        with self.client.post("/login", data={"csrf_token": token, "email": self.account["email"],
                                              "password": SETUP["password"]},
                              name="POST /login", allow_redirects=False,
                              catch_response=True) as response:  # fmt: skip
            if response.status_code not in (302, 303):
                response.failure(f"sign-in failed: {response.status_code}")

    @task
    def reply(self):
        hot = random.random() < HOT_SHARE
        thread_id = SETUP["hot_thread_id"] if hot else random.choice(SETUP["thread_ids"])
        form = self.client.get(f"/t/{thread_id}/reply", name="/t/[id]/reply")
        match = CSRF_RE.search(form.text)
        if match is None:
            return
        started = time.time()
        with self.client.post(f"/t/{thread_id}/reply",
                              data={"csrf_token": match.group(1), "body": _body("フォーム"),
                                    "submit": "返信する"},
                              name="POST /t/[id]/reply", allow_redirects=False,
                              catch_response=True) as response:  # fmt: skip
            if response.status_code not in (302, 303):
                response.failure(f"{response.status_code}")
                return
            number = re.search(r"#p?(\d+)$", response.headers.get("Location", ""))
            if hot and number:
                _sent(thread_id, int(number.group(1)), started)


class Flagger(_Member):
    weight = int(os.environ.get("KYOSO_LOAD_FLAGGERS", "1"))
    wait_time = between(10, 20)

    @task
    def flag(self):
        post_id = random.choice(SETUP["flaggable_post_ids"])
        with self.client.post(f"/api/v1/posts/{post_id}/flags",
                              json={"reason": "off_topic", "message": "負荷試験の通報です"},
                              headers=self.headers, name="POST /api/v1/posts/[id]/flags",
                              catch_response=True) as response:  # fmt: skip
            # a second flag on the same post by the same member is refused: not an error here
            if response.status_code in (201, 200, 409):
                response.success()
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")


class LiveReader(HttpUser):
    weight = int(os.environ.get("KYOSO_LOAD_LIVE", "3"))
    wait_time = between(5, 10)

    def on_start(self):
        _own_address(self)  # its fetches (the socket itself connects from 127.0.0.1)
        self.received: set[tuple[int, int]] = set()
        self.joined_at = time.time()
        self.last_number = 0
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.5)
        self.sio.on("post_created", self._on_post_created)
        started = time.time()
        try:
            self.sio.connect(self.host, transports=["websocket"], wait_timeout=10)
            ack = self.sio.call("join_thread", {"thread_id": SETUP["hot_thread_id"]}, timeout=10)
            self.last_number = int(ack.get("last_number") or 0)
            self.sio.call("join_board", {"board": SETUP["hot_board_slug"]}, timeout=10)
            _fire("connect + join", (time.time() - started) * 1000)
        except Exception as exc:  # noqa: BLE001 - reported as a failed request
            _fire("connect + join", (time.time() - started) * 1000, exc)
            return
        self.joined_at = time.time()
        LIVE_READERS.append(self)

    def _on_post_created(self, data):
        now = time.time()
        key = (int(data["thread_id"]), int(data["number"]))
        if key in self.received:
            return
        self.received.add(key)
        if key in SENT:
            _fire("post_created delivered", (now - SENT[key]) * 1000)
        else:
            EARLY.setdefault(key, []).append(now)
        # what the thread page's script does: fetch what is new (a burst after a hot reply)
        after = self.last_number
        self.last_number = max(self.last_number, key[1])
        self.client.get(f"/api/v1/threads/{key[0]}/posts",
                        params={"after": after, "include": "fragment"},
                        name="/api/v1/threads/[id]/posts?after= (live)")  # fmt: skip

    @task
    def idle(self):
        pass  # the reader only listens

    def on_stop(self):
        with contextlib.suppress(Exception):  # ending the run
            self.sio.disconnect()


@events.quitting.add_listener
def _report(environment, **_kwargs):
    """Deliveries to the live readers: each hot reply sent while a reader was in the room (and
    at least 5 s before the end) should have reached it."""
    end = time.time() - 5
    expected = lost = 0
    for reader in LIVE_READERS:
        for key, sent_at in SENT.items():
            if reader.joined_at < sent_at < end:
                expected += 1
                lost += key not in reader.received
    report = {"live_readers": len(LIVE_READERS), "hot_replies": len(SENT),
              "deliveries_expected": expected, "lost": lost, "errors": ERRORS,
              **{name: _percentiles(values) for name, values in TIMINGS.items()}}  # fmt: skip
    (OUT / "live.json").write_text(json.dumps(report), encoding="utf-8")
