"""Benchmark of the statistics pages (issue #18) on a large database: 100,000 structured threads
and about 1,000,000 posts in all.

    .venv/bin/python bench/stats_bench.py build --db /tmp/statsbench/stats.sqlite3
    .venv/bin/python bench/stats_bench.py measure --db /tmp/statsbench/stats.sqlite3 --cache-seconds 0
    .venv/bin/python bench/stats_bench.py measure --db … --cache-seconds 300 --only "/stats "
    .venv/bin/python bench/stats_bench.py measure --db … --only activity --explain --profile

``build`` reuses the two generators rather than copying them. ``bench/structured_bench.py``'s
``generate`` writes its 100,000 structured threads (cases, events, policies, challenges with
details, life domains and player fields; one post each; 300 users) into a side file;
``bench/generate.py``'s ``generate`` writes the forum (by default 50,000 threads and 900,000
posts, with 48 spaces and 10 % of the threads in closed boards, as in issue #12's layout) into
the database itself. The side file is then attached and its rows copied in with their ids shifted
past the forum's (users, threads, posts), boards' counters added up. On top come what the
statistics read and neither generator makes: event RSVPs, the detail history of challenges that
reached 連携成立, moderation items, organisations, player fields and space memberships for the
structured layer's users. ``bench/generate.py``'s ``verify`` checks the counters at the end.

Both generators place their items over the last three years (events: registered over two years,
held up to two years ahead), i.e. over four fiscal years (the oldest and the current one partly):
one fiscal year holds roughly a third of everything, which is the realistic (and the heavier)
case. The builder does not stretch the dates.

``measure`` runs the pages through Flask's test client in this process, as ``bench/run.py`` does
(its helpers: the app, the statement counter, the percentile), for an anonymous reader, a member
of four prefectural platforms (``user001``, who reads those platforms' members-only boards) and
an administrator (who also sees the moderation table). ``--cache-seconds 0`` sets
``STATS_CACHE_SECONDS=0``: every request computes every table (the cold figure). With the cache
on, the first request of each case is untimed and the rest are answered from the cache.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import random
import resource
import sqlite3
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import generate as forum  # noqa: E402
from bench import structured_bench as structured  # noqa: E402
from bench.run import (  # noqa: E402
    CSRF_RE,
    StatementCounter,
    check_revision,
    load_meta,
    make_app,
    parse_settings,
    percentile,
)

DEFAULT_DB = Path("/tmp/statsbench/stats.sqlite3")
SEED = 20261206
TARGET_MS = 200.0  # issue #18: each statistics page ≤ 200 ms p95
DAY_US = 86_400 * 1_000_000
HOUR_US = 3_600 * 1_000_000


# --- build -------------------------------------------------------------------------------------


def _columns(con: sqlite3.Connection, table: str, schema: str = "main") -> list[str]:
    return [r[1] for r in con.execute(f'PRAGMA {schema}.table_info("{table}")')]


def _copy(con, table: str, shifts: dict[str, str]) -> int:
    """INSERT INTO main.table SELECT … FROM s.table, every column copied, some shifted."""
    cols = [c for c in _columns(con, table, "s")]
    select = ", ".join(shifts.get(c, c) for c in cols)
    names = ", ".join(cols)
    return con.execute(
        f"INSERT INTO main.{table} ({names}) SELECT {select} FROM s.{table}"
    ).rowcount


def merge_structured(con: sqlite3.Connection, part: Path) -> dict:
    """Copy the structured layer from ``part`` with users, threads and posts renumbered after the
    forum's; add its boards' counters to the forum's."""
    con.execute("ATTACH DATABASE ? AS s", (str(part),))
    u = con.execute("SELECT max(id) FROM users").fetchone()[0]
    t = con.execute("SELECT max(id) FROM threads").fetchone()[0]
    p = con.execute("SELECT max(id) FROM posts").fetchone()[0]
    sh = lambda off: lambda c: f"CASE WHEN {c} IS NULL THEN NULL ELSE {c} + {off} END"  # noqa: E731
    user, thread = sh(u), sh(t)
    con.execute("BEGIN")
    copied = {
        # handles are unique and both generators make sato_001…: the structured ones get "s"
        "users": _copy(con, "users", {"id": user("id"), "handle": "'s' || handle"}),
        "threads": _copy(con, "threads", {"id": thread("id"), "author_id": user("author_id"),
                                          "last_poster_id": user("last_poster_id")}),
        "posts": _copy(con, "posts", {"id": sh(p)("id"), "thread_id": thread("thread_id"),
                                      "author_id": user("author_id"),
                                      "deleted_by_id": user("deleted_by_id")}),
        "thread_details": _copy(con, "thread_details", {"thread_id": thread("thread_id")}),
        "thread_player_fields": _copy(con, "thread_player_fields", {"thread_id": thread("thread_id")}),
        "thread_life_domains": _copy(con, "thread_life_domains", {"thread_id": thread("thread_id")}),
    }  # fmt: skip
    for bid, tc, pc, last in con.execute(
        "SELECT id, thread_count, post_count, last_post_at FROM s.boards WHERE thread_count > 0"
    ).fetchall():
        con.execute(
            "UPDATE boards SET thread_count = thread_count + ?, post_count = post_count + ?,"
            " last_post_at = max(coalesce(last_post_at, ''), ?) WHERE id = ?",
            (tc, pc, last, bid),
        )
    con.execute("COMMIT")
    con.execute("DETACH DATABASE s")
    return {"user_offset": u, "thread_offset": t, "post_offset": p, "copied": copied}


def add_extras(con: sqlite3.Connection, offsets: dict, seed: int) -> dict:
    """What the statistics read and the generators do not make."""
    rng = random.Random(seed)
    now_us = forum.to_us(datetime.now(UTC) - timedelta(minutes=5))
    start_us = forum.to_us(datetime.now(UTC) - timedelta(days=3 * 365))
    con.execute("BEGIN")
    users = [r[0] for r in con.execute("SELECT id FROM users ORDER BY id")]
    fields = [r[0] for r in con.execute("SELECT id FROM player_fields")]
    prefs = [r[0] for r in con.execute("SELECT code FROM prefectures ORDER BY code")]
    u0 = offsets["user_offset"]
    out: dict[str, int] = {}

    # the structured layer's users: player fields, and membership of their prefecture's space
    upf = [(uid, f) for uid in users if uid > u0 for f in rng.sample(fields, rng.randint(1, 2))]
    con.executemany("INSERT INTO user_player_fields (user_id, player_field_id) VALUES (?, ?)", upf)
    spaces = dict(
        con.execute("SELECT prefecture_code, id FROM spaces WHERE prefecture_code IS NOT NULL")
    )
    members = [
        (spaces[code], uid, "member", "active", forum.fmt_time(start_us))
        for uid, code in con.execute("SELECT id, prefecture_code FROM users WHERE id > ?", (u0,))
        if code in spaces
    ]  # fmt: skip
    con.executemany(forum.insert_sql("space_members", forum.MEMBER_COLUMNS), members)
    out["structured_users_fields"], out["structured_users_memberships"] = len(upf), len(members)

    # event RSVPs: most events a few, some many, registered before the day
    rsvps = []
    for tid, created, starts in con.execute(
        "SELECT d.thread_id, t.created_at, d.starts_at FROM thread_details d"
        " JOIN threads t ON t.id = d.thread_id WHERE d.kind = 'event'"
    ).fetchall():
        k = min(int(rng.paretovariate(1.2)) - 1, 80)
        if k <= 0:
            continue
        created_us = forum.to_us(datetime.fromisoformat(created).replace(tzinfo=UTC))
        starts_us = forum.to_us(datetime.fromisoformat(starts).replace(tzinfo=UTC))
        for uid in rng.sample(users, k):
            when = rng.randrange(created_us, max(min(starts_us, now_us), created_us + 1))
            status = "going" if rng.random() < 0.7 else "interested"
            rsvps.append((tid, uid, status, forum.fmt_time(when)))
    con.executemany(
        "INSERT INTO event_rsvps (thread_id, user_id, status, created_at) VALUES (?, ?, ?, ?)",
        rsvps,
    )
    out["event_rsvps"] = len(rsvps)

    # challenges that are partnered or closed: the edits that led there (each revision keeps the
    # fields the edit replaced, so the status before it)
    revisions = []
    for tid, status, created, data, author in con.execute(
        "SELECT d.thread_id, d.status, t.created_at, d.data, t.author_id FROM thread_details d"
        " JOIN threads t ON t.id = d.thread_id WHERE d.kind = 'challenge'"
        " AND d.status IN ('negotiating', 'partnered', 'closed')"
    ).fetchall():
        created_us = forum.to_us(datetime.fromisoformat(created).replace(tzinfo=UTC))
        fields_now = json.loads(data)
        path = ["open"] + (["negotiating"] if rng.random() < 0.6 or status == "negotiating" else [])
        if status == "closed" and rng.random() < 0.5:
            path.append("partnered")  # closed after a partnership; else closed without one
        path = [s for s in path if s != status]
        when = created_us
        for previous in path:
            when = min(when + int(rng.expovariate(1 / 40) * DAY_US) + HOUR_US, now_us)
            revisions.append((tid, json.dumps({**fields_now, "status": previous}),
                              forum.fmt_time(created_us), forum.fmt_time(when), author))  # fmt: skip
    con.executemany(
        "INSERT INTO thread_detail_revisions (thread_id, fields, created_at, replaced_at,"
        " editor_id) VALUES (?, ?, ?, ?, ?)",
        revisions,
    )
    out["detail_revisions"] = len(revisions)

    # moderation items: flagged posts, held posts, account and role requests over three years
    moderators = [r[0] for r in con.execute(
        "SELECT u.id FROM users u JOIN roles r ON r.id = u.role_id WHERE r.slug IN ('moderator', 'admin')"
    )]  # fmt: skip
    max_post = con.execute("SELECT max(id) FROM posts").fetchone()[0]
    items = []
    for _ in range(12_000):
        kind = structured.weighted(rng, [("flagged_post", 60), ("held_post", 25), ("account", 8),
                                         ("role_request", 5), ("space_join", 2)])  # fmt: skip
        created = rng.randrange(start_us, now_us)
        decided = created + int(rng.expovariate(1 / 18) * HOUR_US) + 60_000_000
        pending = decided > now_us or rng.random() < 0.03
        status = (
            "pending"
            if pending
            else structured.weighted(
                rng, [("approved", 50), ("rejected", 20), ("ignored", 20), ("deleted", 10)]
            )
        )
        items.append((
            kind, status, 1, rng.randint(1, max_post) if kind == "flagged_post" else None,
            rng.choice(users) if kind == "account" else None, rng.randint(1, 100), "[]",
            None if pending else rng.choice(moderators), None if pending else status, "",
            forum.fmt_time(created), None if pending else forum.fmt_time(decided),
        ))  # fmt: skip
    con.executemany(
        "INSERT INTO moderation_items (kind, status, version, post_id, subject_user_id, score,"
        " reasons, decided_by_id, decision, decision_reason, created_at, decided_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        items,
    )
    out["moderation_items"] = len(items)

    # organisations of the directory
    kinds = ["npo", "company", "association", "cooperative", "municipality", "other"]
    orgs = [
        (f"bench-org-{i:04d}", f"ベンチ団体{i:04d}", rng.choice(kinds), rng.choice(fields),
         rng.choice(prefs), "", "", 0, int(rng.random() < 0.95), forum.fmt_time(start_us))
        for i in range(1, 1201)
    ]  # fmt: skip
    con.executemany(
        "INSERT INTO organizations (slug, name, kind, player_field_id, prefecture_code,"
        " description, website_url, publish_website, is_listed, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        orgs,
    )
    out["organizations"] = len(orgs)
    con.execute("COMMIT")
    return out


def fiscal_spread(con: sqlite3.Connection) -> dict:
    """Rows per fiscal year (April-March, Tokyo): threads and posts by creation, events by
    start. String comparison of the stored UTC text is time order."""
    from stats.scope import fiscal_year_bounds

    out = {}
    for year in range(2022, 2030):
        lo, hi = (forum.fmt_time(forum.to_us(b)) for b in fiscal_year_bounds(year))
        row = {
            "threads": con.execute("SELECT count(*) FROM threads WHERE created_at >= ? AND created_at < ?", (lo, hi)).fetchone()[0],
            "posts": con.execute("SELECT count(*) FROM posts WHERE created_at >= ? AND created_at < ?", (lo, hi)).fetchone()[0],
            "cases": con.execute("SELECT count(*) FROM thread_details d JOIN threads t ON t.id = d.thread_id WHERE d.kind = 'case' AND t.created_at >= ? AND t.created_at < ?", (lo, hi)).fetchone()[0],
            "events_held": con.execute("SELECT count(*) FROM thread_details WHERE kind = 'event' AND starts_at >= ? AND starts_at < ?", (lo, hi)).fetchone()[0],
        }  # fmt: skip
        if any(row.values()):
            out[str(year)] = row
    return out


def build(args) -> None:
    db_path = args.db.resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    part = db_path.with_name(db_path.stem + ".structured-part.sqlite3")
    t0 = time.perf_counter()
    timings = {}
    print(f"1/4 structured layer: {args.structured:,} threads into {part.name}")
    smeta = structured.generate(part, args.structured, args.seed + 1)
    timings["structured"] = time.perf_counter() - t0

    t = time.perf_counter()
    print(f"2/4 forum: {args.forum_threads:,} threads, {args.forum_posts:,} posts, "
          f"{args.spaces} spaces into {db_path.name}")  # fmt: skip
    fmeta = forum.generate(db_path, args.forum_threads, args.forum_posts, args.seed,
                           args.spaces, args.closed_share)  # fmt: skip
    timings["forum"] = time.perf_counter() - t

    t = time.perf_counter()
    print("3/4 merge and extras")
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1048576")
    merged = merge_structured(con, part)
    extras = add_extras(con, merged, args.seed + 2)
    con.execute("PRAGMA journal_mode=WAL")  # no ANALYZE: the application never runs it
    timings["merge"] = time.perf_counter() - t
    counts = {
        table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("users", "threads", "posts", "thread_details", "event_rsvps",
                      "moderation_items", "organizations", "thread_detail_revisions")
    }  # fmt: skip
    counts["komarigoto_threads"] = con.execute(
        "SELECT count(*) FROM threads t JOIN boards b ON b.id = t.board_id WHERE b.slug = 'komarigoto'"
    ).fetchone()[0]
    spread = fiscal_spread(con)
    con.close()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{part}{suffix}").unlink(missing_ok=True)
    Path(f"{part}.meta.json").unlink(missing_ok=True)

    t = time.perf_counter()
    print("4/4 verify counters")
    problems = forum.verify(db_path)
    timings["verify"] = time.perf_counter() - t
    if problems:
        raise SystemExit("verify: " + "; ".join(problems))

    meta = {
        **{k: fmeta[k] for k in ("long_thread_id", "reply_thread_id", "busiest_board_slug",
                                 "bench_user_email", "bench_user_id", "password", "spaces")},
        "threads": counts["threads"],
        "posts": counts["posts"],
        "structured_threads": args.structured,
        "kinds": smeta["kinds"],
        "forum_threads": args.forum_threads,
        "forum_posts": args.forum_posts,
        "admin_email": f"user003@{forum.EMAIL_DOMAIN}",
        "counts": counts,
        "extras": extras,
        "offsets": {k: v for k, v in merged.items() if k != "copied"},
        "by_fiscal_year": spread,
        "seed": args.seed,
        "generated_at": datetime.now(UTC).isoformat(),
        "timings_s": {k: round(v, 1) for k, v in timings.items()},
        "total_s": round(time.perf_counter() - t0, 1),
        "db_bytes": os.path.getsize(db_path),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }  # fmt: skip
    Path(f"{db_path}.meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    print(json.dumps({k: meta[k] for k in ("counts", "extras", "by_fiscal_year", "timings_s",
                                            "total_s")}, indent=1, ensure_ascii=False))  # fmt: skip
    print(f"{db_path}: {meta['db_bytes'] / 2**20:,.0f} MiB; verify OK")


# --- measure -----------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    client: object
    path: str
    times_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    sql: list[tuple[str, object]] = field(default_factory=list)


def login(app, email: str, password: str):
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": CSRF_RE.search(html).group(1)})  # fmt: skip
    assert response.status_code == 302, f"login of {email} failed"
    return client


def measure(args) -> None:
    db_path = args.db.resolve()
    meta = load_meta(db_path)
    check_revision(db_path)
    # the test client's Host is "localhost"; SITE_URL's host (127.0.0.1) is the only trusted one
    settings = parse_settings(["TRUSTED_HOSTS=localhost", f"STATS_CACHE_SECONDS={args.cache_seconds}",
                               "STATS_SUMMARY_WORKER=off",
                               f"STATS_SUMMARY={int(args.summary != 'off')}", *args.set])  # fmt: skip
    app = make_app(db_path, settings)
    if args.summary == "refresh":  # build the summary rows (or fold in changes), as the worker does
        from stats import summary

        with app.app_context():
            t0, c0 = time.perf_counter(), time.process_time()
            months = summary.months_to_build()
            summary.refresh_all()
            print(f"summary refresh: {months} months built in {time.perf_counter() - t0:.1f} s "
                  f"(CPU {time.process_time() - c0:.1f} s); {summary.status()}")  # fmt: skip
    from sqlalchemy import event

    from core.extensions import db
    from stats.queries import CATALOGUE
    from stats.scope import current_fiscal_year

    counter = StatementCounter()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter)
    fy = current_fiscal_year()
    anon = app.test_client()
    member = login(app, meta["bench_user_email"], meta["password"])
    admin = login(app, meta["admin_email"], meta["password"])
    viewers = {"anon": anon, "member": member, "admin": admin}
    public = [s.name for s in CATALOGUE if not s.staff_only]
    staff = [s.name for s in CATALOGUE if s.staff_only]

    cases = []
    for who in args.viewers.split(","):
        c = viewers[who]
        cases += [
            Case(f"/stats ({who})", c, "/stats"),
            Case(f"/stats?period={fy - 1} ({who})", c, f"/stats?period={fy - 1}"),
            Case(f"/stats?period=all ({who})", c, "/stats?period=all"),
            Case(f"/stats?prefecture=20 ({who})", c, "/stats?prefecture=20"),
            Case(f"/stats/report.xlsx ({who})", c, "/stats/report.xlsx"),
        ]
        # the API of the public tables for the anonymous reader and the member; for the
        # administrator, that of the staff-only table (their pages have all of them)
        for name in staff if who == "admin" else public:
            cases.append(Case(f"api {name} {fy} ({who})", c, f"/api/v1/stats/{name}?period={fy}"))
            cases.append(Case(f"api {name} all ({who})", c, f"/api/v1/stats/{name}?period=all"))
    cases = [c for c in cases if args.only in c.name]
    cache = "OFF (every request computes)" if args.cache_seconds == 0 else f"{args.cache_seconds} s"
    print(f"database {db_path.name}: {meta['threads']:,} threads ({meta['structured_threads']:,} "
          f"structured), {meta['posts']:,} posts; current fiscal year {fy}; cache {cache}; "
          f"{args.repeat} requests per case after {args.warmup} warm-up; "
          f"load {', '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    profiler = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    for case in cases:
        run_case(case, counter, args, profiler)
        print(f"  {case.name:<48} p50 {statistics.median(case.times_ms):8.1f}  "
              f"p95 {percentile(case.times_ms, 95):8.1f} ms  SQL {case.statements[0]}", flush=True)  # fmt: skip
    elapsed = time.perf_counter() - started
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    print_table(cases)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:,.0f} MiB; load average {load} on {os.cpu_count()} CPUs; {elapsed:.0f} s")
    if args.json:
        rows = [{"case": c.name, "p50": round(statistics.median(c.times_ms), 1),
                 "p95": round(percentile(c.times_ms, 95), 1),
                 "cpu": round(statistics.median(c.cpu_ms), 1), "sql": max(c.statements)}
                for c in cases]  # fmt: skip
        Path(args.json).write_text(json.dumps({"cache_seconds": args.cache_seconds, "load": load,
                                               "cases": rows}, indent=1, ensure_ascii=False))  # fmt: skip
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.profile_sort).print_stats(40)
        print(out.getvalue())
    if args.explain:
        explain(db_path, cases)


def run_case(case: Case, counter: StatementCounter, args, profiler) -> None:
    for _ in range(args.warmup):
        check(case, case.client.get(case.path))
    counter.capture = case.sql
    check(case, case.client.get(case.path))  # untimed, records the SQL (and fills the cache)
    counter.capture = None
    gc.collect()
    for _ in range(args.repeat):
        counter.count = 0
        if profiler:
            profiler.enable()
        start, cpu_start = time.perf_counter(), time.thread_time()
        response = case.client.get(case.path)
        elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu_start
        if profiler:
            profiler.disable()
        case.times_ms.append(elapsed * 1000)
        case.cpu_ms.append(cpu * 1000)
        case.statements.append(counter.count)
        check(case, response)


def check(case: Case, response) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{case.name}: HTTP {response.status_code}\n"
                         f"{response.get_data(as_text=True)[:500]}")  # fmt: skip


def print_table(cases: list[Case]) -> None:
    header = (
        f"{'case':<48} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>7} {'SQL/req':>7} {'≤200 p95':>8}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for c in cases:
        p95 = percentile(c.times_ms, 95)
        lo, hi = min(c.statements), max(c.statements)
        print(f"{c.name:<48} {statistics.median(c.times_ms):8.1f} {p95:8.1f} "
              f"{statistics.median(c.cpu_ms):7.1f} {lo if lo == hi else f'{lo}-{hi}':>7} "
              f"{'ok' if p95 <= TARGET_MS else 'SLOW':>8}")  # fmt: skip


def explain(db_path: Path, cases: list[Case], runs: int = 3, slow_ms: float = 5.0) -> None:
    """Each statement of one request of each case, timed alone on a raw sqlite3 connection
    (median of ``runs``), with SQLite's plan for those slower than ``slow_ms``."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    for case in cases:
        print(f"\n=== {case.name}: {case.path} ({len(case.sql)} statements) ===")
        for statement, params in case.sql:
            flat = " ".join(statement.split())
            if not flat.upper().startswith("SELECT"):
                continue
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                con.execute(statement, params or ()).fetchall()
                times.append((time.perf_counter() - start) * 1000)
            median = statistics.median(times)
            if median < slow_ms:
                continue
            print(f"  {median:7.1f} ms  {flat[:600]}{'…' if len(flat) > 600 else ''}")
            for row in con.execute(f"EXPLAIN QUERY PLAN {statement}", params or ()):
                print(f"      plan: {row[-1]}")
    con.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the database")
    b.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"default: {DEFAULT_DB}")
    b.add_argument("--structured", type=int, default=100_000, help="structured threads")
    b.add_argument("--forum-threads", type=int, default=50_000)
    b.add_argument("--forum-posts", type=int, default=900_000)
    b.add_argument("--spaces", type=int, default=48)
    b.add_argument("--closed-share", type=float, default=0.1)
    b.add_argument("--seed", type=int, default=SEED)
    m = sub.add_parser("measure", help="time the statistics pages")
    m.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"default: {DEFAULT_DB}")
    m.add_argument("--cache-seconds", type=int, default=300,
                   help="STATS_CACHE_SECONDS (0: no cache, every request computes)")  # fmt: skip
    m.add_argument("--summary", choices=("refresh", "use", "off"), default="refresh",
                   help="refresh the statistics' summary rows first (default), use them as they "
                        "are, or count directly")  # fmt: skip
    m.add_argument("-n", "--repeat", type=int, default=20, help="timed requests per case")
    m.add_argument("--warmup", type=int, default=2, help="untimed requests per case first")
    m.add_argument("--viewers", default="anon,member,admin", help="comma-separated")
    m.add_argument("--only", default="", help="run the cases whose name contains this")
    m.add_argument("--explain", action="store_true", help="slow statements with their plans")
    m.add_argument("--profile", action="store_true", help="cProfile of the timed requests")
    m.add_argument("--profile-sort", default="cumulative")
    m.add_argument("--json", help="also write the figures to this file")
    m.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="an application setting (repeatable)")  # fmt: skip
    args = parser.parse_args(argv)
    build(args) if args.command == "build" else measure(args)


if __name__ == "__main__":
    main()
