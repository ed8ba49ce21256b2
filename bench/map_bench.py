"""Benchmark of the prefecture map on the structured listings (issue #18): what the map adds to
/cases, /events, /policies and /challenges on 100,000 structured threads.

    .venv/bin/python bench/map_bench.py --db /tmp/mapbench/structured.sqlite3 --threads 100000
    .venv/bin/python bench/map_bench.py --db /tmp/mapbench/st48.sqlite3 --signed-in   # spaces
    .venv/bin/python bench/map_bench.py --only cases -n 100

The database is ``bench/structured_bench.py``'s (built here with its generator when the file is
missing; ``bench/spaces_bench.py build-structured`` makes one with 48 spaces and 10 % of the
threads in closed boards). Each listing is requested through Flask's test client in this process
in three ways, in interleaved rounds so that the machine's load falls on all of them alike:

- **no map**: the listing without its panels (``structured.listings._panels`` emptied);
- **map, cached**: as served, the counts from the per-process cache (``STATS_MAP_CACHE_SECONDS``)
  after the first request, so the map costs its building and rendering only;
- **map, counted**: a second app with the cache off: every request runs the count statement.

and the count statement alone (``structured.queries.prefecture_counts`` in a request context of
the same URL). Before timing, each listing's map is checked against the listing's own total and,
for the case listings, against independent SQL. Reported: p50 and p95 wall time in ms, median CPU
time of the request's thread, statements per request. A benchmark to read, not a test.
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
UNPLACED_RE = re.compile(r'class="map-unplaced">全国・地域指定なし：([\d,]+)件<')

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
MODES = ("no map", "map, cached", "map, counted")


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


def count_alone(app, kind: str, path: str, n: int, email: str | None) -> list[float]:
    """``prefecture_counts`` alone, in a request context of ``path`` (as the viewer)."""
    from flask import request
    from flask_login import login_user
    from sqlalchemy import select

    from auth.models import User
    from core.extensions import db
    from structured import queries

    times = []
    with app.test_request_context(path):
        if email:
            login_user(db.session.scalar(select(User).where(User.email == email)))
        filters = queries.parse_filters(kind, request.args)
        queries.prefecture_counts(filters)  # warm
        for _ in range(n):
            start = time.perf_counter()
            queries.prefecture_counts(filters)
            times.append((time.perf_counter() - start) * 1000)
        db.session.remove()
    return times


def run(args) -> None:
    from sqlalchemy import event

    from core.extensions import db
    from structured import listings

    db_path = args.db.resolve()
    meta = ensure_database(db_path, Namespace(rebuild=False, threads=args.threads, seed=args.seed))
    # the test client asks for http://localhost/; bench.run's SITE_URL names 127.0.0.1, and an
    # untrusted Host header gets 400 (core/setup.py)
    settings = {"TRUSTED_HOSTS": "localhost", **parse_settings(args.set)}
    cached = make_app(db_path, settings)
    counted = make_app(db_path, {**settings, "STATS_MAP_CACHE_SECONDS": 0})
    panels = list(listings._panels)
    counter = StatementCounter()
    for app in (cached, counted):
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", counter)
    viewers = [("anonymous", None)]
    if args.signed_in:
        viewers.append(("signed in", meta["bench_user_email"]))
    cases = {k: v for k, v in CASES.items() if args.only in k}
    spaces = meta.get("spaces", {})
    print(f"database {db_path.name}: {meta['threads']:,} structured threads {meta['kinds']}"
          + (f"; {spaces['spaces']} spaces, {spaces['threads_in_closed_boards']:.1%} of the"
             " threads in closed boards" if spaces else "; no spaces (every board public)")
          + f"; {args.repeat} requests per case and mode, in rounds of {args.batch}")  # fmt: skip
    results = []
    for viewer, email in viewers:
        clients = {"no map": cached.test_client(), "map, cached": cached.test_client(),
                   "map, counted": counted.test_client()}  # fmt: skip
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
                listings._panels[:] = [] if mode == "no map" else panels
                timed_requests(clients[mode], path, args.warmup, counter,
                               {"ms": [], "cpu": [], "sql": []})  # fmt: skip
            gc.collect()
            for _round in range(max(1, args.repeat // args.batch)):
                for mode in MODES:
                    listings._panels[:] = [] if mode == "no map" else panels
                    timed_requests(clients[mode], path, args.batch, counter, times[mode])
            listings._panels[:] = panels
            row["modes"] = times
            row["alone"] = count_alone(counted, kind, path, args.repeat, email)
            results.append(row)
            print(f"  {viewer:<9} {name:<36} done", flush=True)
    print_table(results)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} CPUs")
    for app in (cached, counted):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def print_table(results: list[dict]) -> None:
    def p(values, pct):
        return percentile(values, pct)

    print("\nwall ms p50 / p95 (CPU ms median) per mode; Δ = p50 with the map − p50 without\n")
    print("| viewer | listing | items | no map | map, cached | Δ cached | map, counted | Δ counted"
          " | count alone | SQL/req |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in results:
        cells = []
        base = statistics.median(row["modes"]["no map"]["ms"])
        for mode in MODES:
            t = row["modes"][mode]
            cells.append(f"{p(t['ms'], 50):.1f} / {p(t['ms'], 95):.1f} "
                         f"({statistics.median(t['cpu']):.1f})")  # fmt: skip
        d_cached = statistics.median(row["modes"]["map, cached"]["ms"]) - base
        d_counted = statistics.median(row["modes"]["map, counted"]["ms"]) - base
        alone = row["alone"]
        sql = "/".join(str(statistics.median(row["modes"][m]["sql"])) for m in MODES)
        flag = "" if d_cached <= BUDGET_MS else " **over**"
        print(f"| {row['viewer']} | `{row['path']}` | {row['matches']:,} | {cells[0]} | {cells[1]}"
              f" | {d_cached:+.1f}{flag} | {cells[2]} | {d_counted:+.1f} |"
              f" {p(alone, 50):.1f} / {p(alone, 95):.1f} | {sql} |")  # fmt: skip


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
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
