"""Server-side benchmark of the pages that must stay fast on a large forum.

    .venv/bin/python bench/generate.py        # once: bench/data/bench.sqlite3
    .venv/bin/python bench/run.py             # 200 timed requests per case, after a warm-up
    .venv/bin/python bench/run.py -n 50 --explain          # also show each case's SQL and plan
    .venv/bin/python bench/run.py --only thread --profile  # cProfile of the selected cases

Requests go through Flask's test client, in this process, so the figures are server time
(routing, SQL, templates) without network or browser. Each case reports the median and p95 of
the wall time per request, the median CPU time of the request (steady on a shared machine, where
wall time grows with the load) and the number of SQL statements per request (counted with a
``before_cursor_execute`` listener on the engine). Replies are posted to a thread other than the
1,000-post one and deleted again at the end (``--keep`` leaves them), so runs are repeatable.

This is a benchmark for a human to run and read, not a test: nothing here fails on a slow figure.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import itertools
import json
import math
import os
import pstats
import re
import resource
import sqlite3
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DB = ROOT / "bench" / "data" / "bench.sqlite3"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
THREAD_LINK_RE = re.compile(r'class="thread-title" href="/t/(\d+)"')
NEXT_CURSOR_RE = re.compile(r'rel="next" href="[^"]*[?&]cursor=([^"&]+)"')
REPLY_BODY = (
    "ベンチマークからの返信です。\n\n"
    "当市でも**移動販売**と見守りを組み合わせています。\n\n"
    "- 週1回の巡回\n- 利用者の様子を民生委員さんに共有\n\n"
    "> 連絡のハードルを下げるのが一番効果がありました。\n\n同感です。"
)

TARGETS_MS = {"thread": 15.0, "board": 10.0, "reply": 30.0}


@dataclass
class Case:
    name: str
    group: str  # thread | board | reply: which target applies
    request: Callable[[], object]
    expect: int
    times_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    sql: list[tuple[str, object]] = field(default_factory=list)


class StatementCounter:
    """Counts the statements of this thread only (background threads such as an indexer share
    the engine but are not part of the request)."""

    def __init__(self) -> None:
        self.count = 0
        self.thread = threading.get_ident()
        self.capture: list[tuple[str, object]] | None = None

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if threading.get_ident() != self.thread:
            return
        self.count += 1
        if self.capture is not None:
            self.capture.append((statement, parameters))


def load_meta(db_path: Path) -> dict:
    meta_path = Path(f"{db_path}.meta.json")
    if not db_path.exists():
        raise SystemExit(f"{db_path} does not exist: run bench/generate.py first")
    if meta_path.exists():
        return json.loads(meta_path.read_text())
    raise SystemExit(f"{meta_path} is missing: regenerate the database with bench/generate.py")


def check_revision(db_path: Path) -> None:
    """Refuse a database made before the latest migration (the code would miss its tables)."""
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory(str(ROOT / "migrations")).get_heads())
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        current = {row[0] for row in con.execute("SELECT version_num FROM alembic_version")}
    finally:
        con.close()
    if current != heads:
        raise SystemExit(
            f"{db_path.name} is at migration {', '.join(sorted(current))} but the code is at "
            f"{', '.join(sorted(heads))}: run bench/generate.py again"
        )


#: Settings added to the app's for the benchmark; ``--set KEY=VALUE`` changes or adds more.
#: The search indexer thread (when the search package is present) would index the whole
#: database in the background at start-up and compete with the requests for the CPU.
#: The anonymous page cache would answer repeated anonymous GETs without making the page.
EXTRA_SETTINGS = {"SEARCH_INDEXER": "off", "ANON_PAGE_CACHE_SECONDS": 0}


def parse_settings(pairs: list[str]) -> dict:
    from config import SETTINGS

    settings = dict(EXTRA_SETTINGS)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--set wants KEY=VALUE, not {pair!r}")
        parse = SETTINGS.get(key, (None, str))[1]
        settings[key] = parse(value)
    return settings


def make_app(db_path: Path, settings: dict | None = None):
    from app import create_app

    return create_app(
        {
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(db_path.parent / "instance"),
            "RATELIMIT_ENABLED": False,
            "TESTING": False,
            "SERVER_NAME": None,
            "SITE_URL": "http://127.0.0.1",
            **(EXTRA_SETTINGS if settings is None else settings),
        }
    )


def snapshot(db_path: Path, thread_id: int) -> dict:
    """What cleanup() needs to undo the benchmark: each table's highest rowid (rows above it
    were added by the run) and the counters that replies change."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND sql NOT LIKE '%WITHOUT ROWID%'"
            )
        ]
        return {
            "max_rowid": {
                t: con.execute(f'SELECT coalesce(max(rowid), 0) FROM "{t}"').fetchone()[0]
                for t in tables
            },
            "thread": con.execute(
                "SELECT last_number, reply_count, last_post_at, last_poster_id, id FROM threads"
                " WHERE id = ?",
                (thread_id,),
            ).fetchone(),
            "board": con.execute(
                "SELECT post_count, last_post_at, id FROM boards"
                " WHERE id = (SELECT board_id FROM threads WHERE id = ?)",
                (thread_id,),
            ).fetchone(),
        }
    finally:
        con.close()


def cleanup(db_path: Path, before: dict) -> None:
    """Delete every row the run added (replies, API token, outbox rows...) and put the reply
    thread's and its board's counters back."""
    con = sqlite3.connect(db_path, timeout=30, isolation_level=None)
    try:
        con.execute("PRAGMA foreign_keys=OFF")
        con.execute("BEGIN IMMEDIATE")
        for table, max_rowid in before["max_rowid"].items():
            con.execute(f'DELETE FROM "{table}" WHERE rowid > ?', (max_rowid,))
        con.execute(
            "UPDATE threads SET last_number = ?, reply_count = ?, last_post_at = ?,"
            " last_poster_id = ? WHERE id = ?",
            before["thread"],
        )
        con.execute(
            "UPDATE boards SET post_count = ?, last_post_at = ? WHERE id = ?", before["board"]
        )
        con.execute("COMMIT")
    finally:
        con.close()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def board_cursor(board_id: int, page: int, per_page: int) -> tuple[str | None, list[int]]:
    """The cursor that opens ``page`` of a board, from one SQL query over the sort keys (no
    clicking through ``page - 1`` pages), and the thread ids that page should show."""
    from sqlalchemy import select

    from core.extensions import db
    from forum.models import Thread
    from forum.queries import encode_cursor

    order = (Thread.is_pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
    rows = db.session.execute(
        select(Thread.is_pinned, Thread.last_post_at, Thread.id)
        .where(Thread.board_id == board_id, Thread.is_deleted.is_(False))
        .order_by(*order)
        .offset(max((page - 1) * per_page - 1, 0))
        .limit(per_page + 1)
    ).all()
    if page == 1:
        return None, [r.id for r in rows[:per_page]]
    return encode_cursor(rows[0]), [r.id for r in rows[1 : per_page + 1]]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"default: {DEFAULT_DB}")
    parser.add_argument("-n", "--repeat", type=int, default=200, help="timed requests per case")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per case first")
    parser.add_argument("--depth", type=int, default=1000, help="deep board page to measure")
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--explain", action="store_true", help="print each case's SQL + plan")
    parser.add_argument("--profile", action="store_true", help="cProfile the selected cases")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark's replies")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=f"an application setting (repeatable); defaults added: {EXTRA_SETTINGS}",
    )
    args = parser.parse_args(argv)

    db_path = args.db.resolve()
    meta = load_meta(db_path)
    check_revision(db_path)
    before = snapshot(db_path, meta["reply_thread_id"])
    app = make_app(db_path, parse_settings(args.set))
    try:
        cases = run_all(app, db_path, meta, args)
    finally:
        with app.app_context():
            from core.extensions import db

            db.session.remove()
            db.engine.dispose()
        if not args.keep:
            cleanup(db_path, before)

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print_table(cases)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"peak RSS of this process: {rss_mb:,.0f} MiB; load average {load} on "
        f"{os.cpu_count()} CPUs (other work on the machine inflates the figures)"
    )
    if args.explain:
        explain(db_path, cases)


def run_all(app, db_path: Path, meta: dict, args) -> list[Case]:
    from sqlalchemy import event, func, select

    from auth.accounts import create_api_token
    from auth.models import Role, User
    from core.extensions import db
    from forum.models import Board, Post, Thread

    counter = StatementCounter()
    per_page_posts = app.config["POSTS_PER_PAGE"]
    per_page_threads = app.config["THREADS_PER_PAGE"]

    # --- setup (in an app context that is popped before any request) ----------------------
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter)
        long_thread = db.session.get(Thread, meta["long_thread_id"])
        reply_thread = db.session.get(Thread, meta["reply_thread_id"])
        board = db.session.scalar(select(Board).where(Board.slug == meta["busiest_board_slug"]))
        user = db.session.get(User, meta["bench_user_id"])
        assert long_thread.last_number == 1000, long_thread.last_number
        last_page = (long_thread.last_number - 1) // per_page_posts + 1
        pages = -(-board.thread_count // per_page_threads)
        depth = min(args.depth, pages)
        deep_cursor, deep_ids = board_cursor(board.id, depth, per_page_threads)
        _, first_ids = board_cursor(board.id, 1, per_page_threads)
        cursor2, page2_ids = board_cursor(board.id, 2, per_page_threads)
        token = create_api_token(user, "bench")
        # the member with the most posts: per-author checks on posting scale with this
        heavy = db.session.get(
            User,
            db.session.execute(
                select(Post.author_id)
                .join(User, User.id == Post.author_id)
                .join(Role, Role.id == User.role_id)
                .where(Role.slug == "member")
                .group_by(Post.author_id)
                .order_by(func.count().desc())
                .limit(1)
            ).scalar_one(),
        )
        heavy_posts = db.session.scalar(select(func.count()).where(Post.author_id == heavy.id))
        heavy_token = create_api_token(heavy, "bench")
        db.session.commit()
        long_id, reply_id = long_thread.id, reply_thread.id
        slug, thread_count = board.slug, board.thread_count
        db.session.remove()

    anon = app.test_client()
    member = app.test_client()
    html = member.get("/login").get_data(as_text=True)
    response = member.post(
        "/login",
        data={
            "email": meta["bench_user_email"],
            "password": meta["password"],
            "csrf_token": CSRF_RE.search(html).group(1),
        },
    )
    assert response.status_code == 302, "login failed"
    form_token = CSRF_RE.search(member.get(f"/t/{reply_id}").get_data(as_text=True)).group(1)
    bearer = {"Authorization": f"Bearer {token}"}
    heavy_bearer = {"Authorization": f"Bearer {heavy_token}"}
    serial = itertools.count(1)

    def body() -> str:  # a new text each time: moderation refuses a repeated one
        return f"{REPLY_BODY}\n\n（ベンチマーク {next(serial)}）"

    # --- sanity: the computed cursors are the ones the pages link to -------------------------
    page1 = anon.get(f"/b/{slug}").get_data(as_text=True)
    assert [int(i) for i in THREAD_LINK_RE.findall(page1)] == first_ids, "board page 1 order"
    linked = NEXT_CURSOR_RE.search(page1).group(1)
    assert linked == cursor2, f"next cursor {linked} != computed {cursor2}"
    page2 = anon.get(f"/b/{slug}?cursor={linked}").get_data(as_text=True)
    assert [int(i) for i in THREAD_LINK_RE.findall(page2)] == page2_ids, "board page 2 order"
    deep = anon.get(f"/b/{slug}?cursor={deep_cursor}").get_data(as_text=True)
    assert [int(i) for i in THREAD_LINK_RE.findall(deep)] == deep_ids, f"board page {depth}"
    last = anon.get(f"/t/{long_id}?page={last_page}").get_data(as_text=True)
    assert 'id="p1000"' in last and 'id="p951"' in last, "last page of the long thread"

    cases = [
        Case("thread p1 (anon)", "thread", lambda: anon.get(f"/t/{long_id}"), 200),
        Case(
            f"thread p{last_page} (anon)",
            "thread",
            lambda: anon.get(f"/t/{long_id}?page={last_page}"),
            200,
        ),
        Case(
            f"thread p{last_page} (logged in)",
            "thread",
            lambda: member.get(f"/t/{long_id}?page={last_page}"),
            200,
        ),
        Case("board p1 (anon)", "board", lambda: anon.get(f"/b/{slug}"), 200),
        Case(
            f"board p{depth} (anon)",
            "board",
            lambda: anon.get(f"/b/{slug}?cursor={deep_cursor}"),
            200,
        ),
        Case(
            f"board p{depth} (logged in)",
            "board",
            lambda: member.get(f"/b/{slug}?cursor={deep_cursor}"),
            200,
        ),
        Case(
            "reply (API, bearer)",
            "reply",
            lambda: anon.post(
                f"/api/v1/threads/{reply_id}/posts", json={"body": body()}, headers=bearer
            ),
            201,
        ),
        Case(
            f"reply (API, {heavy_posts:,}-post author)",
            "reply",
            lambda: anon.post(
                f"/api/v1/threads/{reply_id}/posts", json={"body": body()}, headers=heavy_bearer
            ),
            201,
        ),
        Case(
            "reply (web form)",
            "reply",
            lambda: member.post(
                f"/t/{reply_id}/reply", data={"body": body(), "csrf_token": form_token}
            ),
            302,
        ),
    ]
    cases = [c for c in cases if args.only in c.name]

    print(
        f"database {db_path.name}: {meta['threads']:,} threads, {meta['posts']:,} posts; "
        f"board /b/{slug} has {thread_count:,} threads ({pages:,} pages); "
        f"{args.repeat} requests per case after {args.warmup} warm-up"
    )
    for case in cases:
        run_case(case, counter, args)
    return cases


def run_case(case: Case, counter: StatementCounter, args) -> None:
    for _ in range(args.warmup):
        check(case, case.request())
    counter.capture = case.sql
    check(case, case.request())  # one more, to record its SQL
    counter.capture = None
    gc.collect()
    profiler = cProfile.Profile() if args.profile else None
    for _ in range(args.repeat):
        counter.count = 0
        if profiler:
            profiler.enable()
        start, cpu_start = time.perf_counter(), time.thread_time()
        response = case.request()
        elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu_start
        if profiler:
            profiler.disable()
        case.times_ms.append(elapsed * 1000)
        case.cpu_ms.append(cpu * 1000)
        case.statements.append(counter.count)
        check(case, response)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(f"\n=== profile: {case.name} ({args.repeat} requests) ===\n{out.getvalue()}")


def check(case: Case, response) -> None:
    if response.status_code != case.expect:
        raise SystemExit(
            f"{case.name}: HTTP {response.status_code}, expected {case.expect}\n"
            f"{response.get_data(as_text=True)[:500]}"
        )


def print_table(cases: list[Case]) -> None:
    """Wall time is what the targets are about. CPU time (of the request's thread) hardly moves
    when other processes compete for the cores: compare that column on a shared machine."""
    header = (
        f"{'case':<32} {'median ms':>9} {'p95 ms':>8} {'CPU ms':>7} {'SQL/req':>7} {'target':>10}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for case in cases:
        median = statistics.median(case.times_ms)
        p95 = percentile(case.times_ms, 95)
        cpu = statistics.median(case.cpu_ms)
        lo, hi = min(case.statements), max(case.statements)
        sql = f"{lo}" if lo == hi else f"{lo}-{hi}"
        target = TARGETS_MS[case.group]
        verdict = "ok" if median <= target else "SLOW"
        print(
            f"{case.name:<32} {median:9.2f} {p95:8.2f} {cpu:7.2f} {sql:>7}"
            f" {f'≤{target:g} {verdict}':>10}"
        )


def explain(db_path: Path, cases: list[Case]) -> None:
    """Each case's statements (from one request) with SQLite's query plan."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    for case in cases:
        print(f"\n=== {case.name}: {len(case.sql)} statements ===")
        for statement, params in case.sql:
            one_line = " ".join(statement.split())
            print(f"- {one_line[:300]}{'…' if len(one_line) > 300 else ''}")
            if not one_line.upper().startswith("SELECT"):
                continue
            try:
                plan = con.execute(f"EXPLAIN QUERY PLAN {statement}", params or ()).fetchall()
            except sqlite3.Error as exc:
                print(f"    (no plan: {exc})")
                continue
            for row in plan:
                print(f"    {row[-1]}")
    con.close()


if __name__ == "__main__":
    main()
