"""Notification fan-out benchmark: does posting stay cheap when many people watch?

    .venv/bin/python bench/notify_bench.py                     # 10,000 board + 1,000 thread watchers
    .venv/bin/python bench/notify_bench.py --board-watchers 0 --thread-watchers 0   # baseline
    .venv/bin/python bench/notify_bench.py -n 100 --db /tmp/n.sqlite3

What it does:

1. builds a fresh, migrated SQLite database (``flask_migrate.upgrade()`` inside ``create_app``) in
   a temporary folder (or ``--db``), with ``--board-watchers`` members watching 全体交流 (level
   watching) and ``--thread-watchers`` others watching one thread on it (rows written with Core
   ``executemany``), one poster and an API token;
2. posts ``-n`` replies to that thread through ``POST /api/v1/threads/<id>/posts`` (the Flask test
   client, Bearer token; rate limits and holds off) with the notification worker *off*, and
   reports the request times (median, p95, max). The request writes the post and one job row;
3. then times the worker on one of those replies (``notifications.worker.process_jobs``: the
   fan-out to every watcher, in bulk) and reports how many notifications it wrote;
4. finally posts ``-n`` more replies while a background worker thread fans them out at the same
   time (``NOTIFICATION_WORKER=thread`` behaviour), to show what a reply costs when the worker
   competes for the SQLite write lock.

A tool for a person to read, not a test: nothing fails on a slow figure.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text  # noqa: E402

from app import create_app  # noqa: E402
from auth import accounts  # noqa: E402
from auth.models import User  # noqa: E402
from core.extensions import db  # noqa: E402
from core.types import utcnow  # noqa: E402
from forum import posting  # noqa: E402
from forum.models import Board  # noqa: E402
from notifications import worker  # noqa: E402
from notifications.models import Notification, NotificationJob, Watch  # noqa: E402

HASH = "pbkdf2:sha256:1000$x$" + "0" * 64  # nobody logs in


def build(app, board_watchers: int, thread_watchers: int) -> tuple[int, str]:
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        board = db.session.scalar(select(Board).where(Board.slug == "zentai"))
        member = accounts.get_role("member")
        poster = accounts.register_user(
            email="poster@bench.example", handle="bench_poster", display_name="投稿者",
            password="bench-password-2026", role="member", email_confirmed=True,
        )  # fmt: skip
        starter = accounts.register_user(
            email="starter@bench.example", handle="bench_starter", display_name="作成者",
            password="bench-password-2026", role="member", email_confirmed=True,
        )  # fmt: skip
        thread = posting.create_thread(board=board, author=starter, title="見守りの工夫",
                                       body="皆さんの地域ではどうしていますか？")  # fmt: skip
        db.session.commit()
        total = board_watchers + thread_watchers
        rows = [
            {"handle": f"w{i:06d}", "email": f"w{i:06d}@bench.example",
             "display_name": f"ウォッチ{i}", "password_hash": HASH, "role_id": member.id}
            for i in range(total)
        ]  # fmt: skip
        for start in range(0, len(rows), 5000):
            db.session.execute(User.__table__.insert(), rows[start : start + 5000])
        ids = list(db.session.scalars(select(User.id).where(User.handle.like("w%"))))
        watches = [
            {"user_id": uid, "target_kind": "board", "target_key": str(board.id),
             "level": "watching"} for uid in ids[:board_watchers]
        ] + [
            {"user_id": uid, "target_kind": "thread", "target_key": str(thread.id),
             "level": "watching"} for uid in ids[board_watchers:]
        ]  # fmt: skip
        for start in range(0, len(watches), 5000):
            db.session.execute(Watch.__table__.insert(), watches[start : start + 5000])
        token = accounts.create_api_token(poster, name="bench")
        db.session.commit()
        worker.run_once()  # the thread_created job: start from an empty queue
        return thread.id, token


def post_replies(app, thread_id: int, token: str, n: int, label: str) -> list[float]:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    times = []
    for i in range(n):
        start = time.perf_counter()
        response = client.post(f"/api/v1/threads/{thread_id}/posts", headers=headers,
                               json={"body": f"{label} 返信 {i}: 週2回の巡回で見守っています。"})  # fmt: skip
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 201, response.get_data(as_text=True)
    return times


def report(name: str, times: list[float]) -> None:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    print(f"{name}: n={len(times)} median {statistics.median(times):.1f} ms, "
          f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms")  # fmt: skip


def _fresh_postgres(server_url: str, name: str) -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--board-watchers", type=int, default=10_000)
    parser.add_argument("--thread-watchers", type=int, default=1_000)
    parser.add_argument("-n", "--repeat", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--db", help="SQLite file to (re)create (default: a temporary folder)")
    parser.add_argument("--postgres", metavar="URL",
                        help="a PostgreSQL server URL (e.g. postgresql+psycopg://postgres@127.0.0.1/postgres);"
                             " the benchmark (re)creates its own database kyoso_notify_bench there")  # fmt: skip
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="kyoso-notify-bench-"))
    path = Path(args.db) if args.db else folder / "bench.sqlite3"
    url = f"sqlite:///{path}"
    if args.postgres:
        url = _fresh_postgres(args.postgres, "kyoso_notify_bench")
    else:
        path.unlink(missing_ok=True)
    config = {
        "DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(folder),
        "SITE_URL": "http://127.0.0.1",
        "RATELIMIT_ENABLED": False, "MODERATION_HOLD_FIRST_POSTS": 0,
        "MODERATION_DUPLICATE_MINUTES": 0, "PII_GUARD": False, "SEARCH_INDEXER": "off",
        "NOTIFICATION_WORKER": "off", "SOCKETIO_EMIT_IN_BACKGROUND": True,
    }  # fmt: skip
    app = create_app(config)
    t0 = time.perf_counter()
    thread_id, token = build(app, args.board_watchers, args.thread_watchers)
    print(f"database: {url if args.postgres else path} ({args.board_watchers:,} board watchers, "
          f"{args.thread_watchers:,} thread watchers; built in {time.perf_counter() - t0:.1f} s)")  # fmt: skip

    post_replies(app, thread_id, token, args.warmup, "warmup")
    with app.app_context():
        worker.run_once()
        # everyone has read everything: the next reply writes a new row per watcher
        db.session.execute(Notification.__table__.update().values(read_at=utcnow()))
        db.session.commit()
        # the set-up's bulk writes are not the requests' cost: checkpoint the WAL now
        if not args.postgres:
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        else:
            db.session.execute(text("CHECKPOINT"))
    report("reply request, worker off", post_replies(app, thread_id, token, args.repeat, "off"))

    with app.app_context():
        pending = db.session.scalar(
            select(func.count())
            .select_from(NotificationJob)
            .where(NotificationJob.status == "pending")
        )
        before = db.session.scalar(select(func.count()).select_from(Notification))
        start = time.perf_counter()
        worker.process_jobs(limit=1)
        one = time.perf_counter() - start
        after = db.session.scalar(select(func.count()).select_from(Notification))
        start = time.perf_counter()
        rest = worker.process_jobs(limit=10_000)
        others = time.perf_counter() - start
        print(f"worker: first of {pending} jobs (fan-out to every watcher) {one * 1000:.0f} ms, "
              f"{after - before:,} notifications written; the other {rest.jobs} jobs "
              f"(collapsing into the same rows) {others * 1000 / max(rest.jobs, 1):.0f} ms each")  # fmt: skip

    runner = worker.background_worker(app, poll_seconds=0.2)
    runner.start()
    try:
        report("reply request, worker running",
               post_replies(app, thread_id, token, args.repeat, "busy"))  # fmt: skip
    finally:
        runner.stop()
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
