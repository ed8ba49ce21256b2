"""Faults injected into a running Kyoso cluster under load, with invariants after each (#17).

    .venv/bin/python bench/faults.py [--web 2] [--only web,redis,database,indexer] [--writers 4]

Starts its own cluster (``bench/cluster.py``: PostgreSQL database ``kyoso_faults``, its own
Redis, N gunicorn behind nginx, the search and notification workers), creates writers (members
with API tokens), a thread, watchers of it, and then, for each fault in turn:

- writer threads post replies through nginx as real members would (each from its own loopback
  address, so nginx's sticky hash spreads them and each has its own per-address limit), and
  record every acknowledged post (201: id and body) and every write whose outcome they could not
  know (connection lost, 502/503/504);
- live readers (python-socketio clients through nginx) join the thread, keep the last post
  number they have, and after each event or reconnect fetch ``?after=<last>`` — as the site's
  own script does; a reader whose connection drops reconnects (through nginx: to another process);
- the fault is injected, the load runs on for a while, then stops, and the invariants are
  checked: every acknowledged post exists exactly once (with its number), every uncertain write
  at most once, nothing else was written; post numbers are 1..N without holes; thread and board
  counters equal a recount; each reader saw every post; the search index equals the database
  (once the indexer has caught up); every watcher's notification counts each post once, and
  each immediate e-mail is in the outbox once.

The faults: ``web`` (kill -9 the gunicorn process the readers are on, mid-write, then start it
again), ``redis`` (kill and restart the cluster's own Redis), ``database`` (terminate every
backend of the cluster's database with pg_terminate_backend, twice: the machine's PostgreSQL is
shared and is not restarted), ``indexer`` (kill -9 ``search worker`` mid-batch, start it again),
``notify`` (kill -9 ``notifications process --loop`` mid-fan-out, start it again), ``disk``
(a 2 MiB tmpfs mounted on the attachment folder and filled; an upload through the form is
refused with the Japanese message, and stored once space is freed; needs root). ``none`` is
the control: the load without a fault.

The writers, readers and checks are also used by ``tests/ops/test_cluster_faults.py``.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import http.client
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: bench/ is sys.path[0]
    sys.path.insert(0, str(ROOT))

import socketio  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from bench.cluster import Cluster, wait_until  # noqa: E402

#: statuses after which a write may or may not have been committed (the client cannot know)
UNCERTAIN = {None, 500, 502, 503, 504}


# --- HTTP as a client -----------------------------------------------------------------------
def request(url: str, method: str = "GET", body: dict | None = None, token: str = "",
            source: str | None = None, timeout: float = 15.0) -> tuple[int | None, dict]:  # fmt: skip
    """One request on a new connection; (status, JSON) or (None, {"error": …}) when the
    connection failed. ``source``: the local address to send from (127.0.0.x)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout,
                                      source_address=(source, 0) if source else None)  # fmt: skip
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), data, headers)
        response = conn.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw) if raw else {}
        except ValueError:
            return response.status, {"text": raw[:200].decode(errors="replace")}
    except OSError as error:
        return None, {"error": repr(error)}
    finally:
        conn.close()


# --- the site's content for the run ---------------------------------------------------------
@dataclass
class Scene:
    thread_id: int
    board_id: int
    tokens: list[str]
    watcher_ids: list[int]
    tag: str = ""
    #: every write of the run so far: body -> (post id, number) when acknowledged; bodies whose
    #: outcome the writer could not know
    acked: dict = field(default_factory=dict)
    uncertain: set = field(default_factory=set)

    def record(self, writers: Writers) -> None:
        self.acked.update(writers.acked)
        self.uncertain |= writers.uncertain


def checker_app(cluster: Cluster):
    """An app on the cluster's database for setting up and checking (no workers of its own)."""
    from app import create_app

    env = cluster.env()
    keys = ("DATABASE_URL", "SECRET_KEY", "SITE_URL", "TRUSTED_HOSTS", "INSTANCE_PATH")
    return create_app({**{k: env[k] for k in keys}, "SEARCH_INDEXER": "off",
                       "NOTIFICATION_WORKER": "off", "RATELIMIT_STORAGE_URI": "memory://",
                       "SOCKETIO_EMIT_IN_BACKGROUND": False})  # fmt: skip


def close_app(app) -> None:
    """Give back the checker app's database connections (before its database is dropped)."""
    from core.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def prepare(app, *, writers: int = 8, watchers: int = 20, tag: str = "") -> Scene:
    """Members who write (each with an API token), a thread, and members watching it who get
    each post by e-mail at once."""
    from auth import accounts
    from core.extensions import db
    from forum import posting
    from forum.models import Board
    from notifications import kinds, watching
    from notifications.models import WATCHING

    tag = tag or uuid.uuid4().hex[:6]
    fast = "pbkdf2:sha256:1000"

    def member(name: str):
        return accounts.register_user(
            email=f"{name}@faults.example.jp", handle=name, display_name=f"障害試験{name[-6:]}",
            password="faults-password-2026", role="member", email_confirmed=True,
            password_hash=_hash(fast), terms_version=app.config["TERMS_VERSION"],
        )  # fmt: skip

    with app.app_context():
        board = db.session.scalar(select(Board).where(Board.slug == "zentai"))
        opener = member(f"op{tag}")
        thread = posting.create_thread(board=board, author=opener, title="障害試験のスレッド",
                                       body="障害を起こしながら返信を書き込みます。")  # fmt: skip
        tokens = []
        for i in range(writers):
            tokens.append(accounts.create_api_token(member(f"w{tag}{i}")))
        watcher_ids = []
        for i in range(watchers):
            user = member(f"r{tag}{i}")
            watching.set_level(user, "thread", thread.id, WATCHING)
            watching.save_settings(user, email_modes={kinds.POSTED: kinds.IMMEDIATE},
                                   auto_watch_start=WATCHING, auto_watch_reply=WATCHING)  # fmt: skip
            db.session.flush()
            watcher_ids.append(user.id)
        db.session.commit()
        scene = Scene(thread.id, board.id, tokens, watcher_ids, tag)
        db.session.remove()
    return scene


def _hash(method: str) -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash("faults-password-2026", method=method)


# --- load -----------------------------------------------------------------------------------
class Writers:
    """``count`` threads posting replies through ``urls`` (the next URL after a failed
    connection). Every acknowledged post and every uncertain write is recorded."""

    def __init__(self, urls: list[str], scene: Scene, *, count: int = 4, pace: float = 0.0,
                 sources: bool = False) -> None:  # fmt: skip
        self.urls, self.scene, self.pace = urls, scene, pace
        self.acked: dict[str, tuple[int, int]] = {}  # body -> (post id, number)
        self.uncertain: set[str] = set()
        self.statuses: collections.Counter = collections.Counter()
        self.latencies: list[float] = []
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.threads = [
            threading.Thread(target=self._run, args=(i, "127.0.0.1" if sources else None),
                             daemon=True, name=f"writer{i}")
            for i in range(count)
        ]  # fmt: skip

    def start(self) -> Writers:
        for t in self.threads:
            t.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=30)

    def _run(self, i: int, source: str | None) -> None:
        tokens = self.scene.tokens[i :: len(self.threads)] or self.scene.tokens
        n, url_index = 0, i
        while not self.stop_event.is_set():
            n += 1
            body = f"障害試験の返信 w{i}-{n} {uuid.uuid4().hex[:8]}"
            url = self.urls[url_index % len(self.urls)]
            started = time.monotonic()
            if source:  # many client addresses: nginx's hash spreads them over the processes
                source = f"127.0.{10 + i}.{n % 50 + 1}"
            status, data = request(f"{url}/api/v1/threads/{self.scene.thread_id}/posts", "POST",
                                   {"body": body}, tokens[n % len(tokens)], source)  # fmt: skip
            with self.lock:
                self.statuses[status] += 1
                if status == 201:
                    self.acked[body] = (data["id"], data["number"])
                    self.latencies.append(time.monotonic() - started)
                elif status in UNCERTAIN:
                    self.uncertain.add(body)
            if status is None or status in (502, 503, 504):
                url_index += 1  # as a client would: try again elsewhere, after a moment
                self.stop_event.wait(0.2)
            if self.pace:
                self.stop_event.wait(self.pace)

    def count(self) -> int:
        with self.lock:
            return len(self.acked)


class LiveReader:
    """A Socket.IO client on the thread that keeps the last post number it has and fetches
    ``?after=`` it after each event and each reconnect (never a hole, never a duplicate)."""

    def __init__(self, urls: list[str], thread_id: int, name: str = "reader") -> None:
        self.urls, self.thread_id, self.name = urls, thread_id, name
        self.url_index = 0
        self.last = 0
        self.last_event = 0  # the highest number an event brought
        self.numbers: list[int] = []  # in the order fetched: duplicates would show here
        self.reconnects: list[float] = []  # seconds from losing the connection to rejoining
        self.lock = threading.Lock()
        self.stopping = False
        self.client: socketio.Client | None = None
        self.connected_to = ""

    def start(self, timeout: float = 30.0) -> LiveReader:
        wait_until(self._connect, timeout, f"{self.name} connecting", interval=0.3)
        return self

    def _connect(self) -> bool:
        url = self.urls[self.url_index % len(self.urls)]
        client = socketio.Client(reconnection=False)
        client.on("post_created", self._event)
        client.on("disconnect", lambda *args: self._lost())
        try:
            client.connect(url, transports=["websocket"], wait_timeout=5)
            ack = client.call("join_thread", {"thread_id": self.thread_id}, timeout=10)
        except Exception:
            self.url_index += 1
            with contextlib.suppress(Exception):  # a half-open client
                client.disconnect()
            raise
        if not ack.get("ok"):
            raise RuntimeError(f"join_thread refused: {ack}")
        self.client, self.connected_to = client, url
        self.catch_up()
        return True

    def _event(self, event: dict) -> None:
        self.last_event = max(self.last_event, int(event.get("number", 0)))
        self.catch_up()

    def _lost(self) -> None:
        if self.stopping:
            return
        lost_at = time.monotonic()

        def rejoin() -> None:
            self.url_index += 1  # another process (through nginx: the proxy picks one)
            try:
                wait_until(self._connect, 60, f"{self.name} reconnecting", interval=0.2)
                self.reconnects.append(time.monotonic() - lost_at)
            except TimeoutError:
                self.reconnects.append(float("inf"))

        threading.Thread(target=rejoin, daemon=True).start()

    def catch_up(self) -> None:
        with self.lock:
            for _ in range(100):
                url = self.urls[self.url_index % len(self.urls)]
                status, data = request(f"{url}/api/v1/threads/{self.thread_id}/posts"
                                       f"?after={self.last}&limit=200")  # fmt: skip
                if status != 200:
                    return  # the next event or reconnect fetches again
                posts = data["posts"]
                self.numbers.extend(p["number"] for p in posts)
                if posts:
                    self.last = posts[-1]["number"]
                if len(posts) < 200:
                    return

    def stop(self) -> None:
        self.stopping = True
        if self.client is not None:
            self.client.disconnect()


# --- invariants -----------------------------------------------------------------------------
def write_in_flight(url: str, scene: Scene, token: str, kill) -> int | None:
    """Send one reply to ``url`` and call ``kill()`` once the request is on the wire, before
    the answer; the write is recorded in ``scene`` (acknowledged or uncertain). Its status."""
    parts = urlsplit(url)
    body = f"障害試験の返信 in-flight {uuid.uuid4().hex[:8]}"
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    status = None
    try:
        conn.request("POST", f"/api/v1/threads/{scene.thread_id}/posts",
                     json.dumps({"body": body}).encode(),
                     {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})  # fmt: skip
        kill()
        response = conn.getresponse()
        status, data = response.status, json.loads(response.read() or b"{}")
    except OSError:
        pass
    finally:
        conn.close()
    if status == 201:
        scene.acked[body] = (data["id"], data["number"])
    else:
        scene.uncertain.add(body)
    return status


def check_posts(app, scene: Scene, writers: Writers | None = None) -> list[str]:
    """Every acknowledged post exactly once with its id and number, every uncertain write at
    most once, nothing unknown written; numbers 1..N; counters equal recounts."""
    from core.extensions import db
    from forum.models import Post

    if writers is not None:
        scene.record(writers)
    problems: list[str] = []
    with app.app_context():
        rows = db.session.execute(select(Post.id, Post.number, Post.body_source)
                                  .where(Post.thread_id == scene.thread_id)).all()  # fmt: skip
        by_body = collections.defaultdict(list)
        for row in rows:
            by_body[row.body_source].append((row.id, row.number))
        for body, ack in scene.acked.items():
            if by_body.get(body) != [ack]:
                problems.append(f"acknowledged {ack} {body!r}: in the database {by_body.get(body)}")
        for body in scene.uncertain:
            if len(by_body.get(body, [])) > 1:
                problems.append(f"uncertain write saved {len(by_body[body])} times: {body!r}")
        known = set(scene.acked) | scene.uncertain
        unknown = [b for b in by_body if b.startswith("障害試験の返信") and b not in known]
        if unknown:
            problems.append(f"{len(unknown)} posts nobody sent: {unknown[:3]}")
        numbers = sorted(r.number for r in rows)
        if numbers != list(range(1, len(numbers) + 1)):
            problems.append(f"post numbers are not 1..{len(numbers)}")
        problems += recount_problems(db)
        db.session.remove()
    return problems


def recount_problems(db) -> list[str]:
    """Every thread's and board's counters against a recount (the bench generator's rule)."""
    problems = []
    threads = db.session.execute(text("""
        SELECT t.id, t.last_number, t.reply_count,
               (SELECT max(number) FROM posts p WHERE p.thread_id = t.id) AS max_number,
               (SELECT count(*) FROM posts p WHERE p.thread_id = t.id AND p.number > 1
                  AND p.deleted_at IS NULL) AS replies
        FROM threads t""")).all()  # fmt: skip
    for t in threads:
        if t.last_number != t.max_number or t.reply_count != t.replies:
            problems.append(f"thread {t.id}: last_number {t.last_number}/{t.max_number}, "
                            f"reply_count {t.reply_count}/{t.replies}")  # fmt: skip
    boards = db.session.execute(text("""
        SELECT b.id, b.thread_count, b.post_count,
               (SELECT count(*) FROM threads t WHERE t.board_id = b.id
                  AND NOT t.is_deleted) AS threads,
               (SELECT count(*) FROM posts p JOIN threads t ON t.id = p.thread_id
                  WHERE t.board_id = b.id AND p.deleted_at IS NULL) AS posts
        FROM boards b""")).all()  # fmt: skip
    for b in boards:
        if (b.thread_count, b.post_count) != (b.threads, b.posts):
            problems.append(f"board {b.id}: thread_count {b.thread_count}/{b.threads}, "
                            f"post_count {b.post_count}/{b.posts}")  # fmt: skip
    return problems


def check_readers(app, scene: Scene, readers: list[LiveReader]) -> list[str]:
    from core.extensions import db
    from forum.models import Post

    with app.app_context():
        expected = sorted(db.session.scalars(select(Post.number)
                                             .where(Post.thread_id == scene.thread_id)))  # fmt: skip
        db.session.remove()
    problems = []
    for reader in readers:
        reader.catch_up()  # what a client does on its next event
        if reader.numbers != expected:
            missing = sorted(set(expected) - set(reader.numbers))
            doubled = len(reader.numbers) - len(set(reader.numbers))
            problems.append(f"{reader.name}: missing {missing[:10]}, {doubled} fetched twice")
    return problems


def search_caught_up(app, timeout: float = 120.0) -> float:
    """Wait until the indexer has applied every outbox row; the seconds it took."""
    from core.extensions import db
    from search.cli import status_data

    started = time.monotonic()

    def done() -> bool:
        with app.app_context():
            data = status_data()
            db.session.remove()
        return data.get("state") == "ok" and data.get("pending_rows") == 0

    wait_until(done, timeout, "search index catching up", interval=0.3)
    return time.monotonic() - started


def check_search(app) -> list[str]:
    """The index's documents (post id → fingerprint) equal those the database gives now."""
    from core.extensions import db
    from search import indexer, store
    from search.documents import build_document, iter_all_rows

    with app.app_context():
        expected = {}
        for rows in iter_all_rows(1000):
            for row in rows:
                doc = build_document(row)
                if doc is not None:
                    expected[doc["post_id"]] = doc["fingerprint"]
        db.session.remove()
        ix = store.open_index(store.current_path(indexer.index_root()))
        try:
            with ix.searcher() as s:
                actual = {f["post_id"]: f["fingerprint"] for f in s.all_stored_fields()}
        finally:
            ix.close()
    if actual == expected:
        return []
    missing = set(expected) - set(actual)
    extra = set(actual) - set(expected)
    stale = [k for k in set(expected) & set(actual) if expected[k] != actual[k]]
    detail = sorted(stale, key=int)[:5]
    return [
        f"search index: {len(missing)} missing, {len(extra)} extra, {len(stale)} stale {detail}"
    ]


def notifications_settled(app, timeout: float = 120.0) -> float:
    from core.extensions import db
    from notifications.models import NotificationJob

    started = time.monotonic()

    def done() -> bool:
        with app.app_context():
            left = db.session.scalar(select(func.count()).select_from(NotificationJob)
                                     .where(NotificationJob.done_at.is_(None)))  # fmt: skip
            db.session.remove()
        return left == 0

    wait_until(done, timeout, "notification jobs done", interval=0.5)
    return time.monotonic() - started


def check_emails(app, scene: Scene) -> list[str]:
    """Each immediate e-mail sent once: as many messages in the outbox to each watcher as the
    watcher has notifications marked sent, and none due and still waiting."""
    from auth.models import User
    from core.extensions import db
    from core.mail import read_outbox
    from core.types import utcnow
    from notifications.models import EMAIL_PENDING, EMAIL_SENT, Notification

    with app.app_context():
        outbox = app.config["MAIL_OUTBOX_DIR"]

        def state() -> tuple[dict, dict, int]:
            sent = dict(db.session.execute(
                select(User.email, func.count(Notification.id))
                .join(Notification, Notification.user_id == User.id)
                .where(User.id.in_(scene.watcher_ids), Notification.email_state == EMAIL_SENT)
                .group_by(User.email)).all())  # fmt: skip
            due = db.session.scalar(select(func.count()).select_from(Notification).where(
                Notification.email_state == EMAIL_PENDING,
                Notification.email_due_at <= utcnow()))  # fmt: skip
            db.session.remove()
            mailed = collections.Counter(str(m["To"]) for m in read_outbox(outbox))
            return sent, mailed, due

        wait_until(lambda: state()[2] == 0, 60, "due e-mails sent", interval=0.5)
        sent, mailed, _ = state()
    problems = []
    for address, count in sent.items():
        if mailed.get(address, 0) != count:
            problems.append(f"{address}: {mailed.get(address, 0)} e-mails for {count} sent")
    return problems


def check_notifications(app, scene: Scene) -> list[str]:
    """Each watcher's notifications of the thread count every reply exactly once."""
    from core.extensions import db
    from forum.models import Post
    from notifications.models import Notification, NotificationSource

    problems = []
    with app.app_context():
        replies = set(db.session.scalars(select(Post.id).where(
            Post.thread_id == scene.thread_id, Post.number > 1)))  # fmt: skip
        for user_id in scene.watcher_ids:
            rows = db.session.execute(
                select(Notification.id, Notification.count, NotificationSource.source_id)
                .join(NotificationSource, NotificationSource.notification_id == Notification.id)
                .where(Notification.user_id == user_id,
                       Notification.thread_id == scene.thread_id)).all()  # fmt: skip
            sources = [r.source_id for r in rows]
            if sorted(sources) != sorted(replies):
                problems.append(f"watcher {user_id}: {len(set(sources))} of {len(replies)} posts"
                                f" counted, {len(sources) - len(set(sources))} twice")  # fmt: skip
            counted = {r.id: r.count for r in rows}
            if sum(counted.values()) != len(sources):
                problems.append(f"watcher {user_id}: count {sum(counted.values())} "
                                f"for {len(sources)} sources")  # fmt: skip
        db.session.remove()
    return problems


# --- faults ---------------------------------------------------------------------------------
@dataclass
class Result:
    name: str
    problems: list[str]
    timings: dict[str, float]
    statuses: dict
    acked: int
    uncertain: int
    rate: float

    @property
    def survived(self) -> bool:
        return not self.problems


def backend_of_loopback(cluster: Cluster) -> int:
    """Which web process nginx sends 127.0.0.1 to (where the readers are): a marked request
    through the proxy, found in the access logs."""
    mark = uuid.uuid4().hex
    request(f"{cluster.site_url}/healthz?probe={mark}")

    def found() -> int | None:
        for i in range(cluster.web_count):
            if mark in Path(cluster.procs[f"web{i}"].log).read_text(errors="replace"):
                return i + 1
        return None

    return wait_until(found, 10, "the probe in an access log") - 1


def fault_web(cluster: Cluster, app, writers: Writers, readers: list[LiveReader]) -> dict:
    i = backend_of_loopback(cluster)
    # kill -9 of gunicorn's master and worker with a reply on the wire to it (and the load's)
    status = write_in_flight(cluster.web_url(i), writers.scene, writers.scene.tokens[-1],
                             lambda: cluster.kill(f"web{i}"))  # fmt: skip
    killed = time.monotonic()
    wait_until(lambda: all(len(r.reconnects) >= 1 for r in readers), 60, "readers rejoining")
    rejoined = max(r.reconnects[-1] for r in readers)
    time.sleep(2)
    started = time.monotonic()
    cluster.start_web(i)
    return {"killed_web": i, "in_flight_write": status,
            "readers_rejoined_s": rejoined, "restart_s": time.monotonic() - started,
            "down_s": time.monotonic() - killed}  # fmt: skip


def fault_redis(cluster: Cluster, app, writers: Writers, readers: list[LiveReader]) -> dict:
    cluster.kill("redis")
    down = time.monotonic()
    time.sleep(5)  # the site runs without Redis for a while, under load
    cluster.start_redis()
    back = time.monotonic()
    # recovered when every reader hears live of posts made through every process again
    target = max(r.last for r in readers) + writers_in_flight(writers)
    wait_until(lambda: all(r.last_event >= target for r in readers), 60,
               "live events reaching every reader again", interval=0.2)  # fmt: skip
    return {"redis_down_s": back - down, "live_again_after_s": time.monotonic() - back}


def writers_in_flight(writers: Writers) -> int:
    return len(writers.threads) * 2


def fault_database(cluster: Cluster, app, writers: Writers, readers: list[LiveReader]) -> dict:
    from bench.cluster import _admin_engine

    engine = _admin_engine()
    name = cluster.database_url.rsplit("/", 1)[1]
    terminated = 0
    for _ in range(2):
        with engine.connect() as conn:
            terminated += len(conn.execute(text(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name}).all())  # fmt: skip
        time.sleep(1.0)
    engine.dispose()
    before = writers.count()
    started = time.monotonic()
    wait_until(lambda: writers.count() > before + 2, 60, "writes succeeding again")
    return {"backends_terminated": terminated, "writes_resumed_after_s": time.monotonic() - started}


def fault_pg_restart(cluster: Cluster, app, writers: Writers, readers: list[LiveReader]) -> dict:
    """A real restart of the machine's PostgreSQL (``pg_ctlcluster … restart``: every session
    ended, the server away for the restart's length). Opt-in (``--only pg_restart``): it
    restarts the server every other database on this machine uses too."""
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[0]
    started = time.monotonic()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    restarted = time.monotonic()
    before = writers.count()
    wait_until(lambda: writers.count() > before + 2, 60, "writes succeeding again")
    return {"restart_s": restarted - started,
            "writes_resumed_after_s": time.monotonic() - restarted}  # fmt: skip


def fault_indexer(cluster: Cluster, app, writers: Writers, readers: list[LiveReader]) -> dict:
    return kill_indexer_mid_batch(cluster, app, writers.scene, 1200)


def kill_indexer_mid_batch(cluster: Cluster, app, scene: Scene, count: int) -> dict:
    """Give the indexer ``count`` new posts (more than one batch of ``search.indexer.BATCH``),
    kill -9 it once it has applied part of them, and start it again."""
    from core.extensions import db
    from search import outbox
    from search.cli import status_data

    def index_ready() -> tuple[int] | None:
        with app.app_context():
            data, high = status_data(), outbox.high_water()
            db.session.remove()
        return (high or 0,) if data.get("state") == "ok" else None

    (before,) = wait_until(index_ready, 60, "the search index created", interval=0.2)
    for _attempt in range(3):  # a loaded machine may finish a burst between two looks
        burst(app, scene, count)
        with app.app_context():
            after = outbox.high_water()
            db.session.remove()

        def progress(before: int = before, after: int = after) -> str | None:
            with app.app_context():
                applied = status_data()["last_applied"]
                db.session.remove()
            if applied >= after:
                return "done"
            return "mid" if applied > before else None  # part of the burst applied, part not

        if wait_until(progress, 120, "the indexer reaching the burst", interval=0.02) == "mid":
            break
        before = after
    else:
        raise RuntimeError("the indexer applied each burst before it could be seen part-way")
    cluster.kill("search")
    started = time.monotonic()
    cluster.start_search_worker()
    return {"burst_posts": count, "indexer_restart_s": time.monotonic() - started}


def fault_notify(cluster: Cluster, app, writers: Writers, readers: list[LiveReader]) -> dict:
    from core.extensions import db
    from notifications.models import NotificationJob

    def running() -> bool:
        with app.app_context():
            n = db.session.scalar(select(func.count()).select_from(NotificationJob)
                                  .where(NotificationJob.status == "running"))  # fmt: skip
            db.session.remove()
        return bool(n)

    wait_until(running, 60, "a fan-out job running", interval=0.02)
    cluster.kill("notify")
    time.sleep(1)
    cluster.start_notifier()
    return {}


def burst(app, scene: Scene, count: int) -> None:
    """``count`` replies in one transaction in a thread of their own (work for the indexer)."""
    from auth.models import User
    from core.extensions import db
    from forum import posting
    from forum.models import Board, Thread

    with app.app_context():
        # another board: one long transaction holds its board row, and the writers' board
        # must not wait for it
        board = db.session.scalar(select(Board).where(Board.id != scene.board_id)
                                  .order_by(Board.id))  # fmt: skip
        author = db.session.scalar(select(User).where(User.handle.like("op%"))
                                   .order_by(User.id.desc()))  # fmt: skip
        thread = posting.create_thread(board=board, author=author, title="索引の負荷",
                                       body="索引づくりを待たせるための投稿です。")  # fmt: skip
        db.session.flush()
        for n in range(count):
            posting.create_reply(thread=db.session.get(Thread, thread.id), author=author,
                                 body=f"見守り活動と移動支援の報告 その{n} 買い物支援の相談")  # fmt: skip
        db.session.commit()
        db.session.remove()


def fault_disk(cluster: Cluster, app, writers: Writers, readers: list[LiveReader]) -> dict:
    """Mount a 2 MiB tmpfs on the attachment folder, fill it, upload a PDF through the form as
    the case's author would: refused with the Japanese message, nothing kept; then free the
    space and upload again: stored."""
    import io
    import re
    import subprocess

    import requests
    from PIL import Image

    folder = cluster.instance / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], check=True)
    try:
        filler = folder / "filler"
        with open(filler, "wb") as handle, contextlib.suppress(OSError):
            while True:
                handle.write(b"\0" * 65536)
        thread_id = case_thread(app, writers.scene)
        pdf = io.BytesIO()
        Image.new("RGB", (200, 280), "white").save(pdf, "PDF", title="チラシ")
        session = requests.Session()
        base = cluster.site_url
        token = re.search(
            r'name="csrf_token"[^>]*value="([^"]+)"', session.get(f"{base}/login").text
        )
        session.post(f"{base}/login", data={"csrf_token": token.group(1),
                     "email": f"op{writers.scene.tag}@faults.example.jp",
                     "password": "faults-password-2026"}, timeout=30)  # fmt: skip

        def send() -> requests.Response:
            page = session.get(f"{base}/t/{thread_id}/attachments", timeout=30).text
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            return session.post(f"{base}/t/{thread_id}/attachments", data={"csrf_token": token},
                                files={"file": ("チラシ.pdf", pdf.getvalue(), "application/pdf")},
                                allow_redirects=False, timeout=30)  # fmt: skip

        full = send()
        message = "保存先の空き容量が足りないため、ファイルを保存できませんでした。"
        left = [p.name for p in folder.rglob("*") if p.is_file() and p != filler]
        if full.status_code != 422 or message not in full.text or left:
            raise AssertionError(f"disk full: {full.status_code}, message shown: "
                                 f"{message in full.text}, files left {left}")  # fmt: skip
        filler.unlink()
        again = send()
        if again.status_code != 302:
            raise AssertionError(f"after freeing space: {again.status_code}")
        return {"full_disk_upload": full.status_code, "after_freeing": again.status_code}
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def case_thread(app, scene: Scene) -> int:
    """A case (取組事例) by the scene's opening member, who may attach files to it."""
    from auth.models import User
    from core.extensions import db
    from forum import posting
    from forum.models import Board

    with app.app_context():
        author = db.session.scalar(select(User).where(User.handle == f"op{scene.tag}"))
        thread = posting.create_thread(board=db.session.get(Board, scene.board_id), author=author,
                                       title="添付の試験", body="チラシを添付します。")  # fmt: skip
        thread.kind = "case"
        db.session.commit()
        thread_id = thread.id
        db.session.remove()
    return thread_id


def fault_none(cluster: Cluster, app, writers: Writers, readers: list[LiveReader]) -> dict:
    return {}  # the load alone: the control run


FAULTS = {"none": fault_none, "web": fault_web, "disk": fault_disk, "redis": fault_redis, "database": fault_database,
          "indexer": fault_indexer, "notify": fault_notify}  # fmt: skip
#: run only when asked for (``--only pg_restart``): it restarts the machine's PostgreSQL
OPT_IN = {"pg_restart": fault_pg_restart}


def run_fault(name: str, cluster: Cluster, app, scene: Scene, *, writers: int, readers: int,
              pace: float, before: float = 4.0, after: float = 6.0) -> Result:  # fmt: skip
    load = Writers([cluster.site_url], scene, count=writers, pace=pace, sources=True).start()
    live = [LiveReader([cluster.site_url], scene.thread_id, f"reader{i}").start()
            for i in range(readers)]  # fmt: skip
    started = time.monotonic()
    problems: list[str] = []
    timings: dict = {}
    try:
        time.sleep(before)  # load before the fault
        timings = {**FAULTS, **OPT_IN}[name](cluster, app, load, live)
        time.sleep(after)  # and after it
    except Exception as error:  # noqa: BLE001 - a fault that did not go as planned is a finding
        problems.append(f"{name}: {error!r}")
    finally:
        load.stop()
    elapsed = time.monotonic() - started
    problems += check_posts(app, scene, load)
    try:
        timings["search_caught_up_s"] = search_caught_up(app)
        problems += check_search(app)
    except TimeoutError as error:
        problems.append(str(error))
    try:
        timings["notifications_done_s"] = notifications_settled(app)
        problems += check_notifications(app, scene)
        problems += check_emails(app, scene)
    except TimeoutError as error:
        problems.append(str(error))
    problems += check_readers(app, scene, live)
    for reader in live:
        reader.stop()
    if load.statuses.get(500):
        problems.append(f"{load.statuses[500]} answers 500")
    return Result(name, problems, timings, dict(load.statuses), len(load.acked),
                  len(load.uncertain), len(load.acked) / elapsed)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--web", type=int, default=2)
    parser.add_argument("--only", default=",".join(FAULTS),
                        help="faults, comma-separated; also pg_restart (restarts the machine's PostgreSQL)")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--watchers", type=int, default=100)
    parser.add_argument("--pace", type=float, default=0.8, help="seconds between a writer's posts")
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / "data" / "faults")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n]
    # stopped from outside: still stop the cluster (the finally below)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.dir.exists():  # an index or outbox left by an earlier run would not match
        shutil.rmtree(args.dir)
    # writers are new members: their posts are not held for review in this run
    cluster = Cluster(args.dir, "postgresql+psycopg://postgres@127.0.0.1:5432/kyoso_faults",
                      web_count=args.web, settings={"MODERATION_HOLD_FIRST_POSTS": 0,
                      # the watchers' e-mails go out during the run (and are checked)
                      "NOTIFICATION_EMAIL_DELAY_SECONDS": 2})  # fmt: skip
    results: list[Result] = []
    started = time.monotonic()
    app = None
    try:
        cluster.start_redis()
        cluster.up(fresh_database="kyoso_faults")
        app = checker_app(cluster)
        scene = prepare(app, writers=args.writers * 4, watchers=args.watchers)
        print(f"cluster up: {cluster.site_url}, {args.web} web processes; load: {args.writers} "
              f"writers, {args.readers} live readers, {args.watchers} watchers", flush=True)  # fmt: skip
        for name in names:
            result = run_fault(name, cluster, app, scene, writers=args.writers,
                               readers=args.readers, pace=args.pace)  # fmt: skip
            results.append(result)
            print(_line(result), flush=True)
            for problem in result.problems:
                print(f"    ! {problem}", flush=True)
    finally:
        cluster.stop_all()
        if app is not None:
            close_app(app)
        from bench.cluster import drop_database

        drop_database("kyoso_faults")
    survived = sum(r.survived for r in results)
    print(f"\n{survived} of {len(results)} faults survived with nothing lost "
          f"({time.monotonic() - started:.0f} s in all)")  # fmt: skip
    return 0 if survived == len(results) else 1


def _line(r: Result) -> str:
    timings = ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
                        for k, v in r.timings.items())  # fmt: skip
    statuses = " ".join(f"{k}×{v}" for k, v in sorted(r.statuses.items(), key=str))
    return (f"{r.name:<9} {'survived' if r.survived else 'FAILED':<8} acked {r.acked} "
            f"({r.rate:.1f}/s), uncertain {r.uncertain}; statuses {statuses}; {timings}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
