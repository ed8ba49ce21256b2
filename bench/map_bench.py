"""Benchmark of the prefecture map on the structured listings (issue #18): what the map adds to
/cases, /events, /policies and /challenges on 100,000 structured threads.

    .venv/bin/python bench/map_bench.py --db /tmp/mapbench/structured.sqlite3 --threads 100000
    .venv/bin/python bench/map_bench.py --db /tmp/mapbench/st48.sqlite3 --signed-in   # spaces
    .venv/bin/python bench/map_bench.py --only cases -n 100
    .venv/bin/python bench/map_bench.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/kyoso_mapbench

The database is ``bench/structured_bench.py``'s (built here with its generator when the file is
missing; ``bench/spaces_bench.py build-structured`` makes one with 48 spaces and 10 % of the
threads in closed boards). With ``--postgres URL`` it is copied into that PostgreSQL database
(created when missing; the schema by the migrations, then VACUUM ANALYZE, as autovacuum
would after the load) and
measured there. Each listing is requested through Flask's test client in this process
in four ways, in interleaved rounds so that the machine's load falls on all of them alike:

- **no map**: the listing without its panels (``structured.listings._panels`` emptied); its
  result count ("N件") still comes from the map's counts, kept in the per-process cache, so this
  mode costs nothing for the count: a floor, not what the listing would cost without the map;
- **no map, with count**: the listing without its panels and with its result count from one plain
  ``count(*)`` over the same conditions (the prefecture and 地方 included) on every request: what
  a listing without the map would have to run, since every listing shows its count (issue #14).
  This is the honest baseline: the map's own cost is the grouped count minus the plain one, plus
  building and rendering;
- **map, cached**: as served, the counts from the per-process cache (``STATS_MAP_CACHE_SECONDS``)
  after the first request, so the map costs its building and rendering only;
- **map, counted**: a second app with the cache off: every request runs the count statement.

and the count statements alone (``structured.queries.prefecture_counts``, and the plain count,
in a request context of the same URL). Before timing, each listing's map is checked against
the listing's own total and, for the case listings, against independent SQL. Reported: p50 and
p95 wall time in ms, median CPU time of the request's thread, statements per request, and the
map's cost against both baselines. A benchmark to read, not a test.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import sqlite3
import statistics
import sys
import time
from argparse import Namespace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import StatementCounter, make_app, parse_settings, percentile  # noqa: E402
from bench.structured_bench import case_where, ensure_database  # noqa: E402

DEFAULT_DB = Path("/tmp/mapbench/structured.sqlite3")
BUDGET_MS = 10.0  # issue #18: the map adds at most this to a listing
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LABEL_RE = re.compile(r'aria-label="(\S+) ([\d,]+)件"')
UNPLACED_RE = re.compile(
    r'class="map-unplaced">(?:全国・地域指定なし|全国（オンライン）)：([\d,]+)件<'
)

#: name → (kind, URL)
CASES = {
    "cases": ("case", "/cases"),
    "cases ?prefecture=28": ("case", "/cases?prefecture=28"),
    "cases ?block=kinki&domain=kaimono": ("case", "/cases?block=kinki&domain=kaimono"),
    "cases ?field&domain&population": (
        "case", "/cases?field=butsuryu-hanbai&domain=mimamori&population=10k-50k"),
    "events (upcoming)": ("event", "/events"),
    "events ?when=past": ("event", "/events?when=past"),
    "policies ?fiscal_year=2026": ("policy", "/policies?fiscal_year=2026"),
    "challenges ?status=open": ("challenge", "/challenges?status=open"),
}  # fmt: skip
MODES = ("no map", "no map, with count", "map, cached", "map, counted")


def login(client, email: str, password: str) -> None:
    html = client.get("/login").get_data(as_text=True)
    token = CSRF_RE.search(html).group(1)
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token})  # fmt: skip
    assert response.status_code == 302, f"login as {email} failed"


def map_counts(html: str) -> tuple[dict[str, int], int]:
    counts = {name: int(n.replace(",", "")) for name, n in LABEL_RE.findall(html)}
    unplaced = UNPLACED_RE.search(html)
    assert len(counts) == 47 and unplaced, "no map on the page"
    return counts, int(unplaced.group(1).replace(",", ""))


def check_cases(db_path: Path, client, name: str, path: str) -> None:
    """The map of a case listing against plain SQL (anonymous viewer: public boards only)."""
    from urllib.parse import parse_qsl, urlsplit

    args = {k: v for k, v in parse_qsl(urlsplit(path).query) if k not in ("prefecture", "block")}
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        extra, params = case_where(con, args)
        has_audience = con.execute(
            "SELECT 1 FROM pragma_table_info('boards') WHERE name = 'audience'"
        ).fetchone()
        public = " AND b.audience = 'public'" if has_audience else ""
        rows = con.execute(
            "SELECT p.name, count(*) FROM thread_details d JOIN threads t ON t.id = d.thread_id"
            " JOIN boards b ON b.id = t.board_id JOIN prefectures p ON p.code = d.prefecture_code"
            f" WHERE d.kind = 'case' AND NOT t.is_deleted AND NOT t.is_hidden{public}{extra}"
            " GROUP BY p.name",
            params,
        ).fetchall()
    finally:
        con.close()
    got, _unplaced = map_counts(client.get(path).get_data(as_text=True))
    want = dict(rows)
    assert {k: v for k, v in got.items() if v} == want, f"{name}: the map differs from SQL"


def timed_requests(client, path: str, n: int, counter: StatementCounter, out: dict) -> None:
    for _ in range(n):
        counter.count = 0
        start, cpu = time.perf_counter(), time.thread_time()
        response = client.get(path)
        out["ms"].append((time.perf_counter() - start) * 1000)
        out["cpu"].append((time.thread_time() - cpu) * 1000)
        out["sql"].append(counter.count)
        assert response.status_code == 200, (path, response.status_code)


def plain_count(filters) -> int:
    """The listing's result count as a listing without the map would take it: one ``count(*)``
    over the listing's own conditions (prefecture and 地方 included; events in their window), in
    the form the counts use (``thread_details`` alone, since migration 0031)."""
    from datetime import UTC, datetime

    from sqlalchemy import func, select

    from core.extensions import db
    from structured import queries
    from structured.models import ThreadDetail

    query = select(func.count()).select_from(ThreadDetail).where(
        *queries._conditions(filters, counting=True)
    )
    if filters.kind == "event":
        window = queries._event_window(filters, datetime.now(UTC))
        if window is not None:
            query = query.where(window)
    return db.session.scalar(query)


def plain_counter(filters) -> dict[str | None, int]:
    """``plain_count`` in the shape of the listings' counter, so that ``queries.total_of`` gives
    it back (the page's result count)."""
    n = plain_count(filters)
    if filters.prefecture:
        return {filters.prefecture: n}
    if filters.block:
        return {filters._ids["block"][0]: n}
    return {None: n}


def count_alone(app, kind: str, path: str, n: int, email: str | None,
                count=None) -> dict[str, list[float]]:  # fmt: skip
    """``prefecture_counts`` (or ``count``) alone, in a request context of ``path`` (as the
    viewer)."""
    from flask import request
    from flask_login import login_user
    from sqlalchemy import select

    from auth.models import User
    from core.extensions import db
    from structured import queries

    times, cpus = [], []
    with app.test_request_context(path):
        if email:
            login_user(db.session.scalar(select(User).where(User.email == email)))
        filters = queries.parse_filters(kind, request.args)
        count = count or queries.prefecture_counts
        count(filters)  # warm
        for _ in range(n):
            start, cpu = time.perf_counter(), time.thread_time()
            count(filters)
            times.append((time.perf_counter() - start) * 1000)
            cpus.append((time.thread_time() - cpu) * 1000)
        db.session.remove()
    return {"ms": times, "cpu": cpus}


def copy_to_postgres(db_path: Path, url: str, *, rebuild: bool = False) -> None:
    """The SQLite database ``db_path`` copied into the PostgreSQL database of ``url``: created
    (an existing one is kept unless ``rebuild``), the schema by the application's migrations,
    every table's rows through the models' types, the sequences set past the copied ids."""
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, insert, make_url, select, text

    from app import create_app
    from core.extensions import db

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists_ = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                              {"n": target.database})  # fmt: skip
        if exists_ and not rebuild:
            admin.dispose()
            return
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    print(f"copying {db_path.name} into {target.database}", flush=True)
    start = time.perf_counter()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SITE_URL": "http://127.0.0.1",
                      "INSTANCE_PATH": str(db_path.parent / "instance"),
                      "RATELIMIT_ENABLED": False})  # fmt: skip
    source = create_engine(f"sqlite:///{db_path}")
    with app.app_context():
        upgrade()
        tables = db.metadata.sorted_tables
        with db.engine.begin() as dst, source.connect() as src:
            dst.execute(text("SET session_replication_role = replica"))  # no FK checks
            names = ", ".join(f'"{t.name}"' for t in tables)
            dst.execute(text(f"TRUNCATE {names} CASCADE"))
            for table in tables:
                rows = src.execute(select(table)).mappings()
                while batch := rows.fetchmany(5000):
                    dst.execute(insert(table), [dict(r) for r in batch])
            for table in tables:
                for column in table.primary_key.columns:
                    if column.autoincrement is True or (
                        column.autoincrement == "auto" and len(table.primary_key.columns) == 1
                        and column.type.python_type is int
                    ):  # fmt: skip
                        dst.execute(text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'),"
                            f" coalesce((SELECT max({column.name}) FROM \"{table.name}\"), 0) + 1,"
                            " false) WHERE pg_get_serial_sequence("
                            f"'{table.name}', '{column.name}') IS NOT NULL"))  # fmt: skip
        with db.engine.connect() as conn:  # the visibility map and statistics, as autovacuum
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        db.session.remove()
        db.engine.dispose()
    source.dispose()
    print(f"copied in {time.perf_counter() - start:.0f} s", flush=True)


def use_mode(mode: str, panels: list, counter_of_app: list) -> None:
    """Set this process's listings up for ``mode``: panels or none, the app's counter (the map's
    cached counts) or one plain count a request."""
    from structured import listings

    listings._panels[:] = [] if mode.startswith("no map") else panels
    listings._counter[:] = [plain_counter] if mode == "no map, with count" else counter_of_app


def run(args) -> None:
    from sqlalchemy import event

    from core.extensions import db
    from structured import listings

    db_path = args.db.resolve()
    meta = ensure_database(db_path, Namespace(rebuild=False, threads=args.threads, seed=args.seed))
    # the test client asks for http://localhost/; bench.run's SITE_URL names 127.0.0.1, and an
    # untrusted Host header gets 400 (core/setup.py)
    settings = {"TRUSTED_HOSTS": "localhost", **parse_settings(args.set)}
    if args.postgres:
        copy_to_postgres(db_path, args.postgres, rebuild=args.rebuild_postgres)
        settings["DATABASE_URL"] = args.postgres
    cached = make_app(db_path, settings)
    counted = make_app(db_path, {**settings, "STATS_MAP_CACHE_SECONDS": 0})
    panels, counter_of_app = list(listings._panels), list(listings._counter)
    counter = StatementCounter()
    for app in (cached, counted):
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", counter)
    viewers = [("anonymous", None)]
    if args.signed_in:
        viewers.append(("signed in", meta["bench_user_email"]))
    cases = {k: v for k, v in CASES.items() if args.only in k}
    spaces = meta.get("spaces", {})
    print(f"database {args.postgres or db_path.name}: {meta['threads']:,} structured threads {meta['kinds']}"
          + (f"; {spaces['spaces']} spaces, {spaces['threads_in_closed_boards']:.1%} of the"
             " threads in closed boards" if spaces else "; no spaces (every board public)")
          + f"; {args.repeat} requests per case and mode, in rounds of {args.batch}")  # fmt: skip
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    from core import setup

    print(f"load average at the start {load}; SQLite mmap_size {setup.SQLITE_MMAP_SIZE:,}",
          flush=True)  # fmt: skip
    results = []
    for viewer, email in viewers:
        clients = {"no map": cached.test_client(), "no map, with count": counted.test_client(),
                   "map, cached": cached.test_client(), "map, counted": counted.test_client()}  # fmt: skip
        if email:
            for client in clients.values():
                login(client, email, meta["password"])
        for name, (kind, path) in cases.items():
            html = clients["map, counted"].get(path).get_data(as_text=True)
            counts, unplaced = map_counts(html)
            if viewer == "anonymous" and kind == "case" and not spaces:
                check_cases(db_path, clients["map, counted"], name, path)
            row = {"viewer": viewer, "case": name, "path": path, "matches": sum(counts.values())
                   + unplaced}  # fmt: skip
            times = {mode: {"ms": [], "cpu": [], "sql": []} for mode in MODES}
            for mode in MODES:  # warm-up: process caches, SQLite's page cache, the map's counts
                use_mode(mode, panels, counter_of_app)
                timed_requests(clients[mode], path, args.warmup, counter,
                               {"ms": [], "cpu": [], "sql": []})  # fmt: skip
            gc.collect()
            for _round in range(max(1, args.repeat // args.batch)):
                for mode in MODES:
                    use_mode(mode, panels, counter_of_app)
                    timed_requests(clients[mode], path, args.batch, counter, times[mode])
            use_mode("map, cached", panels, counter_of_app)
            row["modes"] = times
            row["alone"] = count_alone(counted, kind, path, args.repeat, email)
            row["plain"] = count_alone(counted, kind, path, args.repeat, email, plain_count)
            results.append(row)
            print(f"  {viewer:<9} {name:<36} done", flush=True)
    print_table(results)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average at the end {load} on {os.cpu_count()} CPUs")
    for app in (cached, counted):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def print_table(results: list[dict]) -> None:
    def p(values, pct):
        return percentile(values, pct)

    def med(row, mode):
        return statistics.median(row["modes"][mode]["ms"])

    def cpu(row, mode):
        return statistics.median(row["modes"][mode]["cpu"])

    print("\nwall ms p50 / p95 (CPU ms median) per mode; Δ = p50 with the map − p50 of the"
          " baseline named; Δ CPU likewise with the median CPU\n")  # fmt: skip
    print("| viewer | listing | items | no map | no map, with count | map, cached | map, counted"
          " | Δ cached vs no map | Δ counted vs no map | **Δ counted vs with count** (CPU)"
          " | grouped count alone | plain count alone | SQL/req |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in results:
        cells = []
        for mode in MODES:
            t = row["modes"][mode]
            cells.append(f"{p(t['ms'], 50):.1f} / {p(t['ms'], 95):.1f} "
                         f"({statistics.median(t['cpu']):.1f})")  # fmt: skip
        d_cached = med(row, "map, cached") - med(row, "no map")
        d_counted = med(row, "map, counted") - med(row, "no map")
        d_honest = med(row, "map, counted") - med(row, "no map, with count")
        d_honest_cpu = cpu(row, "map, counted") - cpu(row, "no map, with count")
        alone_text, plain_text = (
            f"{p(t['ms'], 50):.1f} / {p(t['ms'], 95):.1f} ({statistics.median(t['cpu']):.1f})"
            for t in (row["alone"], row["plain"])
        )
        sql = "/".join(f"{statistics.median(row['modes'][m]['sql']):g}" for m in MODES)
        flag = "" if d_honest <= BUDGET_MS else " over"
        print(f"| {row['viewer']} | `{row['path']}` | {row['matches']:,} | {' | '.join(cells)}"
              f" | {d_cached:+.1f} | {d_counted:+.1f} | **{d_honest:+.1f}**{flag}"
              f" ({d_honest_cpu:+.1f}) | {alone_text} | {plain_text} | {sql} |")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"default: {DEFAULT_DB}")
    parser.add_argument("--threads", type=int, default=100_000, help="when building")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("-n", "--repeat", type=int, default=60, help="timed requests per mode")
    parser.add_argument("--batch", type=int, default=10, help="requests per mode in a round")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--only", default="", help="the cases whose name contains this")
    parser.add_argument("--signed-in", action="store_true", help="also as the bench's member")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--postgres", metavar="URL", help="measure on a PostgreSQL copy of --db"
                        " (made when the database is missing), e.g. postgresql+psycopg://"
                        "postgres@127.0.0.1:5432/kyoso_mapbench")  # fmt: skip
    parser.add_argument("--rebuild-postgres", action="store_true", help="copy it again")
    parser.add_argument("--sqlite-mmap", type=int, default=None, metavar="BYTES",
                        help="core.setup.SQLITE_MMAP_SIZE for this run (0: off, as before)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.sqlite_mmap is not None:
        from core import setup

        setup.SQLITE_MMAP_SIZE = args.sqlite_mmap
    run(args)


if __name__ == "__main__":
    main()
