"""Real-time fan-out benchmark: N real Socket.IO clients in one thread room, one reply posted
through the API, time from just before the POST to each client's ``post_created``.

    .venv/bin/python bench/realtime_bench.py                          # N = 100,500,1000, both servers
    .venv/bin/python bench/realtime_bench.py --clients 500 --posts 10 --servers werkzeug
    .venv/bin/python bench/realtime_bench.py --json /tmp/rt.json      # also write every figure
    # issue 17: 2,000 readers on 2 processes through Redis, the three server models
    .venv/bin/python bench/realtime_bench.py --clients 2000 --processes 2 --redis redis://127.0.0.1:6379/12 \
        --servers gevent,asgi,gunicorn --client-mode async --per-worker 500 --posts 10

For each server kind and each N it:

1. uses a fresh, migrated SQLite database in a temporary folder (``flask_migrate.upgrade()``
   inside ``create_app``), with one member, one thread on 全体交流 and one API token;
2. starts ``--processes`` server processes on 127.0.0.1 (with more than one, or for ``asgi``,
   all on one Redis message queue channel of their own): ``werkzeug`` (werkzeug's threaded
   server, as ``tests/support/serve_worker.py``), ``gunicorn`` (``-k gthread -w 1 --threads
   N/P+64``: threading mode), ``gevent`` (gunicorn ``-k gevent -w 1``, ``SOCKETIO_ASYNC_MODE=
   gevent``) or ``asgi`` (uvicorn with python-socketio's ``AsyncServer`` and the Flask app behind
   a WSGI adapter, see :func:`asgi_app`); a new set for every N, so memory figures start from the
   same point; ``SEARCH_INDEXER=off`` as the README sets it for several processes. The server
   process is this file (``--serve``, or the gunicorn/uvicorn entry points below), which adds
   one read-only route, ``/_bench/stats``, times each ``SocketIO.emit`` of ``post_created`` and
   counts the WebSocket frames carrying it (with the time of the last one written); the app
   code is not changed;
3. warms the servers up (one client on each, one reply), then reads their RSS and thread count
   from ``/proc/<pid>/status``;
4. connects N ``python-socketio`` clients (``transports=["websocket"]``, no reconnection) spread
   over ``ceil(N / --per-worker)`` client processes, client i on server i mod P; each calls
   ``join_thread`` and waits for its ack; ``--client-mode thread`` uses ``socketio.Client``,
   ``async`` ``socketio.AsyncClient`` on one asyncio loop per process (far less CPU per message);
   reads RSS again (memory per connection = difference / N);
5. posts ``--posts`` replies to the first server, one at a time, with ``POST
   /api/v1/threads/<id>/posts`` and the Bearer token. Latency = the client's ``time.time()`` in
   its ``post_created`` handler minus ``time.time()`` just before the POST (every process is on
   the same machine clock). A client that has not received the event ``--deliver-timeout``
   seconds after the POST counts as a lost delivery. The CPU time of every server and client
   process is read before and after each reply;
6. disconnects the clients, reads RSS once more, stops the servers.

Everything is bounded: connects and acks time out, each delivery waits at most
``--deliver-timeout``, and runs that would start after ``--time-budget`` seconds are skipped.
Clients and servers share the machine's cores, so the figures include the clients' own work;
"last frame written" is when the servers had written their last ``post_created`` frame, their
own part of the fan-out. This is a benchmark for a human to run and read, not a test: nothing
fails on a slow figure.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.util
import itertools
import json
import math
import multiprocessing as mp
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CONFIG_ENV = "KYOSO_BENCH_CONFIG"
STATS_PATH = "/_bench/stats"
BENCH_EMAIL = "realtime@bench.kyoso.example"
REPLY_BODY = (
    "リアルタイム配信のベンチマークからの返信です。\n\n"
    "当市でも**移動販売**と見守りを組み合わせています。\n\n"
    "- 週1回の巡回\n- 利用者の様子を民生委員さんに共有"
)
#: (clients, server processes) -> p95 target in ms: issue 3 (500 on one process) and issue 17
#: (2,000 readers across 2 processes through Redis)
TARGETS = {(500, 1): 250.0, (2000, 2): 250.0}
_REPLY_COUNTER = itertools.count(1)


# --- small helpers -----------------------------------------------------------------------------


def raise_nofile() -> int:
    """Raise the soft open-files limit up to the hard limit (inherited by child processes)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS (KiB) and Threads of a process, from /proc/<pid>/status."""
    out: dict[str, int] = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "Threads"):
                out[key] = int(value.split()[0])
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main_thread_waited(pid: int) -> float:
    """Seconds the process's main thread has spent runnable but waiting for a CPU (the kernel's
    run-queue delay, /proc/<pid>/schedstat). gevent's hub and asyncio's loop run there: on a
    shared machine this is how much of a fan-out's wall time was other processes' turn."""
    with open(f"/proc/{pid}/schedstat") as handle:
        return int(handle.read().split()[1]) / 1e9


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- server side (runs in the server process) --------------------------------------------------


#: post number -> [WebSocket frames carrying its post_created written by this process, time of the
#: last one]: when the server's part of the fan-out ended, apart from the clients' own CPU
FRAMES_SENT: dict[int, list] = {}
_NUMBER = re.compile(r'^42\["post_created",\{.*?"number":\s*(\d+)')


def count_frame(data) -> None:
    if isinstance(data, str) and data.startswith('42["post_created"'):
        match = _NUMBER.match(data)
        if match:
            entry = FRAMES_SENT.setdefault(int(match.group(1)), [0, 0.0])
            entry[0] += 1
            entry[1] = time.time()


def _bench_app():
    """The real app plus a timing wrapper around its SocketIO.emit and a stats route."""
    from flask import jsonify

    from app import create_app

    app = create_app(json.loads(os.environ[CONFIG_ENV]))
    sio = app.extensions["kyoso.socketio"]
    emits: list[dict] = []
    original = sio.emit

    def timed_emit(event, *args, **kwargs):
        start = time.time()
        try:
            return original(event, *args, **kwargs)
        finally:
            if event == "post_created":
                room = kwargs.get("to") or kwargs.get("room")
                members = sio.server.manager.rooms.get("/", {}).get(room, {})
                emits.append({"start": start, "end": time.time(), "room_size": len(members)})

    sio.emit = timed_emit  # instance attribute: realtime.broadcast.emit looks it up here

    import simple_websocket.ws

    original_send = simple_websocket.ws.Base.send

    def counted_send(self, data):
        result = original_send(self, data)
        count_frame(data)
        return result

    simple_websocket.ws.Base.send = counted_send  # the socket writers of werkzeug/gthread/gevent

    @app.get(STATS_PATH)
    def _bench_stats():
        from collections import Counter

        from flask import request

        data = {"emits": emits, "threads": threading.active_count(), "pid": os.getpid(),
                "frames_sent": FRAMES_SENT}  # fmt: skip
        if request.args.get("frames"):  # where the threads are: innermost 3 frames, counted
            import traceback

            stacks = Counter(
                " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                           for f in reversed(traceback.extract_stack(frame)[-3:]))
                for frame in sys._current_frames().values()
            )  # fmt: skip
            data["frames"] = stacks.most_common(12)
        return jsonify(data)

    return app


def gunicorn_app():
    """Entry point for ``gunicorn "bench.realtime_bench:gunicorn_app()"``."""
    return _bench_app()


def asgi_app():
    """Entry point for ``uvicorn --factory "bench.realtime_bench:asgi_app"`` (server kind
    ``asgi``): python-socketio's ``AsyncServer`` on asyncio holds the sockets, and the same Flask
    app, mounted through uvicorn's WSGI adapter (a thread pool), serves every HTTP request. The
    Flask app's emits reach the AsyncServer only through the Redis message queue, so this kind
    always runs with one. Not the app's real-time code: ``realtime/handlers.py`` is written for
    Flask-SocketIO (Flask request context, ``flask_login`` session, ``join_room``), and an async
    port would be a rewrite. ``join_thread`` here only checks that the thread exists and is
    public (the app also checks the member's permissions), enough to measure the fan-out."""
    import asyncio

    import socketio
    from engineio.async_drivers import asgi as engineio_asgi
    from uvicorn.middleware.wsgi import WSGIMiddleware

    flask_app = _bench_app()
    original_send = engineio_asgi.WebSocket.send

    async def counted_send(self, message):
        result = await original_send(self, message)
        count_frame(message)
        return result

    engineio_asgi.WebSocket.send = counted_send
    config = json.loads(os.environ[CONFIG_ENV])
    manager = socketio.AsyncRedisManager(config["SOCKETIO_MESSAGE_QUEUE"],
                                         channel=config["SOCKETIO_CHANNEL"])  # fmt: skip
    sio = socketio.AsyncServer(async_mode="asgi", client_manager=manager, ping_interval=20,
                               ping_timeout=20, max_http_buffer_size=64 * 1024)  # fmt: skip

    def thread_is_public(thread_id: int) -> bool:
        from forum import queries

        with flask_app.app_context():
            thread = queries.get_thread(thread_id)
            return thread is not None and not thread.is_deleted

    @sio.on("join_thread")
    async def join_thread(sid, data):
        try:
            thread_id = int(data["thread_id"])
        except (TypeError, ValueError, KeyError):
            return {"ok": False, "error": "not_found"}
        if not await asyncio.to_thread(thread_is_public, thread_id):
            return {"ok": False, "error": "not_found"}
        await sio.enter_room(sid, f"thread:{thread_id}")
        return {"ok": True}

    return socketio.ASGIApp(sio, other_asgi_app=WSGIMiddleware(flask_app, workers=32))


def serve_werkzeug() -> None:
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request/socket
    app = _bench_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.server_port, flush=True)
    server.serve_forever()


# --- database ----------------------------------------------------------------------------------


def prepare_database(workdir: Path) -> dict:
    """Fresh migrated SQLite DB with one member, one thread and an API token."""
    from flask_migrate import upgrade

    from app import create_app

    path = workdir / "realtime.sqlite3"
    config = {"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "realtime-bench",
              "INSTANCE_PATH": str(workdir / "instance"), "SITE_URL": "http://127.0.0.1"}  # fmt: skip
    app = create_app(config)
    with app.app_context():
        upgrade()
        from auth.accounts import create_api_token, register_user
        from core.extensions import db
        from forum import posting, queries

        user = register_user(email=BENCH_EMAIL, handle="rtbench", display_name="配信 ベンチ",
                             password="bench-password-2026", email_confirmed=True)  # fmt: skip
        thread = posting.create_thread(
            board=queries.get_board("zentai"), author=user,
            title="リアルタイム配信ベンチマーク", body="N 人が同時に読んでいるスレッドです。",
        )  # fmt: skip
        token = create_api_token(user, "realtime-bench")
        db.session.commit()
        thread_id = thread.id
        db.engine.dispose()
    return {"config": config, "thread_id": thread_id, "token": token}


# --- client side (runs in the client worker processes) -----------------------------------------


class Receipts:
    """What the clients of one worker process received, for the coordinator's ``collect``."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.received: dict[int, list[tuple[int, float]]] = {}
        self.disconnects = 0

    def post_created(self, index: int, data: dict) -> None:
        now = time.time()
        with self.cond:
            self.received.setdefault(int(data.get("number", -1)), []).append((index, now))
            self.cond.notify_all()

    def disconnected(self, *_args) -> None:
        with self.cond:
            self.disconnects += 1

    def collect(self, number: int, expected: int, deadline: float) -> dict:
        with self.cond:
            while len(self.received.get(number, ())) < expected:
                left = deadline - time.time()
                if left <= 0:
                    break
                self.cond.wait(min(left, 0.5))
            got = list(self.received.get(number, ()))
        seen = {i for i, _ in got}
        return {"times": [t for _, t in got], "expected": expected,
                "missing": expected - len(seen), "duplicates": len(got) - len(seen),
                "disconnects": self.disconnects}  # fmt: skip


def client_url(args: dict, index: int) -> str:
    """Client ``index`` talks to server ``index mod P``: the clients are split evenly."""
    return args["urls"][index % len(args["urls"])]


def client_worker(conn, worker_index: int, mode: str = "thread") -> None:
    """Holds a share of the clients; answers the coordinator's commands over a pipe.
    ``thread``: ``socketio.Client`` (2 threads per client, 1 per received message); ``async``:
    ``socketio.AsyncClient`` on one asyncio loop (no thread per client or message)."""
    raise_nofile()
    receipts = Receipts()
    kinds = {"thread": _ThreadClients, "async": _AsyncClients, "raw": _RawClients}
    connector = kinds[mode](receipts)
    while True:
        command, args = conn.recv()
        if command == "connect":
            start = time.time()
            first = worker_index * 100000
            errors = connector.connect(range(first, first + args["count"]), args)
            conn.send({"connected": len(connector.clients), "failed": len(errors),
                       "errors": errors[:5], "seconds": time.time() - start})  # fmt: skip
        elif command == "collect":
            conn.send(receipts.collect(args["number"], len(connector.clients), args["deadline"]))
        elif command == "close":
            before = receipts.disconnects
            connector.close()
            conn.send({"unexpected_disconnects": before})
            conn.close()
            return


class _ThreadClients:
    def __init__(self, receipts: Receipts) -> None:
        threading.stack_size(512 * 1024)  # many small threads (2 per client + 1 per message)
        self.receipts = receipts
        self.clients: list = []

    def _connect_one(self, index: int, args: dict):
        import socketio

        sio = socketio.Client(reconnection=False)
        sio.on("post_created", lambda data: self.receipts.post_created(index, data))
        sio.on("disconnect", self.receipts.disconnected)
        try:
            sio.connect(client_url(args, index), transports=["websocket"],
                        wait_timeout=args["timeout"],
                        auth={"token": args["token"]} if args.get("token") else None)  # fmt: skip
            ack = sio.call("join_thread", {"thread_id": args["thread_id"]},
                           timeout=args["timeout"])  # fmt: skip
            if not (isinstance(ack, dict) and ack.get("ok")):
                raise RuntimeError(f"join_thread refused: {ack!r}")
            return sio, None
        except Exception as exc:  # noqa: BLE001 - report, don't crash the run
            _quiet_disconnect(sio)
            return None, f"{type(exc).__name__}: {exc}"

    def connect(self, indexes: range, args: dict) -> list[str]:
        errors: list[str] = []
        with ThreadPoolExecutor(max_workers=args["concurrency"]) as pool:
            for sio, error in pool.map(self._connect_one, indexes, [args] * len(indexes)):
                if sio is not None:
                    self.clients.append(sio)
                else:
                    errors.append(error)
        return errors

    def close(self) -> None:
        # werkzeug's server answers the client's close frame late: websocket-client then
        # waits its 3 s close timeout per socket, so close many at once
        with ThreadPoolExecutor(max_workers=max(1, min(256, len(self.clients)))) as pool:
            list(pool.map(_quiet_disconnect, self.clients))


class _AsyncClients:
    def __init__(self, receipts: Receipts) -> None:
        import asyncio

        self.receipts = receipts
        self.clients: list = []
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def _run(self, coroutine):
        import asyncio

        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    async def _connect_one(self, index: int, args: dict, gate):
        import socketio

        async with gate:
            sio = socketio.AsyncClient(reconnection=False)
            sio.on("post_created", lambda data: self.receipts.post_created(index, data))
            sio.on("disconnect", self.receipts.disconnected)
            try:
                await sio.connect(client_url(args, index), transports=["websocket"],
                                  wait_timeout=args["timeout"],
                                  auth={"token": args["token"]} if args.get("token") else None)  # fmt: skip
                ack = await sio.call("join_thread", {"thread_id": args["thread_id"]},
                                     timeout=args["timeout"])  # fmt: skip
                if not (isinstance(ack, dict) and ack.get("ok")):
                    raise RuntimeError(f"join_thread refused: {ack!r}")
                return sio, None
            except Exception as exc:  # noqa: BLE001 - report, don't crash the run
                with contextlib.suppress(Exception):
                    await sio.disconnect()
                return None, f"{type(exc).__name__}: {exc}"

    def connect(self, indexes: range, args: dict) -> list[str]:
        import asyncio

        async def connect_all():
            gate = asyncio.Semaphore(args["concurrency"])
            return await asyncio.gather(*(self._connect_one(i, args, gate) for i in indexes))

        errors: list[str] = []
        for sio, error in self._run(connect_all()):
            if sio is not None:
                self.clients.append(sio)
            else:
                errors.append(error)
        # The measuring side must not pause: 1,000 clients in one process make CPython's full
        # collections take ~200 ms, which would count as delivery latency. Their objects are
        # kept out of the collector once connected (the servers have core/gcpolicy.py).
        gc.collect()
        gc.freeze()
        return errors

    def close(self) -> None:
        import asyncio

        async def close_all():
            await asyncio.gather(*(c.disconnect() for c in self.clients), return_exceptions=True)

        self._run(close_all())


class _RawClients(_AsyncClients):
    """``--client-mode raw``: the few packets of the Socket.IO protocol a reader needs (Engine.IO 4
    open, Socket.IO 5 namespace connect, ``join_thread`` with its ack, pings answered, events
    parsed with ``json``) spoken directly over aiohttp's WebSockets. The same server side as
    ``async``; the measuring side costs a fraction of ``socketio.AsyncClient``'s CPU, which
    otherwise took most of the 2 cores the servers share (150–200 ms per reply for 2,000)."""

    async def _session(self):
        import aiohttp

        if getattr(self, "session", None) is None:
            self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        return self.session

    @staticmethod
    async def _expect(ws, prefix: str, timeout: float) -> str:
        deadline = time.time() + timeout
        while True:
            data = await ws.receive_str(timeout=max(0.1, deadline - time.time()))
            if data == "2":
                await ws.send_str("3")
            elif data.startswith(prefix):
                return data

    async def _read(self, ws, index: int) -> None:
        async for message in ws:
            data = message.data
            if data == "2":
                await ws.send_str("3")
            elif isinstance(data, str) and data.startswith("42"):
                event = json.loads(data[2:])
                if event[0] == "post_created":
                    self.receipts.post_created(index, event[1])
        if not getattr(self, "closing", False):
            self.receipts.disconnected()

    async def _connect_one(self, index: int, args: dict, gate):
        import asyncio

        async with gate:
            session = await self._session()
            url = client_url(args, index).replace("http", "ws", 1).rstrip("/")
            ws = None
            try:
                ws = await session.ws_connect(f"{url}/socket.io/?EIO=4&transport=websocket",
                                              autoping=False, max_msg_size=0,
                                              timeout=args["timeout"])  # fmt: skip
                await self._expect(ws, "0", args["timeout"])  # Engine.IO open
                auth = {"token": args["token"]} if args.get("token") else None
                await ws.send_str("40" + (json.dumps(auth) if auth else ""))
                await self._expect(ws, "40", args["timeout"])
                await ws.send_str('421["join_thread",'
                                  + json.dumps({"thread_id": args["thread_id"]}) + "]")  # fmt: skip
                ack = json.loads((await self._expect(ws, "431", args["timeout"]))[3:])
                if not (ack and isinstance(ack[0], dict) and ack[0].get("ok")):
                    raise RuntimeError(f"join_thread refused: {ack!r}")
                asyncio.get_running_loop().create_task(self._read(ws, index))
                return ws, None
            except Exception as exc:  # noqa: BLE001 - report, don't crash the run
                if ws is not None:
                    with contextlib.suppress(Exception):
                        await ws.close()
                return None, f"{type(exc).__name__}: {exc}"

    def close(self) -> None:
        import asyncio

        self.closing = True

        async def close_all():
            await asyncio.gather(*(ws.close() for ws in self.clients), return_exceptions=True)
            if getattr(self, "session", None) is not None:
                await self.session.close()

        self._run(close_all())


def _quiet_disconnect(sio) -> None:
    with contextlib.suppress(Exception):
        sio.disconnect()


# --- coordinator -------------------------------------------------------------------------------


SERVER_KINDS = ("werkzeug", "gunicorn", "gevent", "asgi")


class Server:
    """One server process serving the bench app on 127.0.0.1: ``werkzeug`` (threaded),
    ``gunicorn`` (``-k gthread``, threading mode), ``gevent`` (gunicorn ``-k gevent``,
    ``SOCKETIO_ASYNC_MODE=gevent``) or ``asgi`` (uvicorn, python-socketio's AsyncServer with the
    Flask app behind a WSGI adapter; see :func:`asgi_app`)."""

    def __init__(self, kind: str, setup: dict, workdir: Path, n_clients: int, index: int = 0,
                 extra_config: dict | None = None) -> None:  # fmt: skip
        self.kind = kind
        # no rate limits; the bench member's replies are not held for review (moderation's
        # "first posts of a new member" hold, where the app has it)
        config = {**setup["config"], "RATELIMIT_ENABLED": False, "MODERATION_HOLD_FIRST_POSTS": 0,
                  "SEARCH_INDEXER": "off", **(extra_config or {})}  # fmt: skip
        if kind == "gevent":
            config["SOCKETIO_ASYNC_MODE"] = "gevent"
        env = {**os.environ, CONFIG_ENV: json.dumps(config), "PYTHONUNBUFFERED": "1"}
        self.log_path = workdir / f"server-{kind}-{n_clients}-{index}.log"
        log = open(self.log_path, "wb")  # noqa: SIM115 - handed to the child, closed below
        bin_dir = Path(sys.executable).parent
        connections = n_clients + 64  # open sockets plus concurrent requests
        if kind == "werkzeug":
            self.process = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--serve"],
                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True,
                start_new_session=True,
            )  # fmt: skip
            line = _readline_with_timeout(self.process.stdout, 30)
            if not line.strip().isdigit():
                raise RuntimeError(f"werkzeug server did not start; see {self.log_path}")
            self.port = int(line)
        else:
            self.port = free_port()
            if kind == "asgi":
                command = [str(bin_dir / "uvicorn"), "--factory", "bench.realtime_bench:asgi_app",
                           "--host", "127.0.0.1", "--port", str(self.port), "--ws", "wsproto",
                           "--log-level", "warning", "--no-access-log"]  # fmt: skip
            else:
                # threading mode: every open WebSocket holds one thread of the gthread pool, and
                # gunicorn stops accepting at --worker-connections; gevent: greenlets, same cap
                worker = ["-k", "gthread", "--threads", str(connections)] if kind == "gunicorn" \
                    else ["-k", "gevent"]  # fmt: skip
                command = [str(bin_dir / "gunicorn"), *worker, "-w", "1",
                           "--worker-connections", str(connections),
                           "-b", f"127.0.0.1:{self.port}", "--chdir", str(ROOT), "--timeout", "120",
                           "--graceful-timeout", "5", "--log-level", "warning",
                           "bench.realtime_bench:gunicorn_app()"]  # fmt: skip
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log,
                                            start_new_session=True)  # fmt: skip
        log.close()
        self.base = f"http://127.0.0.1:{self.port}"
        try:
            self._wait_healthy(60)
            self.pid = self._app_pid()
        except Exception:
            self.stop()
            raise

    def _wait_healthy(self, seconds: float) -> None:
        import requests

        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} server exited; see {self.log_path}")
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.kind} server not healthy after {seconds} s")

    def _app_pid(self) -> int:
        """The process that runs the app: the server itself, or gunicorn's single worker."""
        import requests

        return int(requests.get(self.base + STATS_PATH, timeout=5).json()["pid"])

    def stats(self) -> dict:
        import requests

        return requests.get(self.base + STATS_PATH, timeout=10).json()

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)  # our own session: server (+ worker)
                self.process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self.process.stdout:
            self.process.stdout.close()


def _readline_with_timeout(stream, seconds: float) -> str:
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(seconds)
    return result[0] if result else ""


def warm_up(servers: list[Server], setup: dict, session, timeout: float) -> None:
    """One client per server joins, one reply is posted to the first server and received by all:
    imports and caches are warm, and the message queue carries events between the servers."""
    import socketio

    clients = []
    try:
        for server in servers:
            got = threading.Event()
            sio = socketio.Client(reconnection=False)
            sio.on("post_created", lambda _data, got=got: got.set())
            clients.append((sio, got))
            sio.connect(server.base, transports=["websocket"], wait_timeout=timeout,
                        auth={"token": setup["token"]})  # fmt: skip
            ack = sio.call("join_thread", {"thread_id": setup["thread_id"]}, timeout=timeout)
            if not ack.get("ok"):
                raise RuntimeError(f"warm-up join_thread refused: {ack}")
        post_reply(servers[0], setup, session)
        for index, (_sio, got) in enumerate(clients):
            if not got.wait(timeout):
                raise RuntimeError(f"warm-up client on server {index} did not get post_created")
    finally:
        for sio, _got in clients:
            _quiet_disconnect(sio)


def post_reply(server: Server, setup: dict, session) -> dict:
    response = session.post(
        f"{server.base}/api/v1/threads/{setup['thread_id']}/posts",
        # a different text each time: moderation may refuse the same text posted twice
        json={"body": f"{REPLY_BODY}\n\n（計測 {next(_REPLY_COUNTER)}・{time.time():.6f}）"},
        headers={"Authorization": f"Bearer {setup['token']}"},
        timeout=60,
    )
    if response.status_code != 201:  # e.g. 202 = held for review: no post_created event
        raise RuntimeError(f"POST answered {response.status_code}: {response.text[:300]}")
    return response.json()


def run_one(kind: str, n: int, setup: dict, workdir: Path, args) -> dict:
    import requests

    result: dict = {"server": kind, "clients": n, "processes": args.processes,
                    "client_mode": args.client_mode, "load_before": os.getloadavg()}  # fmt: skip
    servers: list[Server] = []
    workers: list[tuple[mp.Process, object]] = []
    extra = {} if args.server_gc == "default" else {"GC_FREEZE_SECONDS": 0}
    if args.processes > 1 or kind == "asgi":
        extra.update({"SOCKETIO_MESSAGE_QUEUE": args.redis,
                      "SOCKETIO_CHANNEL": f"kyoso-bench-{os.getpid()}-{kind}-{n}"})  # fmt: skip
    result["server_gc"] = args.server_gc
    try:
        phase = time.time()
        per_server = math.ceil(n / args.processes)
        for index in range(args.processes):  # appended one by one: each is stopped below
            servers.append(Server(kind, setup, workdir, per_server, index, extra))
        result["start_seconds"] = round(time.time() - phase, 1)
        session = requests.Session()
        warm_up(servers, setup, session, args.connect_timeout)
        time.sleep(1.0)
        base_status = [proc_status(server.pid) for server in servers]
        result["rss_before_kib"] = sum(st["VmRSS"] for st in base_status)
        result["threads_before"] = sum(st["Threads"] for st in base_status)

        ctx = mp.get_context("spawn")
        n_workers = max(1, math.ceil(n / args.per_worker))
        shares = [n // n_workers + (1 if i < n % n_workers else 0) for i in range(n_workers)]
        for index in range(n_workers):
            parent, child = ctx.Pipe()
            process = ctx.Process(target=client_worker, args=(child, index, args.client_mode),
                                  daemon=True)  # fmt: skip
            process.start()
            workers.append((process, parent))
        connect_args = {
            "urls": [server.base for server in servers],
            "thread_id": setup["thread_id"],
            "token": setup["token"] if args.auth else None,
            "timeout": args.connect_timeout,
            "concurrency": args.connect_concurrency,
        }
        start = time.time()
        for (_process, pipe), share in zip(workers, shares, strict=True):
            pipe.send(("connect", {**connect_args, "count": share}))
        connects = [_recv(pipe, process, args.connect_timeout * n / args.connect_concurrency + 60)
                    for process, pipe in workers]  # fmt: skip
        result["connect_seconds"] = round(time.time() - start, 1)
        connected = sum(c["connected"] for c in connects)
        result["connected"] = connected
        result["connect_failed"] = sum(c["failed"] for c in connects)
        result["connect_errors"] = [e for c in connects for e in c["errors"]][:5]
        time.sleep(2.0)  # let the connect/join request threads finish
        status = [proc_status(server.pid) for server in servers]
        result["rss_connected_kib"] = sum(st["VmRSS"] for st in status)
        result["threads_connected"] = sum(st["Threads"] for st in status)
        result["rss_per_conn_kib"] = (
            (result["rss_connected_kib"] - result["rss_before_kib"]) / connected
            if connected else float("nan")
        )  # fmt: skip

        latencies: list[float] = []
        per_post: list[dict] = []
        lost = duplicates = 0
        server_pids = [server.pid for server in servers]
        client_pids = [process.pid for process, _pipe in workers]
        result["load_during"] = []
        for _ in range(args.posts if connected else 0):
            cpu_before = [cpu_seconds(pid) for pid in server_pids + client_pids]
            waited_before = [main_thread_waited(pid) for pid in server_pids]
            t0 = time.time()
            reply = post_reply(servers[0], setup, session)  # one process takes the reply
            t_response = time.time() - t0
            deadline = t0 + args.deliver_timeout
            for _process, pipe in workers:
                pipe.send(("collect", {"number": reply["number"], "deadline": deadline}))
            answers = [_recv(pipe, process, args.deliver_timeout + 30)
                       for process, pipe in workers]  # fmt: skip
            cpu_after = [cpu_seconds(pid) for pid in server_pids + client_pids]
            waited = [(main_thread_waited(pid) - before) * 1000
                      for pid, before in zip(server_pids, waited_before, strict=True)]  # fmt: skip
            spent = [
                (after - before) * 1000 for before, after in zip(cpu_before, cpu_after, strict=True)
            ]
            times = sorted(t - t0 for a in answers for t in a["times"])
            missing = sum(a["missing"] for a in answers)
            lost += missing
            duplicates += sum(a["duplicates"] for a in answers)
            latencies.extend(times)
            per_post.append({"number": reply["number"], "post_ms": t_response * 1000,
                             "median_ms": percentile(times, 0.5) * 1000,
                             "p95_ms": percentile(times, 0.95) * 1000,
                             "max_ms": (times[-1] if times else float("nan")) * 1000,
                             "lost": missing, "t0": t0,
                             "cpu_server_ms": sum(spent[: len(servers)]),
                             "cpu_per_server_ms": spent[: len(servers)],
                             "waited_per_server_ms": waited,
                             "cpu_clients_ms": sum(spent[len(servers) :]),
                             "last_receipt": t0 + (times[-1] if times else 0)})  # fmt: skip
            result["load_during"].append(os.getloadavg()[0])
            time.sleep(args.gap)
        latencies.sort()
        stats = [server.stats() for server in servers]
        for post in per_post:  # the servers' own part: when the last frame was written
            sent = [st["frames_sent"].get(str(post["number"]), [0, 0.0]) for st in stats]
            post["frames_sent"] = sum(count for count, _last in sent)
            lasts = [last for count, last in sent if count]
            post["server_last_ms"] = (max(lasts) - post["t0"]) * 1000 if lasts else float("nan")
            post["waited_ms"] = max(post["waited_per_server_ms"])
        emits = stats[0]["emits"][-len(per_post) :] if per_post else []
        for post, emit in zip(per_post, emits, strict=False):  # the last ones: not the warm-up
            post["emit_ms"] = (emit["end"] - emit["start"]) * 1000
            post["before_emit_ms"] = (emit["start"] - post["t0"]) * 1000
            post["emit_to_last_ms"] = (post["last_receipt"] - emit["start"]) * 1000
            post["room_size"] = emit["room_size"]
        result.update(
            posts=len(per_post), samples=len(latencies), lost=lost, duplicates=duplicates,
            expected=connected * len(per_post),
            median_ms=percentile(latencies, 0.5) * 1000,
            p95_ms=percentile(latencies, 0.95) * 1000,
            p99_ms=percentile(latencies, 0.99) * 1000,
            max_ms=(latencies[-1] * 1000) if latencies else float("nan"),
            post_ms_median=statistics.median(p["post_ms"] for p in per_post) if per_post else None,
            emit_ms_median=_median_of(per_post, "emit_ms"),
            before_emit_ms_median=_median_of(per_post, "before_emit_ms"),
            cpu_server_ms_median=_median_of(per_post, "cpu_server_ms"),
            cpu_clients_ms_median=_median_of(per_post, "cpu_clients_ms"),
            server_last_ms_median=_median_of(per_post, "server_last_ms"),
            waited_ms_median=_median_of(per_post, "waited_ms"),
            server_last_ms_max=max((p["server_last_ms"] for p in per_post), default=None),
            per_post=per_post,
        )  # fmt: skip
        unexpected = 0
        phase = time.time()
        for process, pipe in workers:
            pipe.send(("close", None))
            unexpected += _recv(pipe, process, 60)["unexpected_disconnects"]
        result["unexpected_disconnects"] = unexpected
        result["close_seconds"] = round(time.time() - phase, 1)
        time.sleep(2.0)
        status = [proc_status(server.pid) for server in servers]
        result["rss_after_close_kib"] = sum(st["VmRSS"] for st in status)
        result["threads_after_close"] = sum(st["Threads"] for st in status)
        result["rss_peak_kib"] = sum(st["VmHWM"] for st in status)
    except Exception as exc:  # noqa: BLE001 - report the failure and go on with the next run
        result["error"] = f"{type(exc).__name__}: {exc}"
        for server in servers:
            if server.log_path.exists():
                result.setdefault("server_log_tail", "")
                result["server_log_tail"] += server.log_path.read_text(errors="replace")[-1500:]
    finally:
        for process, _pipe in workers:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join(5)
        phase = time.time()
        for server in servers:
            server.stop()
        result["stop_seconds"] = round(time.time() - phase, 1)
        result["load_after"] = os.getloadavg()
    return result


def _median_of(rows: list[dict], key: str) -> float | None:
    values = [row[key] for row in rows if key in row]
    return statistics.median(values) if values else None


def _recv(pipe, process, timeout: float):
    if not pipe.poll(timeout):
        raise TimeoutError(f"client worker {process.pid} did not answer in {timeout:.0f} s")
    return pipe.recv()


def _fmt(value, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def print_table(results: list[dict]) -> None:
    print()
    print(
        "| server | P | clients | N | connected | median ms | p95 ms | p99 ms | max ms | lost "
        "| last frame written ms (median/max) | main thread waited for a CPU ms | POST ms | server CPU ms/post | clients CPU ms/post | RSS before MiB | RSS per conn KiB "
        "| threads with N | load 1-min before→during→after |"
    )
    print(
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    )
    for r in results:
        if "error" in r and "median_ms" not in r:
            print(f"| {r['server']} | {r.get('processes', 1)} | {r.get('client_mode', '')} "
                  f"| {r['clients']} | error: {r['error']} |")  # fmt: skip
            continue
        during = max(r.get("load_during") or [float("nan")])
        print(f"| {r['server']} | {r['processes']} | {r['client_mode']} | {r['clients']} "
              f"| {r['connected']} | {_fmt(r['median_ms'])} | {_fmt(r['p95_ms'])} "
              f"| {_fmt(r['p99_ms'])} | {_fmt(r['max_ms'])} | {r['lost']}/{r['expected']} "
              f"| {_fmt(r['server_last_ms_median'])}/{_fmt(r['server_last_ms_max'])} "
              f"| {_fmt(r['waited_ms_median'])} "
              f"| {_fmt(r['post_ms_median'])} | {_fmt(r['cpu_server_ms_median'])} "
              f"| {_fmt(r['cpu_clients_ms_median'])} | {_fmt(r['rss_before_kib'] / 1024, 1)} "
              f"| {_fmt(r['rss_per_conn_kib'])} | {r['threads_connected']} "
              f"| {r['load_before'][0]:.1f}→{during:.1f}→{r['load_after'][0]:.1f} |")  # fmt: skip
    print()
    for r in results:
        verdict = ""
        target = TARGETS.get((r["clients"], r.get("processes", 1)))
        if target and "p95_ms" in r:
            ok = r["p95_ms"] <= target and r["lost"] == 0 and r["connected"] == r["clients"]
            verdict = (f"  target ({r['clients']} on {r.get('processes', 1)}, p95 ≤ {target:.0f} "
                       f"ms, none lost): {'met' if ok else 'MISSED'}")  # fmt: skip
        print(f"{r['server']} P={r.get('processes', 1)} N={r['clients']}: connect "
              f"{r.get('connect_seconds', '–')} s, failed {r.get('connect_failed', '–')}, "
              f"unexpected disconnects {r.get('unexpected_disconnects', '–')}, RSS after close "
              f"{_fmt(r.get('rss_after_close_kib', float('nan')) / 1024, 1)} MiB, threads after "
              f"close {r.get('threads_after_close', '–')}; phases s: start "
              f"{r.get('start_seconds', '–')}, close {r.get('close_seconds', '–')}, stop "
              f"{r.get('stop_seconds', '–')}{verdict}")  # fmt: skip
        if r.get("connect_errors"):
            print("   connect errors:", "; ".join(r["connect_errors"]))
        if r.get("error"):
            print("   error:", r["error"])
            if r.get("server_log_tail"):
                print("   server log (end):\n" + r["server_log_tail"])
        for p in r.get("per_post", []):
            per_server = "/".join(f"{c:.0f}" for c in p.get("cpu_per_server_ms", []))
            waited = "/".join(f"{c:.0f}" for c in p.get("waited_per_server_ms", []))
            print(f"   post #{p['number']}: POST {p['post_ms']:.0f} ms (emit starts at "
                  f"{_fmt(p.get('before_emit_ms'))}, lasts {_fmt(p.get('emit_ms'))} ms), receipt "
                  f"median {_fmt(p['median_ms'])} / p95 {_fmt(p['p95_ms'])} / max "
                  f"{_fmt(p['max_ms'])}, lost {p['lost']}; servers wrote {p.get('frames_sent')} "
                  f"frames, the last at {_fmt(p.get('server_last_ms'))} ms; main threads waited "
                  f"{waited} ms for a CPU; CPU ms servers {per_server}, clients "
                  f"{p['cpu_clients_ms']:.0f}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--clients", default="100,500,1000", help="comma-separated N values")
    parser.add_argument(
        "--servers",
        default="werkzeug,gunicorn",
        help="werkzeug, gunicorn (gthread), gevent (gunicorn -k gevent) and/or asgi (uvicorn + "
        "python-socketio AsyncServer); those not installed are skipped",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="server processes per run, behind the Redis message queue (clients split evenly, "
        "replies posted to the first); default 1",
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get("REDIS_URL", ""),
        help="message queue for --processes > 1 and asgi (default: $REDIS_URL)",
    )
    parser.add_argument(
        "--client-mode",
        choices=("thread", "async", "raw"),
        default="thread",
        help="socketio.Client (threads), socketio.AsyncClient (asyncio; needs aiohttp) or raw (the "
             "protocol's few packets over aiohttp WebSockets: the lightest measuring side)",
    )
    parser.add_argument("--posts", type=int, default=5, help="replies posted per N (default 5)")
    parser.add_argument(
        "--per-worker", type=int, default=250, help="clients per client process (default 250)"
    )
    parser.add_argument(
        "--connect-concurrency",
        type=int,
        default=8,
        help="parallel connects per client process (default 8)",
    )
    parser.add_argument("--connect-timeout", type=float, default=15.0)
    parser.add_argument(
        "--deliver-timeout",
        type=float,
        default=10.0,
        help="seconds after the POST before a delivery counts as lost",
    )
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between two replies")
    parser.add_argument(
        "--auth",
        action="store_true",
        help="clients connect with the API token (default: anonymous readers)",
    )
    parser.add_argument(
        "--time-budget",
        type=float,
        default=540.0,
        help="do not start another run after this many seconds (default 540)",
    )
    parser.add_argument("--json", type=Path, help="write all results to this JSON file")
    parser.add_argument("--keep-dir", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--server-gc", choices=("default", "off"), default="default",
        help="the servers' garbage-collection policy (core/gcpolicy.py): the app's default (on in "
             "gevent mode) or off (GC_FREEZE_SECONDS=0: CPython's automatic collections only)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    raise_nofile()
    if args.serve:
        serve_werkzeug()
        return 0

    started = time.time()
    kinds = [k.strip() for k in args.servers.split(",") if k.strip()]
    unknown = set(kinds) - set(SERVER_KINDS)
    if unknown:
        parser.error(f"unknown server kinds: {', '.join(sorted(unknown))}")
    for kind in list(kinds):
        needs = {"gunicorn": ["gunicorn"], "gevent": ["gunicorn", "gevent"],
                 "asgi": ["uvicorn"]}.get(kind, [])  # fmt: skip
        missing = [name for name in needs if importlib.util.find_spec(name) is None]
        if missing:
            print(f"{kind}: {', '.join(missing)} not installed (pip install '.[server]'): skipped")
            kinds.remove(kind)
    if (args.processes > 1 or "asgi" in kinds) and not args.redis:
        parser.error("--processes > 1 and the asgi server need --redis URL (or REDIS_URL)")
    counts = [int(c) for c in args.clients.split(",") if c.strip()]
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    print(f"open files limit {nofile}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.2f}")
    workdir = Path(tempfile.mkdtemp(prefix="kyoso-rt-bench-"))
    results: list[dict] = []
    try:
        setup = prepare_database(workdir)
        print(f"database ready in {workdir} (thread {setup['thread_id']})")
        for kind in kinds:
            for n in counts:
                if time.time() - started > args.time_budget:
                    print(f"time budget spent: {kind} N={n} skipped")
                    results.append({"server": kind, "clients": n, "error": "skipped (time)"})
                    continue
                if n + 200 > nofile:
                    print(f"warning: N={n} is close to the open files limit {nofile}")
                print(f"{kind} N={n} …", flush=True)
                r = run_one(kind, n, setup, workdir, args)
                results.append(r)
                if "median_ms" in r:
                    print(f"   median {r['median_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, p99 "
                          f"{r['p99_ms']:.0f} ms, max "
                          f"{r['max_ms']:.0f} ms, lost {r['lost']}/{r['expected']}, RSS/conn "
                          f"{_fmt(r['rss_per_conn_kib'])} KiB", flush=True)  # fmt: skip
                else:
                    print(f"   failed: {r.get('error')}", flush=True)
    finally:
        if args.keep_dir:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print_table([r for r in results if "load_before" in r])
    print(f"\ntotal {time.time() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
