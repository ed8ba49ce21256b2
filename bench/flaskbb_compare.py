"""Side-by-side throughput: Kyoso's thread page against FlaskBB 2.2.0's topic page (issue 11,
item 6). A benchmark for a person to run and read, not a test.

    .venv/bin/python bench/flaskbb_compare.py                   # ~2.5 min (first run: + pip)
    .venv/bin/python bench/flaskbb_compare.py --duration 5s --rounds 1
    .venv/bin/python bench/flaskbb_compare.py --baseline /tmp/kyoso-base   # + an older tree
    .venv/bin/python bench/flaskbb_compare.py --set ANON_PAGE_CACHE_SECONDS=0  # no page cache

What it does:

1. FlaskBB 2.2.0 in a throwaway venv outside the repository (``--workdir``, default
   ``/tmp/kyoso-flaskbb-bench``; reused by later runs, ``--fresh-venv`` rebuilds it): Python
   >= 3.12 (``--flaskbb-python``), ``pip install flaskbb==2.2.0 gunicorn``. FlaskBB 2.2.0 only
   imports with ``from __future__ import annotations`` applied to its modules (e.g.
   ``flaskbb/plugins/manager.py`` annotates with a name imported only under TYPE_CHECKING), so
   the venv gets a small meta-path finder, loaded from a ``.pth`` file, that compiles
   ``flaskbb`` and ``flaskbb_plugin_*`` modules with that flag. No FlaskBB code is in the repo.
2. FlaskBB on a fresh SQLite file: ``flaskbb --config … install`` (admin, the welcome forum,
   the default plugins), then one topic of 10 posts (1 + 9 replies, two authors).
3. Kyoso on a fresh migrated SQLite file in the work folder: one thread of 50 posts and one of
   10 (1 + replies, two members), the same Markdown body as FlaskBB's posts.
4. Both served by gunicorn, one worker each (``-w 1 -k sync`` by default, ``--worker-class``),
   on 127.0.0.1; a check that each page answers 200 and shows the expected number of posts;
   a short ``wrk`` warm-up per case.
5. ``--rounds`` (default 3) alternating rounds of ``wrk -c4 -t2 -d10s`` (``--connections``,
   ``--threads``, ``--duration``), anonymous GETs: Kyoso 50 posts, FlaskBB 10 posts, Kyoso
   10 posts. Prints requests/s per case, the ratios Kyoso/FlaskBB per round and their median.

``--baseline PATH`` serves a second Kyoso tree too (e.g. ``git worktree add /tmp/kyoso-base
<commit>``), on its own database made by its own code, and adds its two cases (base-50,
base-10) to every round: a before/after of a change, measured in the same rounds.

Every server is killed at the end, also on Ctrl-C or an error; the whole run is bounded by
``--time-budget`` (rounds that would start after it are skipped). ``wrk`` must be installed
(Debian/Ubuntu: ``apt-get install -y wrk``). Kyoso's gunicorn comes from Kyoso's venv if it is
installed there, else it is pip-installed with ``--target`` into the work folder (Kyoso's
venv is not changed).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

#: the Kyoso tree to serve; a ``--baseline`` tree is prepared by this file run with it set
ROOT = Path(os.environ.get("KYOSO_BENCH_ROOT") or Path(__file__).resolve().parents[1]).resolve()
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FLASKBB_VERSION = "2.2.0"
DEFAULT_FLASKBB_PYTHON = "/root/.pyenv/versions/3.12.1/bin/python3.12"
BODY = (
    "当市では移動販売と見守りを組み合わせた取り組みを始めました。\n\n"
    "- 週1回の巡回（火曜日の午前）\n"
    "- 利用者の様子を**民生委員さん**に共有\n"
    "- 困りごとは地域包括支援センターへ\n\n"
    "> 買い物のついでに声をかけてもらえるのが安心です。\n\n"
    "同じような取り組みをされている地域があれば、"
    "運営の工夫や費用の分担について教えてください。"
)

# --- the FlaskBB venv --------------------------------------------------------------------------

IMPORT_HOOK = '''\
"""Compile FlaskBB's modules with ``from __future__ import annotations`` (kyoso bench)."""
import __future__
import sys
from importlib.machinery import PathFinder, SourceFileLoader

_FLAG = __future__.annotations.compiler_flag


class _FutureAnnotationsLoader(SourceFileLoader):
    def get_code(self, fullname):  # always from source: a cached .pyc may lack the flag
        path = self.get_filename(fullname)
        return compile(self.get_data(path), path, "exec", flags=_FLAG, dont_inherit=True)


class _FlaskBBFinder:
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if not (fullname == "flaskbb" or fullname.startswith(("flaskbb.", "flaskbb_plugin_"))):
            return None
        spec = PathFinder.find_spec(fullname, path, target)
        if spec is not None and type(spec.loader) is SourceFileLoader:
            spec.loader = _FutureAnnotationsLoader(spec.loader.name, spec.loader.path)
        return spec


sys.meta_path.insert(0, _FlaskBBFinder)
'''

FLASKBB_CONFIG = """\
SQLALCHEMY_DATABASE_URI = "sqlite:///{db}"
SECRET_KEY = "flaskbb-bench-secret"
WTF_CSRF_SECRET_KEY = "flaskbb-bench-csrf"
DEBUG = False
TESTING = False
USE_DEFAULT_LOGGING = False
WHOOSHEE_DIR = "{whoosh}"
REDIS_ENABLED = False
CACHE_TYPE = "SimpleCache"
RATELIMIT_STORAGE_URL = "memory://"
RATELIMIT_STORAGE_URI = "memory://"
"""

# runs in the FlaskBB venv after ``flaskbb install``: one topic with 10 posts, two authors
FLASKBB_SEED = """\
import json, sys
from flaskbb import create_app
from flaskbb.extensions import db
from flaskbb.forum.models import Forum, Post, Topic
from flaskbb.user.models import User
from flaskbb.utils.populate import create_user

config, n_posts, body = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
app = create_app(config)
with app.app_context():
    admin = db.session.get(User, 1)
    member = create_user("member", "bench-password-2026", "member@example.org", "member")
    forum = db.session.get(Forum, 1)
    topic = Topic(title="移動販売と見守りの組み合わせ")
    topic.save(user=admin, forum=forum, post=Post(content=body + "\\n\\n（1）"))
    for n in range(2, n_posts + 1):
        Post(content=body + f"\\n\\n（{n}）").save(user=member if n % 2 else admin, topic=topic)
    with app.test_request_context():
        print(json.dumps({"path": topic.url, "posts": topic.post_count}))
"""


def run(cmd: list[str], *, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, cmd[:4]))} … failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        )
    return result


def ensure_flaskbb_venv(workdir: Path, python: str, fresh: bool) -> Path:
    venv = workdir / "flaskbb-venv"
    if fresh and venv.exists():
        shutil.rmtree(venv)
    vpy = venv / "bin" / "python"
    marker = venv / f".kyoso-bench-flaskbb-{FLASKBB_VERSION}"
    if not marker.exists():
        if not Path(python).exists():
            raise SystemExit(f"FlaskBB {FLASKBB_VERSION} needs Python >= 3.12: {python} not found "
                             "(--flaskbb-python)")  # fmt: skip
        print(f"[setup] venv for FlaskBB {FLASKBB_VERSION} in {venv} (pip, ~1 min)", flush=True)
        run([python, "-m", "venv", str(venv)], timeout=120)
        run([str(vpy), "-m", "pip", "install", "-q", f"flaskbb=={FLASKBB_VERSION}", "gunicorn"],
            timeout=600)  # fmt: skip
        site = run([str(vpy), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                   timeout=60).stdout.strip()  # fmt: skip
        (Path(site) / "kyoso_bench_flaskbb_future.py").write_text(IMPORT_HOOK)
        (Path(site) / "kyoso_bench_flaskbb_future.pth").write_text(
            "import kyoso_bench_flaskbb_future\n"
        )
        marker.write_text("ok\n")
    return venv


def prepare_flaskbb(workdir: Path, venv: Path, n_posts: int) -> dict:
    data = workdir / "flaskbb-data"
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    config = data / "flaskbb.cfg"
    config.write_text(FLASKBB_CONFIG.format(db=data / "flaskbb.sqlite", whoosh=data / "whoosh"))
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ.get('PATH', '')}"}  # pybabel
    run([str(venv / "bin" / "flaskbb"), "--config", str(config), "install", "--force",
         "--username", "admin", "--email", "admin@example.org", "--password",
         "bench-password-2026"], timeout=300, env=env, cwd=data)  # fmt: skip
    out = run([str(venv / "bin" / "python"), "-c", FLASKBB_SEED, str(config), str(n_posts),
               json.dumps(BODY)], timeout=300, env=env, cwd=data).stdout  # fmt: skip
    seeded = json.loads(out.strip().splitlines()[-1])
    if seeded["posts"] != n_posts:
        raise RuntimeError(f"FlaskBB topic has {seeded['posts']} posts, expected {n_posts}")
    return {"config": str(config), "path": seeded["path"], "data": data}


# --- Kyoso -------------------------------------------------------------------------------------


def kyoso_config(workdir: Path, data_name: str = "kyoso-data") -> dict:
    data = workdir / data_name
    return {
        "DATABASE_URL": f"sqlite:///{data / 'kyoso.sqlite3'}",
        "SECRET_KEY": "kyoso-flaskbb-bench",
        "INSTANCE_PATH": str(data / "instance"),
        "SITE_URL": "http://127.0.0.1",
        "TESTING": False,
        # background workers would index / notify about the seeded posts during the first round
        "SEARCH_INDEXER": "off",
        "NOTIFICATION_WORKER": "off",
    }


def prepare_kyoso(workdir: Path, sizes: list[int], data_name: str = "kyoso-data") -> dict:
    """A fresh migrated SQLite database; one thread per size (1 + replies, two members)."""
    data = workdir / data_name
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    config = kyoso_config(workdir, data_name)
    from flask_migrate import upgrade

    from app import create_app

    app = create_app(config)
    with app.app_context():
        upgrade()
        from auth.accounts import register_user
        from core.extensions import db
        from forum import posting, queries

        users = [
            register_user(email=f"bench{i}@bench.kyoso.example", handle=f"bench{i}",
                          display_name=name, password="bench-password-2026",
                          email_confirmed=True)
            for i, name in ((1, "比較 太郎"), (2, "比較 花子"))
        ]  # fmt: skip
        board = queries.get_board("zentai")
        paths = {}
        for size in sizes:
            thread = posting.create_thread(board=board, author=users[0],
                                           title="移動販売と見守りの組み合わせ",
                                           body=BODY + "\n\n（1）")  # fmt: skip
            for n in range(2, size + 1):
                posting.create_reply(thread=thread, author=users[n % 2], body=BODY + f"\n\n（{n}）")
            db.session.commit()
            paths[size] = f"/t/{thread.id}"
        db.engine.dispose()
    return {"config": config, "paths": paths}


def prepare_baseline(workdir: Path, baseline: Path, sizes: list[int]) -> dict:
    """The same data for another Kyoso tree, made by that tree's own code (this file, run
    with ``KYOSO_BENCH_ROOT`` set to it)."""
    out = run([sys.executable, str(Path(__file__).resolve()), "--prepare-kyoso", str(workdir),
               "--sizes", ",".join(map(str, sizes))],
              timeout=300, env={**os.environ, "KYOSO_BENCH_ROOT": str(baseline)}).stdout  # fmt: skip
    prepared = json.loads(out.strip().splitlines()[-1])
    prepared["paths"] = {int(k): v for k, v in prepared["paths"].items()}
    return prepared


def parse_settings(pairs: list[str]) -> dict:
    """``--set KEY=VALUE`` pairs, each value parsed as config.SETTINGS says."""
    from config import SETTINGS

    settings = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--set wants KEY=VALUE, not {pair!r}")
        settings[key] = SETTINGS.get(key, (None, str))[1](value)
    return settings


def kyoso_gunicorn(workdir: Path) -> tuple[list[str], dict]:
    """The command that runs gunicorn with Kyoso's interpreter, and extra environment."""
    try:
        import gunicorn  # noqa: F401

        return [sys.executable, "-m", "gunicorn"], {}
    except ImportError:
        target = workdir / "kyoso-gunicorn"
        if not (target / "gunicorn").exists():
            print(f"[setup] gunicorn for Kyoso's Python in {target} (pip --target)", flush=True)
            run([sys.executable, "-m", "pip", "install", "-q", "--target", str(target),
                 "gunicorn"], timeout=300)  # fmt: skip
        path = os.pathsep.join(p for p in (str(target), os.environ.get("PYTHONPATH")) if p)
        return [sys.executable, "-m", "gunicorn"], {"PYTHONPATH": path}


# --- servers and load --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name: str, cmd: list[str], app: str, *, env: dict, cwd: Path,
                 worker_class: str, log: Path) -> None:  # fmt: skip
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [*cmd, "-w", "1", "-k", worker_class, "-b", f"127.0.0.1:{self.port}",
                 "--timeout", "60", "--graceful-timeout", "3", "--log-level", "warning", app],
                cwd=cwd, env={**os.environ, **env}, stdout=out, stderr=out,
                start_new_session=True,  # its own process group: server and worker die together
            )  # fmt: skip

    def wait_ready(self, path: str, seconds: float = 60) -> None:
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited; log: {self.log}\n{self.log.read_text()[-3000:]}"
                )
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(self.base + path, timeout=5) as r,
            ):
                if r.status == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready after {seconds} s; log: {self.log}")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server's processes (gunicorn's master and its worker):
        per request, a figure that a busy machine hardly moves, unlike requests/s."""
        total = 0.0
        for pid in [self.process.pid, *_children(self.process.pid)]:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=8)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=8)


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
        return response.read().decode()


def check_pages(cases: list[dict]) -> None:
    """Each page answers 200 to an anonymous GET and shows the expected number of posts."""
    for case in cases:
        html = fetch(case["url"])
        shown = len(re.findall(case["post_marker"], html))
        if shown != case["posts"]:
            raise RuntimeError(f"{case['name']}: {shown} posts on {case['url']}, "
                               f"expected {case['posts']}")  # fmt: skip
        case["bytes"] = len(html.encode())


def wrk(url: str, *, connections: int, threads: int, duration: str) -> dict:
    seconds = parse_seconds(duration)
    result = subprocess.run(
        ["wrk", f"-c{connections}", f"-t{threads}", f"-d{duration}", "--latency", url],
        capture_output=True, text=True, timeout=seconds + 30,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed: {result.stderr or result.stdout}")
    out = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    return {"rps": rps, "requests": requests, "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(0) if errors else "", "p50": p50.group(1) if p50 else "?"}  # fmt: skip


def parse_seconds(duration: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", duration)
    if not match:
        raise SystemExit(f"bad duration {duration!r} (e.g. 10s)")
    value, unit = float(match.group(1)), match.group(2) or "s"
    return value * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]


def machine() -> dict:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "python_kyoso": platform.python_version()}  # fmt: skip


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "kyoso-flaskbb-bench")  # fmt: skip
    parser.add_argument("--flaskbb-python", default=DEFAULT_FLASKBB_PYTHON)
    parser.add_argument("--fresh-venv", action="store_true", help="rebuild FlaskBB's venv")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", default="10s", help="wrk -d per case and round")
    parser.add_argument("--connections", type=int, default=4, help="wrk -c")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--warmup", default="2s", help="wrk -d of the warm-up per case")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"],
                        help="gunicorn -k, the same for both servers")  # fmt: skip
    parser.add_argument("--time-budget", type=float, default=600,
                        help="seconds; no round starts after this")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument("--baseline", type=Path,
                        help="another Kyoso tree (e.g. a git worktree of an older commit), "
                             "measured in the same rounds (cases base-50, base-10)")  # fmt: skip
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a setting of this tree's Kyoso, repeatable (e.g. "
                             "ANON_PAGE_CACHE_SECONDS=0: every page made)")  # fmt: skip
    parser.add_argument("--prepare-kyoso", type=Path, help=argparse.SUPPRESS)  # internal
    parser.add_argument("--sizes", default="50,10", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare_kyoso:  # run by prepare_baseline with KYOSO_BENCH_ROOT = the baseline tree
        sizes = [int(n) for n in args.sizes.split(",")]
        prepared = prepare_kyoso(args.prepare_kyoso, sizes, data_name="kyoso-base-data")
        print(json.dumps(prepared))
        return 0

    if shutil.which("wrk") is None:
        print("wrk is not installed. Debian/Ubuntu: apt-get install -y wrk "
              "(or build it from https://github.com/wg/wrk)", file=sys.stderr)  # fmt: skip
        return 2
    started = time.time()
    args.workdir.mkdir(parents=True, exist_ok=True)
    logs = args.workdir / "logs"
    logs.mkdir(exist_ok=True)
    servers: list[Server] = []

    def on_term(signum, _frame):  # SIGTERM/SIGHUP: unwind through the finally below
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)
    try:
        venv = ensure_flaskbb_venv(args.workdir, args.flaskbb_python, args.fresh_venv)
        print("[setup] FlaskBB: install + one topic of 10 posts", flush=True)
        fbb = prepare_flaskbb(args.workdir, venv, 10)
        print("[setup] Kyoso: migrated database + threads of 50 and 10 posts", flush=True)
        kyo = prepare_kyoso(args.workdir, [50, 10])
        kyo["config"].update(parse_settings(args.set))
        trees = [("kyoso", ROOT, kyo)]
        if args.baseline:
            print(f"[setup] baseline Kyoso from {args.baseline}", flush=True)
            trees.append(("base", args.baseline.resolve(),
                          prepare_baseline(args.workdir, args.baseline, [50, 10])))  # fmt: skip
        k_cmd, k_env = kyoso_gunicorn(args.workdir)

        kyoso_servers = {}
        for name, root, prepared in trees:
            pythonpath = os.pathsep.join(p for p in (k_env.get("PYTHONPATH"), str(root)) if p)
            kyoso_servers[name] = Server(
                name, k_cmd, f"app:create_app({prepared['config']!r})",
                env={"PYTHONPATH": pythonpath}, cwd=root, worker_class=args.worker_class,
                log=logs / f"{name}.log",
            )  # fmt: skip
            servers.append(kyoso_servers[name])
        flaskbb = Server("flaskbb", [str(venv / "bin" / "gunicorn")],
                         f"flaskbb:create_app({fbb['config']!r})", env={}, cwd=fbb["data"],
                         worker_class=args.worker_class, log=logs / "flaskbb.log")  # fmt: skip
        servers.append(flaskbb)
        for name, _root, prepared in trees:
            kyoso_servers[name].wait_ready(prepared["paths"][10])
        flaskbb.wait_ready(fbb["path"])

        article = r'<article class="post[ "]'
        cases = []
        for name, _root, prepared in trees:  # per round: K50, FlaskBB, K10 (then base 50, 10)
            base = kyoso_servers[name].base
            cases.append({"name": f"{name}-50", "url": base + prepared["paths"][50], "posts": 50,
                          "post_marker": article, "server": kyoso_servers[name]})  # fmt: skip
            if name == "kyoso":
                cases.append({"name": "flaskbb-10", "url": flaskbb.base + fbb["path"],
                              "posts": 10, "post_marker": r'class="post-content"', "server": flaskbb})  # fmt: skip
            cases.append({"name": f"{name}-10", "url": base + prepared["paths"][10], "posts": 10,
                          "post_marker": article, "server": kyoso_servers[name]})  # fmt: skip
        check_pages(cases)
        info = {**machine(), "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                "load_before": loadavg(), "worker_class": args.worker_class,
                "wrk": f"-c{args.connections} -t{args.threads} -d{args.duration}",
                "kyoso_settings": args.set}  # fmt: skip
        print(f"[info] {info['date']}, {info['cpu']} × {info['cores']}, load {info['load_before']}")
        if args.set:
            print(f"[info] Kyoso settings: {' '.join(args.set)}")
        print(f"[info] gunicorn -w 1 -k {args.worker_class}; wrk {info['wrk']}; pages: "
              + ", ".join(f"{c['name']} {c['bytes']:,} B" for c in cases))  # fmt: skip
        for case in cases:
            wrk(case["url"], connections=args.connections, threads=args.threads,
                duration=args.warmup)  # fmt: skip

        per_case = parse_seconds(args.duration) + 1
        rounds: list[dict] = []
        for r in range(1, args.rounds + 1):
            if time.time() - started + per_case * len(cases) > args.time_budget:
                print(f"[stop] time budget: round {r} skipped", flush=True)
                break
            row = {"round": r, "load": loadavg()}
            for case in cases:
                cpu_before = case["server"].cpu_seconds()
                res = wrk(case["url"], connections=args.connections, threads=args.threads,
                          duration=args.duration)  # fmt: skip
                res["cpu_ms"] = (
                    (case["server"].cpu_seconds() - cpu_before) * 1000 / max(res["requests"], 1)
                )
                row[case["name"]] = res
                flag = f"  ({res['non_2xx']} non-2xx!)" if res["non_2xx"] else ""
                print(f"  round {r} {case['name']:<11} {res['rps']:8.1f} req/s  "
                      f"p50 {res['p50']:>9}  server CPU {res['cpu_ms']:6.2f} ms/req{flag}",
                      flush=True)  # fmt: skip
            for case in cases:
                if case["name"] != "flaskbb-10":
                    row[f"ratio {case['name']}"] = (
                        row[case["name"]]["rps"] / row["flaskbb-10"]["rps"]
                    )
            rounds.append(row)

        info["load_after"] = loadavg()
        names = [c["name"] for c in cases]
        ratios = [f"ratio {n}" for n in names if n != "flaskbb-10"]
        print()
        print("| round | " + " | ".join(f"{n} req/s" for n in names) + " | "
              + " | ".join(f"{r} / flaskbb-10" for r in ratios) + " | load |")  # fmt: skip
        print("|---:|" + "---:|" * (len(names) + len(ratios)) + "---|")
        for row in rounds:
            print(f"| {row['round']} | " + " | ".join(f"{row[n]['rps']:.1f}" for n in names)
                  + " | " + " | ".join(f"{row[r]:.2f}×" for r in ratios) + f" | {row['load']} |")  # fmt: skip
        if rounds:
            med = {n: statistics.median(row[n]["rps"] for row in rounds) for n in names}
            med_ratio = {r: statistics.median(row[r] for row in rounds) for r in ratios}
            print("| median | " + " | ".join(f"{med[n]:.1f}" for n in names) + " | "
                  + " | ".join(f"**{med_ratio[r]:.2f}×**" for r in ratios)
                  + f" | after: {info['load_after']} |")  # fmt: skip
            info.update(median_rps=med, median_ratio=med_ratio)
            cpu = {n: statistics.median(row[n]["cpu_ms"] for row in rounds) for n in names}
            print("\nserver CPU per request, median (ms): "
                  + ", ".join(f"{n} {cpu[n]:.2f}" for n in names))  # fmt: skip
            info["median_cpu_ms"] = cpu
        if args.json:
            args.json.write_text(json.dumps({"info": info, "rounds": rounds}, indent=2,
                                            ensure_ascii=False))  # fmt: skip
        return 0
    except KeyboardInterrupt:
        print("\n[stop] interrupted", file=sys.stderr)
        return 130
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
