"""A Kyoso cluster on one machine, as the README's production section runs it (issue #17).

    .venv/bin/python bench/cluster.py up --web 2 [--demo] [--port 8080]
    .venv/bin/python bench/cluster.py status
    .venv/bin/python bench/cluster.py down

``up`` starts, each in a process group of its own:

- a fresh PostgreSQL database (``kyoso_cluster`` on 127.0.0.1:5432, user postgres; dropped and
  created again), migrated with ``flask db upgrade`` (and ``seed-demo`` with ``--demo``);
- a Redis server of its own (``redis-server`` on a free port, no persistence: the faults restart
  it without touching the machine's Redis), the Socket.IO message queue and the limiter store;
  ``--redis-url`` uses an existing Redis instead;
- N gunicorn processes (``-k gthread -w 1``; ``-k gevent`` with ``--set SOCKETIO_ASYNC_MODE=gevent``,
  the README's production model), each on its own port;
- nginx from Debian's packages in the foreground (``daemon off``) with a generated
  configuration: sticky by client address, WebSocket upgrade for /socket.io, the README's headers;
- ``flask search worker`` and ``flask notifications process --loop``.

Every process gets the README's production settings (``SITE_URL`` = the proxy's address,
``TRUSTED_HOSTS``, ``SECRET_KEY``, ``PROXY_FIX_X_FOR=1``, ``SEARCH_INDEXER=off``,
``NOTIFICATION_WORKER=off``, …). Pids, ports and settings go to ``bench/data/cluster/state.json``;
``down`` stops what it lists (process groups, TERM then KILL) and drops the database.

The class :class:`Cluster` is also the launcher of ``bench/faults.py`` and of the CI test
``tests/ops/test_cluster_faults.py`` (which starts two web processes without nginx).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT / "bench" / "data" / "cluster"
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout: float, what: str, interval: float = 0.1):
    """Poll ``check()`` until it returns something true; raise after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as error:  # noqa: BLE001 - polled until it works
            last = error
        time.sleep(interval)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s (last error: {last!r})")


def http_status(url: str, host: str | None = None, timeout: float = 3.0) -> int:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@dataclass
class Proc:
    """A process the cluster started: ``pid`` leads its own process group."""

    name: str
    argv: list[str]
    pid: int = 0
    port: int | None = None
    log: str = ""
    started_at: float = 0.0

    def alive(self) -> bool:
        if not self.pid:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        try:  # a zombie (a child not reaped yet) counts as gone
            stat = Path(f"/proc/{self.pid}/stat").read_text()
            return stat.rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    def ours(self) -> bool:
        """Still the process we started (its group, its command line): never signal another."""
        try:
            cmdline = Path(f"/proc/{self.pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        return os.getpgid(self.pid) == self.pid and Path(self.argv[0]).name in cmdline[0].decode()

    def signal_group(self, sig: int) -> None:
        if self.alive() and self.ours():
            os.killpg(self.pid, sig)


@dataclass
class Cluster:
    """The processes of one site. ``directory`` holds the instance folder (shared by every
    process: attachments, search index, mail outbox), logs, nginx's configuration and state."""

    directory: Path
    database_url: str
    redis_url: str = ""
    web_count: int = 2
    proxy_port: int | None = None
    settings: dict = field(default_factory=dict)
    procs: dict[str, Proc] = field(default_factory=dict)
    own_redis: bool = False
    own_database: bool = False

    # --- settings -------------------------------------------------------------------------
    @property
    def site_url(self) -> str:
        port = self.proxy_port or (self.procs["web0"].port if "web0" in self.procs else 80)
        return f"http://127.0.0.1:{port}"

    @property
    def instance(self) -> Path:
        return self.directory / "instance"

    def env(self) -> dict[str, str]:
        """The environment of every process: the README's production settings."""
        settings = {
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": self.settings.setdefault("SECRET_KEY", secrets.token_hex(32)),
            "SITE_URL": self.site_url,
            # the backends are also reached directly (health checks, the fault script)
            "TRUSTED_HOSTS": "127.0.0.1,localhost",
            "PROXY_FIX_X_FOR": "1" if self.proxy_port else "0",
            "INSTANCE_PATH": str(self.instance),
            "SEARCH_INDEXER": "off",
            "NOTIFICATION_WORKER": "off",
            "LOG_FORMAT": "json",
        }
        if self.redis_url:
            settings |= {"REDIS_URL": self.redis_url, "SOCKETIO_MESSAGE_QUEUE": self.redis_url,
                         "SOCKETIO_CHANNEL": self.settings.get("SOCKETIO_CHANNEL", "kyoso-cluster")}  # fmt: skip
        settings |= {k: str(v) for k, v in self.settings.items()}
        env = {k: v for k, v in os.environ.items() if k not in _APP_SETTINGS}
        return env | settings

    # --- processes ------------------------------------------------------------------------
    def _spawn(self, name: str, argv: list[str], port: int | None = None) -> Proc:
        logs = self.directory / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log_path = logs / f"{name}.log"
        with open(log_path, "ab") as log:
            popen = subprocess.Popen(
                argv, cwd=ROOT, env=self.env(), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        _children[popen.pid] = popen
        proc = Proc(name, argv, popen.pid, port, str(log_path), time.time())
        self.procs[name] = proc
        self.save()
        return proc

    def flask(self, *args: str, timeout: float = 300) -> str:
        """Run one ``flask --app app …`` command with the cluster's settings; its output."""
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=self.env(),
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start_web(self, i: int, *, threads: int = 64, wait: float = 60.0) -> Proc:
        name = f"web{i}"
        port = self.procs[name].port if name in self.procs else free_port()
        if self.settings.get("SOCKETIO_ASYNC_MODE") == "gevent":  # README "Real-time": production
            model = ["-k", "gevent", "--worker-connections", "2000"]
        else:
            model = ["-k", "gthread", "--threads", str(threads)]
        argv = [sys.executable, "-m", "gunicorn", *model, "-w", "1",
                "-b", f"127.0.0.1:{port}", "--timeout", "60",
                "--graceful-timeout", "5", "--access-logfile", "-", "app:create_app()"]  # fmt: skip
        proc = self._spawn(name, argv, port)
        if wait:
            self.wait_web(i, wait)
        return proc

    def web_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.procs[f'web{i}'].port}"

    def wait_web(self, i: int, timeout: float = 60.0) -> None:
        proc = self.procs[f"web{i}"]

        def up() -> bool:
            if not proc.alive():
                raise RuntimeError(f"web{i} exited; see {proc.log}")
            return http_status(f"{self.web_url(i)}/healthz") == 200

        wait_until(up, timeout, f"web{i} answering /healthz")

    def start_search_worker(self) -> Proc:
        return self._spawn("search", [sys.executable, "-m", "flask", "--app", "app",
                                      "search", "worker"])  # fmt: skip

    def start_notifier(self) -> Proc:
        return self._spawn("notify", [sys.executable, "-m", "flask", "--app", "app",
                                      "notifications", "process", "--loop"])  # fmt: skip

    def start_redis(self) -> Proc:
        port = self.procs["redis"].port if "redis" in self.procs else free_port()
        argv = [shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1",
                "--port", str(port), "--save", "", "--appendonly", "no",
                "--dir", str(self.directory)]  # fmt: skip
        proc = self._spawn("redis", argv, port)
        self.own_redis = True
        self.redis_url = f"redis://127.0.0.1:{port}/0"
        wait_until(lambda: _redis_ping(port), 20, "redis answering PING")
        return proc

    def start_proxy(self) -> Proc:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        conf = self.directory / "nginx" / "nginx.conf"
        conf.parent.mkdir(parents=True, exist_ok=True)
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (conf.parent / sub).mkdir(exist_ok=True)
        ports = [self.procs[f"web{i}"].port for i in range(self.web_count)]
        conf.write_text(nginx_conf(conf.parent, self.proxy_port, ports))
        proc = self._spawn("nginx", [nginx, "-c", str(conf), "-p", str(conf.parent)],
                           self.proxy_port)  # fmt: skip
        wait_until(lambda: http_status(f"{self.site_url}/healthz") == 200, 20,
                   "nginx passing /healthz")  # fmt: skip
        return proc

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal a process group the cluster started (``kill -9`` by default)."""
        proc = self.procs[name]
        proc.signal_group(sig)
        popen = _children.get(proc.pid)
        if popen is not None:
            try:
                popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.signal_group(signal.SIGKILL)
                popen.wait(timeout=15)

    def stop_all(self) -> None:
        """TERM every process group (workers, then web, then proxy and Redis), KILL what stays."""
        order = sorted(self.procs.values(), key=lambda p: _STOP_ORDER.get(p.name[:3], 0))
        for proc in order:
            proc.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in order:
            while proc.alive() and time.monotonic() < deadline:
                _reap(proc.pid)
                time.sleep(0.05)
            if proc.alive():
                proc.signal_group(signal.SIGKILL)
            _reap(proc.pid, block=True)
        self.save()

    # --- the whole site -------------------------------------------------------------------
    def up(self, *, proxy: bool = True, workers: bool = True, demo: bool = False,
           fresh_database: str | None = None) -> None:  # fmt: skip
        """Start everything; ``fresh_database``: the name of a database to drop, create and
        migrate first (None: ``database_url`` is ready)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.instance.mkdir(parents=True, exist_ok=True)
        if proxy and self.proxy_port is None:
            self.proxy_port = free_port()
        if fresh_database:
            create_database(fresh_database)
            self.own_database = True
            self.flask("db", "upgrade")
            if demo:
                self.flask("seed-demo")
        for i in range(self.web_count):
            self.start_web(i, wait=0)
        for i in range(self.web_count):
            self.wait_web(i)
        if proxy:
            self.start_proxy()
        if workers:
            self.start_search_worker()
            self.start_notifier()

    def save(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        data = asdict(self) | {"directory": str(self.directory)}
        state = self.directory / "state.json"
        state.write_text(json.dumps(data, ensure_ascii=False, indent=1))
        state.chmod(0o600)  # holds the secret key

    @classmethod
    def load(cls, directory: Path) -> Cluster:
        data = json.loads((directory / "state.json").read_text())
        data["directory"] = Path(data["directory"])
        data["procs"] = {k: Proc(**v) for k, v in data["procs"].items()}
        return cls(**data)


_STOP_ORDER = {"sea": 0, "not": 0, "ngi": 1, "web": 2, "red": 3}
_children: dict[int, subprocess.Popen] = {}
#: settings of the calling environment never passed on (the cluster sets its own)
_APP_SETTINGS = {"DATABASE_URL", "REDIS_URL", "SOCKETIO_MESSAGE_QUEUE", "SOCKETIO_CHANNEL",
                 "INSTANCE_PATH", "SECRET_KEY", "SITE_URL", "TRUSTED_HOSTS", "KYOSO_TEST_CONFIG",
                 "TEST_DATABASE_URL", "RATELIMIT_STORAGE_URI", "MAIL_OUTBOX_DIR",
                 "ATTACHMENTS_DIR", "SEARCH_INDEX_DIR", "PROMETHEUS_MULTIPROC_DIR"}  # fmt: skip


def _reap(pid: int, block: bool = False) -> None:
    popen = _children.get(pid)
    if popen is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            popen.wait(timeout=10 if block else 0.001)


def _redis_ping(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")


def nginx_conf(prefix: Path, port: int, backends: list[int]) -> str:
    """The README's nginx sample for one machine. Sticky by the client's whole address
    (``hash $remote_addr consistent``: ``ip_hash`` keys IPv4 on its first three octets, so every
    127.0.0.x would go to one backend). A POST is never retried on another backend once sent
    (nginx's default for non-idempotent requests), so a killed backend cannot double a write.
    ``Host $http_host`` keeps the port (not 443 here): Socket.IO compares the Origin with it."""
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=3s;" for p in backends)
    return f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
user root;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi; uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
  client_max_body_size 12m;
  upstream kyoso {{
    hash $remote_addr consistent;
{servers}
  }}
  server {{
    listen 127.0.0.1:{port};
    server_name 127.0.0.1;
    location / {{
      proxy_pass http://kyoso; proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Request-ID $request_id;
    }}
    location /socket.io {{
      proxy_pass http://kyoso; proxy_http_version 1.1; proxy_buffering off;
      proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "Upgrade";
      proxy_set_header Host $http_host; proxy_read_timeout 86400;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }}
  }}
}}
"""


def _admin_engine():
    from sqlalchemy import create_engine

    return create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")


def create_database(name: str) -> None:
    from sqlalchemy import text

    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def drop_database(name: str) -> None:
    from sqlalchemy import text

    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


# --- command line -------------------------------------------------------------------------
def _cmd_up(args) -> int:
    state = args.dir / "state.json"
    if state.exists() and any(p.alive() for p in Cluster.load(args.dir).procs.values()):
        print(f"a cluster is running ({state}); run 'down' first", file=sys.stderr)
        return 1
    if args.dir.exists():
        shutil.rmtree(args.dir)
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{args.db_name}"
    cluster = Cluster(args.dir, url, web_count=args.web, proxy_port=args.port,
                      settings=dict(s.split("=", 1) for s in args.set))  # fmt: skip
    started = time.monotonic()
    try:
        if args.redis_url:
            cluster.redis_url = args.redis_url
        else:
            cluster.start_redis()
        cluster.up(demo=args.demo, fresh_database=args.db_name)
    except BaseException:
        cluster.stop_all()
        raise
    print(f"up in {time.monotonic() - started:.1f} s: {cluster.site_url}  (state: {state})")
    _print_status(cluster)
    return 0


def _cmd_down(args) -> int:
    if not (args.dir / "state.json").exists():
        print("no cluster state; nothing to stop")
        return 0
    cluster = Cluster.load(args.dir)
    cluster.stop_all()
    if cluster.own_database and not args.keep_database:
        drop_database(cluster.database_url.rsplit("/", 1)[1])
    left = [p.name for p in cluster.procs.values() if p.alive()]
    print("stopped" + (f"; still alive: {left}" if left else ""))
    return 1 if left else 0


def _print_status(cluster: Cluster) -> None:
    print(
        f"site: {cluster.site_url}   database: {cluster.database_url}   redis: {cluster.redis_url}"
    )
    for proc in cluster.procs.values():
        alive = proc.alive()
        extra = ""
        if alive and proc.port and proc.name != "redis":
            try:
                extra = f"  /readyz {http_status(f'http://127.0.0.1:{proc.port}/readyz')}"
            except OSError as error:
                extra = f"  /readyz unreachable ({error})"
        where = f"127.0.0.1:{proc.port}" if proc.port else "-"
        print(f"  {proc.name:<7} pid {proc.pid:<8} {where:<16} {'up' if alive else 'DOWN'}{extra}"
              f"  log {proc.log}")  # fmt: skip


def _cmd_status(args) -> int:
    if not (args.dir / "state.json").exists():
        print("no cluster (run 'up')")
        return 1
    cluster = Cluster.load(args.dir)
    _print_status(cluster)
    return 0 if all(p.alive() for p in cluster.procs.values()) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="state, logs, instance")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the cluster")
    up.add_argument("--web", type=int, default=2, help="gunicorn processes (default 2)")
    up.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    up.add_argument("--db-name", default="kyoso_cluster")
    up.add_argument("--demo", action="store_true", help="load the demo content")
    up.add_argument("--redis-url", default="", help="an existing Redis (default: start one)")
    up.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="an application setting for every process, repeatable")  # fmt: skip
    up.set_defaults(run=_cmd_up)
    down = sub.add_parser("down", help="stop everything and drop the database")
    down.add_argument("--keep-database", action="store_true")
    down.set_defaults(run=_cmd_down)
    sub.add_parser("status", help="what runs where").set_defaults(run=_cmd_status)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
