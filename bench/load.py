"""Mixed load with Locust (issue #17 item 2): readers, API and web-form writers, flags and live
Socket.IO readers against a running Kyoso (the cluster of ``bench/cluster.py``, or any server).

    .venv/bin/python bench/load.py venv                               # Locust's own venv, once
    .venv/bin/python bench/load.py setup --database-url URL           # accounts, threads → setup.json
    .venv/bin/python bench/load.py run --base-url http://127.0.0.1:8080 --users 60 --run-time 60
    .venv/bin/python bench/load.py step --base-url … --users 20,40,80,160 --run-time 60

``setup`` writes into the site's database (through the app's own services, as the CLI would):
``--writers`` members (120: one per simulated writer up to 400 users) with an API token each, created 30 days ago and with two visible posts
already (so their posts are not held as a new account's first posts), a hot thread on 全体交流,
``--threads`` threads with replies to read, and posts by another member to flag. The server's
limits must allow the load's writes from one address: run it with
``MODERATION_FLAGS_PER_DAY=100000`` (bench/cluster.py sets it for ``--load``).

``run`` starts Locust headless (``bench/load/locustfile.py``) for a fixed time and prints the
figures: requests per second, p50/p95/p99 of all requests and of each kind, failures, live
delivery p95 and lost deliveries. ``step`` runs it for growing user counts and reports the
highest rate whose p95 stays ≤ 200 ms. Locust and the server share this machine's two cores:
the figures are what one machine holds *with its load generator on it*.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LOAD_VENV = ROOT / "bench" / ".venv-load"
LOCUSTFILE = ROOT / "bench" / "load" / "locustfile.py"
OUT = Path("/tmp/kyoso-load")
PASSWORD = "load-password-2026"
#: Locust (gevent) and the Socket.IO client the live readers use
LOAD_PACKAGES = ["locust>=2.30,<3", "python-socketio[client]>=5.11,<6", "websocket-client>=1.8,<2"]
TARGET_P95_MS = 200.0


def make_venv() -> None:
    if not (LOAD_VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(LOAD_VENV)], check=True)
    subprocess.run([str(LOAD_VENV / "bin" / "pip"), "install", "-q", *LOAD_PACKAGES], check=True)
    print(f"Locust is in {LOAD_VENV}")


def setup(database_url: str, writers: int, threads: int, out: Path) -> dict:
    from app import create_app

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "load-setup-" + "x" * 32,
                      "SITE_URL": "http://127.0.0.1", "INSTANCE_PATH": str(out / "instance"),
                      "SEARCH_INDEXER": "off", "NOTIFICATION_WORKER": "off"})  # fmt: skip
    with app.app_context():
        from sqlalchemy import select

        from auth.accounts import create_api_token, register_user
        from auth.models import User
        from auth.permissions import THREAD_CREATE, can
        from core.extensions import db
        from core.types import utcnow
        from forum import posting, queries

        stamp = int(time.time())
        board = queries.get_board("zentai")
        author = register_user(email=f"load-author-{stamp}@example.jp", handle=f"la{stamp}",
                               display_name="負荷 投稿者", password=PASSWORD,
                               email_confirmed=True)  # fmt: skip
        accounts = []
        for i in range(writers):
            user = register_user(email=f"load-{stamp}-{i}@example.jp", handle=f"l{stamp}{i}",
                                 display_name=f"負荷 {i}", password=PASSWORD,
                                 email_confirmed=True)  # fmt: skip
            accounts.append((user, create_api_token(user, "load")))
        for user in [author, *(u for u, _ in accounts)]:
            user.created_at = utcnow() - timedelta(days=30)
        # boards anyone may read where a plain member may start a discussion
        boards = [b.slug for b in queries.readable_boards(None)
                  if can(accounts[0][0], THREAD_CREATE, b)][:6]  # fmt: skip
        hot = posting.create_thread(board=board, author=author, title="負荷試験：話題のスレッド",
                                    body="多くの人が同時に読んでいるスレッドです。")  # fmt: skip
        thread_ids, flaggable = [], []
        for i in range(threads):
            target = queries.get_board(boards[i % len(boards)]) or board
            thread = posting.create_thread(board=target, author=author,
                                           title=f"負荷試験のスレッド {i + 1}",
                                           body="地域の見守りと買い物支援について。")  # fmt: skip
            thread_ids.append(thread.id)
            for j in range(5):
                flaggable.append(posting.create_reply(thread=thread, author=author,
                                                      body=f"返信 {j + 1}：配食と送迎の工夫").id)  # fmt: skip
        for user, _token in accounts:  # two visible posts each: not a new member's first posts
            for _ in range(2):
                posting.create_reply(thread=hot, author=user, body="よろしくお願いします。")
        db.session.commit()
        data = {
            "password": PASSWORD,
            "writers": [{"email": u.email, "token": t} for u, t in accounts],
            "hot_thread_id": hot.id, "hot_board_slug": board.slug,
            "thread_ids": thread_ids, "board_slugs": boards, "flaggable_post_ids": flaggable,
            "members": db.session.scalar(select(db.func.count()).select_from(User)),
        }  # fmt: skip
        db.engine.dispose()
    out.mkdir(parents=True, exist_ok=True)
    (out / "setup.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    print(f"setup: {writers} writers, {threads} threads, hot thread {data['hot_thread_id']} "
          f"→ {out / 'setup.json'}")  # fmt: skip
    return data


def _percentile(row: dict, key: str) -> float:
    value = row.get(key) or "0"
    return float(value) if value not in ("N/A", "") else 0.0


def run(base_url: str, users: int, run_time: int, out: Path, spawn_rate: float,
        extra_env: dict | None = None) -> dict:  # fmt: skip
    locust = LOAD_VENV / "bin" / "locust"
    if not locust.exists():
        raise SystemExit("run `bench/load.py venv` first")
    prefix = out / f"u{users}"
    env = {**os.environ, "KYOSO_LOAD_SETUP": str(out / "setup.json"), "KYOSO_LOAD_OUT": str(out),
           **(extra_env or {})}  # fmt: skip
    started = time.monotonic()
    subprocess.run(
        [str(locust), "-f", str(LOCUSTFILE), "--headless", "--host", base_url, "-u", str(users),
         "-r", str(spawn_rate), "-t", f"{run_time}s", "--csv", str(prefix), "--only-summary",
         "--stop-timeout", "10", "--loglevel", "WARNING"],
        env=env, check=False, timeout=run_time + 180,
    )  # fmt: skip
    rows = list(csv.DictReader((prefix.parent / f"{prefix.name}_stats.csv").open(encoding="utf-8")))
    live = json.loads((out / "live.json").read_text()) if (out / "live.json").exists() else {}
    total = next(r for r in rows if r["Name"] == "Aggregated")
    http = [r for r in rows if r["Name"] != "Aggregated"]
    delivered = live.get("post_created delivered") or {}
    requests = sum(int(r["Request Count"]) for r in http)
    failures = sum(int(r["Failure Count"]) for r in http)
    worst = max(http, key=lambda r: _percentile(r, "95%"), default=None)
    result = {
        "users": users, "seconds": round(time.monotonic() - started, 1),
        "rps": round(sum(float(r["Requests/s"]) for r in http), 1),
        "requests": requests, "failures": failures,
        "p95_all_ms": _percentile(total, "95%"),
        "worst_p95": (worst["Name"], _percentile(worst, "95%")) if worst else None,
        "delivery_p50_ms": delivered.get("p50"), "delivery_p95_ms": delivered.get("p95"),
        "live": live,
        "by_name": {r["Name"]: {"n": int(r["Request Count"]), "fail": int(r["Failure Count"]),
                                "p50": _percentile(r, "50%"), "p95": _percentile(r, "95%")}
                    for r in rows if r["Name"] != "Aggregated"},
    }  # fmt: skip
    (out / f"u{users}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return result


def _print(result: dict) -> None:
    print(f"users {result['users']:>4}: {result['rps']:>6.1f} req/s, p95 {result['p95_all_ms']:.0f} ms "
          f"(worst {result['worst_p95']}), failures {result['failures']}/{result['requests']}, "
          f"delivery p50/p95 {result['delivery_p50_ms']}/{result['delivery_p95_ms']} ms, "
          f"live {result['live']}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("venv")
    s = sub.add_parser("setup")
    s.add_argument("--database-url", required=True)
    s.add_argument("--writers", type=int, default=120)
    s.add_argument("--threads", type=int, default=60)
    s.add_argument("--out", type=Path, default=OUT)
    for name in ("run", "step"):
        r = sub.add_parser(name)
        r.add_argument("--base-url", required=True)
        r.add_argument("--users", default="60" if name == "run" else "20,40,80,160")
        r.add_argument("--run-time", type=int, default=60)
        r.add_argument("--spawn-rate", type=float, default=10)
        r.add_argument("--out", type=Path, default=OUT)
        r.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.command == "venv":
        make_venv()
        return
    if args.command == "setup":
        setup(args.database_url, args.writers, args.threads, args.out)
        return
    results = []
    for users in [int(x) for x in str(args.users).split(",")]:
        result = run(args.base_url, users, args.run_time, args.out, args.spawn_rate)
        _print(result)
        results.append(result)
        if args.command == "step" and result["p95_all_ms"] > TARGET_P95_MS:
            break
    held = [r for r in results if r["p95_all_ms"] <= TARGET_P95_MS and not r["failures"]]
    if args.command == "step":
        best = max(held, key=lambda r: r["rps"], default=None)
        print(
            f"sustained at p95 ≤ {TARGET_P95_MS:.0f} ms with no failures: "
            + (f"{best['rps']} req/s ({best['users']} users)" if best else "none")
        )
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
