"""Spaces and audiences (issue #12): the board page, the structured listings and search, with
48 spaces and part of the content in closed boards, against the same pages without spaces.

    # the forum database, today's layout and with spaces (bench/generate.py)
    .venv/bin/python bench/generate.py --threads 30000 --posts 300000 --db /tmp/sp/new0.sqlite3
    .venv/bin/python bench/generate.py --threads 30000 --posts 300000 --db /tmp/sp/new48.sqlite3 \\
        --spaces 48 --closed-share 0.1
    # structured threads (bench/structured_bench.py's generator), then the same spaces layer
    .venv/bin/python bench/spaces_bench.py build-structured --db /tmp/sp/st48.sqlite3 \\
        --threads 30000 --spaces 48 --closed-share 0.1
    # a search index over part of a forum database's posts (texts from bench/search_corpus.py)
    .venv/bin/python bench/spaces_bench.py build-index --db /tmp/sp/new48.sqlite3 --dir /tmp/sp/ix48
    # one round of measurements (run it alternately in each tree), then the table
    .venv/bin/python bench/spaces_bench.py measure --label new48 --db /tmp/sp/new48.sqlite3 \\
        --structured-db /tmp/sp/st48.sqlite3 --index /tmp/sp/ix48 --json /tmp/sp/r1-new48.json
    .venv/bin/python bench/spaces_bench.py table --base base /tmp/sp/r*.json

``measure`` uses only what an older tree also has (``bench.run``'s helpers, the pages' URLs), so
the file can be copied into a checkout from before spaces and run there with ``--label base``.
Requests go through Flask's test client in-process, as in ``bench/run.py``: median and p95 wall
time, median CPU time of the request's thread, SQL statements per request. A benchmark to run and
read, not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import re
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ITEM_LINK_RE = re.compile(r'class="item-title"><a href="/t/(\d+)"')
THREAD_LINK_RE = re.compile(r'class="thread-title" href="/t/(\d+)"')
STRUCTURED_EMAIL = "user001@structured.bench.kyoso.example"
#: the search queries, in turn (bench/search_bench.py's one- and two-word sets)
QUERIES = [
    "見守り", "買い物", "サロン", "コーディネーター", "NPO", "移動支援", "畑", "配食", "ICT", "防災",
    "協議体", "乗合タクシー", "見守り 郵便局", "買い物 タクシー", "サロン 公民館",
    "移動支援 ボランティア", "配食 アンケート", "認知症カフェ 商店街", "防災訓練 民生委員", "NPO 資金",
]  # fmt: skip


# --- building -----------------------------------------------------------------------------------


def build_structured(args) -> None:
    """bench/structured_bench.py's database, then (with --spaces) the spaces of
    ``bench.generate.add_spaces`` and about --closed-share of the threads moved to closed boards
    (``PREF_PUBLIC_SHARE`` to prefectural public boards); board counters recomputed."""
    from bench.structured_bench import generate, refresh_kept_counts

    db_path = args.db.resolve()
    meta = generate(db_path, args.threads, args.seed)
    print(f"structured: {meta['threads']:,} threads in {meta['total_s']:.1f} s")
    if not args.spaces:
        return
    from bench.generate import add_memberships, add_spaces, spread_threads

    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("BEGIN")
    created = con.execute("SELECT min(created_at) FROM users").fetchone()[0]
    layout = add_spaces(con, args.spaces, created)
    mine = add_memberships(con, layout["spaces"], 1, created)
    rows = con.execute("SELECT id, board_id FROM threads ORDER BY id").fetchall()
    boards = [b for _id, b in rows]
    spread_threads(boards, layout, args.closed_share, args.seed, set())
    moved = [(new, tid) for (tid, old), new in zip(rows, boards, strict=True) if new != old]
    con.executemany("UPDATE threads SET board_id = ? WHERE id = ?", moved)
    # a structured thread's details copy its board (migration 0031)
    con.executemany("UPDATE thread_details SET board_id = ? WHERE thread_id = ?", moved)
    con.execute(
        """UPDATE boards SET
           thread_count = (SELECT count(*) FROM threads t
                           WHERE t.board_id = boards.id AND NOT t.is_deleted),
           post_count = (SELECT count(*) FROM posts p JOIN threads t ON t.id = p.thread_id
                         WHERE t.board_id = boards.id AND p.deleted_at IS NULL),
           last_post_at = (SELECT max(t.last_post_at) FROM threads t
                           WHERE t.board_id = boards.id AND NOT t.is_deleted)"""
    )
    refresh_kept_counts(con)  # the moved items' boards
    con.execute("COMMIT")
    closed = set(layout["closed"])
    share = sum(b in closed for b in boards) / len(boards)
    role = con.execute(
        "SELECT r.slug FROM users u JOIN roles r ON r.id = u.role_id WHERE u.id = 1"
    ).fetchone()[0]
    con.close()
    meta_path = Path(f"{db_path}.meta.json")
    meta = json.loads(meta_path.read_text())
    meta["spaces"] = {"spaces": args.spaces, "closed_share": args.closed_share,
                      "threads_in_closed_boards": round(share, 4), "bench_user_spaces": mine,
                      "bench_user_role": role}  # fmt: skip
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    print(f"spaces: {json.dumps(meta['spaces'], ensure_ascii=False)}")


def build_index(args) -> None:
    """A search index of every ``--every``-th post of a forum database: ids, thread, number,
    author, time, thread kind and board from the database (so the closed boards' share is the
    database's), texts and titles from ``bench/search_corpus.py`` (the generator's 18 bodies would
    make every query match all or nothing)."""
    from bench.search_corpus import posts
    from search import store
    from search.documents import BoardState, PostRow, ThreadState, build_document

    con = sqlite3.connect(f"file:{args.db.resolve()}?mode=ro", uri=True)
    has_spaces = bool(
        con.execute("SELECT 1 FROM pragma_table_info('boards') WHERE name = 'audience'").fetchone()
    )
    board_cols = "b.space_id, b.audience, b.audience_roles" if has_spaces else "1, 'public', ''"
    rows = con.execute(
        f"""SELECT p.id, p.thread_id, p.number, p.author_id, p.created_at, t.author_id,
                   t.board_id, t.kind, f.slug, {board_cols}
            FROM posts p JOIN threads t ON t.id = p.thread_id JOIN boards b ON b.id = t.board_id
            LEFT JOIN player_fields f ON f.id = b.player_field_id
            WHERE p.id % ? = 0 AND p.deleted_at IS NULL AND NOT t.is_deleted ORDER BY p.id""",
        (args.every,),
    ).fetchall()
    con.close()
    thread_fields = {f.name for f in dataclasses.fields(ThreadState)}
    root = args.dir.resolve()
    path, ix = store.create_aside(root)
    started = time.perf_counter()
    writer = store.writer(ix, limitmb=256)
    for row, text in zip(rows, posts(len(rows)), strict=True):
        pid, tid, number, author, created, t_author, bid, kind, field_slug, sid, aud, roles = row
        extra = {"board": BoardState(bid, sid, aud, roles)} if "board" in thread_fields else {}
        thread = ThreadState(tid, t_author, bid, False, False, **extra)
        created_at = datetime.fromisoformat(created).replace(tzinfo=UTC)
        doc = build_document(PostRow(pid, tid, number, author, text.body_html, created_at, None,
                                     None, text.title, kind, thread, field_slug))  # fmt: skip
        writer.add_document(**doc)
    writer.commit()
    store.activate(root, path)
    seconds = time.perf_counter() - started
    print(f"indexed {len(rows):,} posts in {seconds:.0f} s into {path}")


# --- measuring ----------------------------------------------------------------------------------


def login(client, email: str, password: str) -> None:
    html = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": CSRF_RE.search(html).group(1)},
    )
    assert response.status_code == 302, f"login as {email} failed"


def expected_cases(db_path: Path, limit: int = 20) -> list[int]:
    """The first page of /cases for an anonymous reader, by plain SQL (public boards only)."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    has_spaces = con.execute(
        "SELECT 1 FROM pragma_table_info('boards') WHERE name = 'audience'"
    ).fetchone()
    public = " AND b.audience = 'public'" if has_spaces else ""
    ids = [r[0] for r in con.execute(
        "SELECT d.thread_id FROM thread_details d JOIN threads t ON t.id = d.thread_id"
        " JOIN boards b ON b.id = t.board_id WHERE d.kind = 'case' AND NOT t.is_deleted"
        f" AND NOT t.is_hidden{public} ORDER BY d.thread_id DESC LIMIT {limit}"
    )]  # fmt: skip
    con.close()
    return ids


def timed(name: str, request, counter, args) -> dict | None:
    if args.only not in name:
        return None
    for _ in range(args.warmup):
        assert request().status_code == 200, name
    gc.collect()
    times, cpu, statements = [], [], []
    for _ in range(args.repeat):
        counter.count = 0
        start, cpu_start = time.perf_counter(), time.thread_time()
        response = request()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - cpu_start) * 1000)
        statements.append(counter.count)
        assert response.status_code == 200, f"{name}: HTTP {response.status_code}"
    from bench.run import percentile

    lo, hi = min(statements), max(statements)
    result = {
        "p50": statistics.median(times),
        "p95": percentile(times, 95),
        "cpu": statistics.median(cpu),
        "cpu_p95": percentile(cpu, 95),
        "sql": f"{lo}" if lo == hi else f"{lo}-{hi}",
    }
    print(f"  {name:<24} p50 {result['p50']:7.2f}  p95 {result['p95']:7.2f}  CPU "
          f"{result['cpu']:6.2f} (p95 {result['cpu_p95']:6.2f})  SQL {result['sql']}",
          flush=True)  # fmt: skip
    return result


def settings_of(args) -> dict:
    """``bench.run``'s settings; the test client's host (``localhost``) is trusted, as
    ``SITE_URL`` (127.0.0.1) alone would answer it 400 (``core.setup``'s host check)."""
    from bench.run import parse_settings

    return {"TRUSTED_HOSTS": "localhost", **parse_settings(args.set)}


def measure(args) -> None:
    from sqlalchemy import event

    from bench.run import StatementCounter, check_revision, make_app
    from core.extensions import db

    results: dict[str, dict] = {}
    counter = StatementCounter()
    load_before = os.getloadavg()
    print(f"[{args.label}] tree {ROOT}; load average {load_before}")

    # the forum database: board page and search --------------------------------------------
    db_path = args.db.resolve()
    check_revision(db_path)
    meta = json.loads(Path(f"{db_path}.meta.json").read_text())
    settings = settings_of(args)
    if args.index:
        settings["SEARCH_INDEX_DIR"] = str(args.index.resolve())
    app = make_app(db_path, settings)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter)
    anon, member = app.test_client(), app.test_client()
    login(member, meta["bench_user_email"], meta["password"])
    slug = meta["busiest_board_slug"]
    for who, client in (("anon", anon), ("member", member)):
        html = client.get(f"/b/{slug}").get_data(as_text=True)
        assert len(THREAD_LINK_RE.findall(html)) == app.config["THREADS_PER_PAGE"], "board page"
    results["board p1 (anon)"] = timed("board p1 (anon)", lambda: anon.get(f"/b/{slug}"),
                                       counter, args)  # fmt: skip
    results["board p1 (member)"] = timed(
        "board p1 (member)", lambda: member.get(f"/b/{slug}"), counter, args
    )
    if args.index:
        for who, client in (("anon", anon), ("member", member)):
            turn = iter(range(10**9))
            html = client.get("/search", query_string={"q": "見守り"}).get_data(as_text=True)
            assert "search-hit" in html, f"search as {who} found nothing (index at {args.index}?)"
            results[f"search ({who})"] = timed(
                f"search ({who})",
                lambda c=client, t=turn: c.get(
                    "/search", query_string={"q": QUERIES[next(t) % len(QUERIES)]}
                ),
                counter,
                args,
            )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()

    # the structured database: /cases and /events -----------------------------------------
    if args.structured_db:
        st_path = args.structured_db.resolve()
        check_revision(st_path)
        app = make_app(st_path, settings_of(args))
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", counter)
        anon, member = app.test_client(), app.test_client()
        login(member, STRUCTURED_EMAIL, meta["password"])
        got = [int(i) for i in ITEM_LINK_RE.findall(anon.get("/cases").get_data(as_text=True))]
        assert got == expected_cases(st_path), "/cases (anon) page 1 differs from SQL"
        for path in ("/cases", "/events"):
            for who, client in (("anon", anon), ("member", member)):
                results[f"{path} ({who})"] = timed(
                    f"{path} ({who})", lambda c=client, p=path: c.get(p), counter, args
                )
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    results = {name: r for name, r in results.items() if r is not None}
    load_after = os.getloadavg()
    print(f"[{args.label}] load average {load_after}")
    if args.json:
        args.json.write_text(json.dumps({
            "label": args.label, "tree": str(ROOT), "db": str(db_path),
            "load_before": load_before, "load_after": load_after, "repeat": args.repeat,
            "at": datetime.now(UTC).isoformat(timespec="seconds"), "cases": results,
        }, ensure_ascii=False, indent=1))  # fmt: skip


def table(args) -> None:
    """Median over the rounds of each label's p50 and p95, and each label's ratio to --base."""
    runs: dict[str, list[dict]] = {}
    for path in args.files:
        data = json.loads(path.read_text())
        runs.setdefault(data["label"], []).append(data)
    labels = list(runs)
    names = list(dict.fromkeys(n for rs in runs.values() for r in rs for n in r["cases"]))

    def med(label: str, name: str, key: str) -> float | None:
        values = [r["cases"][name][key] for r in runs[label] if key in r["cases"].get(name, {})]
        return statistics.median(values) if values else None

    head = "| case | " + " | ".join(f"{lb} p50 / p95 ms" for lb in labels)
    others = [lb for lb in labels if lb != args.base]
    head += " | " + " | ".join(f"{lb}/{args.base} p50 / p95" for lb in others)
    head += " | CPU p50 / p95 ms " + " · ".join(labels)
    head += " | " + " | ".join(f"{lb}/{args.base} CPU p95" for lb in others)
    head += " | SQL " + " / ".join(labels) + " |"
    print(head)
    print("|---" * (1 + len(labels) + 2 * len(others) + 2) + "|")
    for name in names:
        cells = []
        for lb in labels:
            p50, p95 = med(lb, name, "p50"), med(lb, name, "p95")
            cells.append("–" if p50 is None else f"{p50:.1f} / {p95:.1f}")
        for lb in others:
            b50, b95 = med(args.base, name, "p50"), med(args.base, name, "p95")
            o50, o95 = med(lb, name, "p50"), med(lb, name, "p95")
            ok = None not in (b50, b95, o50, o95)
            cells.append(f"{o50 / b50:.2f} / **{o95 / b95:.2f}**" if ok else "–")
        cpu = " · ".join(
            f"{med(lb, name, 'cpu'):.1f} / {med(lb, name, 'cpu_p95') or 0:.1f}"
            if med(lb, name, "cpu") is not None else "–" for lb in labels
        )  # fmt: skip
        base_cpu = med(args.base, name, "cpu_p95")
        cpu_ratio = [
            f"{c / base_cpu:.2f}" if base_cpu and (c := med(lb, name, "cpu_p95")) else "–"
            for lb in others
        ]
        sql = " / ".join(
            str(next((r["cases"][name]["sql"] for r in runs[lb] if name in r["cases"]), "–"))
            for lb in labels
        )
        print(f"| {name} | " + " | ".join(cells) + f" | {cpu} | " + " | ".join(cpu_ratio)
              + f" | {sql} |")  # fmt: skip
    for lb in labels:
        loads = [f"{r['load_before'][0]:.2f}→{r['load_after'][0]:.2f}" for r in runs[lb]]
        print(f"{lb}: {len(runs[lb])} rounds, 1-min load average {', '.join(loads)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build-structured", help="structured threads (+ spaces)")
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--threads", type=int, default=30_000)
    p.add_argument("--seed", type=int, default=20261127)
    p.add_argument("--spaces", type=int, default=0)
    p.add_argument("--closed-share", type=float, default=0.0)
    p = sub.add_parser("build-index", help="a search index of a forum database's posts")
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--dir", type=Path, required=True)
    p.add_argument("--every", type=int, default=6, help="index every Nth post id")
    p = sub.add_parser("measure", help="one round in this tree")
    p.add_argument("--label", required=True)
    p.add_argument("--db", type=Path, required=True, help="forum database (bench/generate.py)")
    p.add_argument("--structured-db", type=Path)
    p.add_argument("--index", type=Path, help="search index root (build-index)")
    p.add_argument("-n", "--repeat", type=int, default=100)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--json", type=Path)
    p.add_argument("--only", default="", help="time only the cases whose name contains this")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    p = sub.add_parser("table", help="a Markdown table of several rounds' JSON files")
    p.add_argument("--base", default="base")
    p.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    {"build-structured": build_structured, "build-index": build_index, "measure": measure,
     "table": table}[args.command](args)  # fmt: skip


if __name__ == "__main__":
    main()
