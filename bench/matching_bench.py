"""Benchmark of the matching suggestions (issue #16 item 5): 「連携先の候補」 of a local problem at
100,000 structured threads and 5,000 organisations; target ≤ 50 ms p95.

    .venv/bin/python bench/matching_bench.py               # builds the database and index if needed
    .venv/bin/python bench/matching_bench.py --rebuild     # build both again
    .venv/bin/python bench/matching_bench.py -n 300 --profile

The database is ``bench/structured_bench.py``'s (its ``generate``: 100,000 structured threads, 10 %
of them local problems, with typed fields, 1-3 player fields and 1-3 domains), plus organisations
written here with ``executemany`` (a player field, a prefecture weighted by population, a
description naming 1-3 life-support domains in ordinary sentences; 3 % unlisted). The search index
is built by the real ``search.indexer.rebuild`` into its own folder. The structured bench writes
its texts from a few templates, so every key word is shared by thousands of posts: the text
similarity meets its worst case here, not its usual one.

Each case is timed on random open local problems (a different one per request): the service alone
(``matching.service.for_challenge``, as anyone), the API answer, the whole problem page, and the
organisation side (``for_organization``). Reported: median and p95 wall time, median CPU time of
the thread (the machine is shared; CPU time is what the work costs), SQL statements per call.
"""

from __future__ import annotations

import argparse
import cProfile
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import fmt_time  # noqa: E402
from bench.run import StatementCounter, make_app, parse_settings, percentile  # noqa: E402
from bench.structured_bench import PREFECTURES  # noqa: E402
from bench.structured_bench import generate as generate_threads  # noqa: E402

DEFAULT_DB = ROOT / "bench" / "data" / "matching.sqlite3"
SEED = 20261207
TARGET_P95_MS = 50.0
SITE = "http://127.0.0.1"  # bench.run.make_app's SITE_URL: the only Host accepted
KINDS = ["npo", "company", "association", "cooperative", "municipality", "other"]
#: sentences an organisation's description is made of ({} is a domain's word)
SENTENCES = [
    "地域で{}の支援に取り組んでいます。",
    "{}に関わる活動を、住民と一緒に続けています。",
    "高齢者の{}を支える仕組みをつくっています。",
    "{}の担い手を育てる講座を開いています。",
]
DOMAIN_WORDS = ["買い物", "見守り", "移動", "交通", "居場所", "食事", "調理", "掃除", "健康", "介護",
                "学び", "交流", "防災", "就労", "住まい", "環境保全", "農地", "ボランティア"]  # fmt: skip


def add_organizations(db_path: Path, n: int, seed: int = SEED) -> None:
    rng = random.Random(seed)
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("BEGIN")
    fields = [fid for (fid,) in con.execute("SELECT id FROM player_fields")]
    codes = [p[0] for p in PREFECTURES]
    weights = [p[1] ** 0.8 for p in PREFECTURES]
    towns = {p[0]: p[2] for p in PREFECTURES}
    now = fmt_time(int(time.time() * 1_000_000))
    rows = []
    for i in range(1, n + 1):
        pref = rng.choices(codes, weights)[0]
        town = rng.choice(towns[pref])
        words = rng.sample(DOMAIN_WORDS, rng.randint(1, 3))
        text = "".join(rng.choice(SENTENCES).format(w) for w in words)
        rows.append((f"bench-org-{i}", f"{town}の団体{i}", rng.choice(KINDS), rng.choice(fields),
                     pref, text, "", 0, int(rng.random() > 0.03), now))  # fmt: skip
    con.executemany(
        "INSERT INTO organizations (slug, name, kind, player_field_id, prefecture_code, "
        "description, website_url, publish_website, is_listed, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    con.execute("COMMIT")
    con.close()


def build(db_path: Path, index_dir: Path, args) -> dict:
    t0 = time.perf_counter()
    print(f"generating {args.threads:,} structured threads into {db_path}")
    generate_threads(db_path, args.threads, args.seed)
    add_organizations(db_path, args.orgs, args.seed)
    generated = time.perf_counter() - t0
    app = make_app(db_path, {**parse_settings([]), "SEARCH_INDEX_DIR": str(index_dir)})
    t1 = time.perf_counter()
    with app.app_context():
        from search import indexer

        indexer.rebuild(index_dir)
    meta = {"threads": args.threads, "orgs": args.orgs, "generate_s": round(generated, 1),
            "index_s": round(time.perf_counter() - t1, 1)}  # fmt: skip
    Path(f"{db_path}.meta.json").write_text(json.dumps(meta))
    print(f"built in {generated:.0f} s, indexed in {meta['index_s']:.0f} s")
    return meta


@dataclass
class Case:
    name: str
    times_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    found: list[int] = field(default_factory=list)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--orgs", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("-n", "--repeat", type=int, default=200, help="timed calls per case")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--only", default="")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    db_path = args.db.resolve()
    index_dir = db_path.parent / f"{db_path.stem}-search"
    meta_path = Path(f"{db_path}.meta.json")
    if args.rebuild or not db_path.exists() or not meta_path.exists():
        meta = build(db_path, index_dir, args)
    else:
        meta = json.loads(meta_path.read_text())
    app = make_app(db_path, {**parse_settings([]), "SEARCH_INDEX_DIR": str(index_dir)})
    cases = run_all(app, args)
    print(f"\ndatabase {db_path.name}: {meta['threads']:,} structured threads, "
          f"{meta['orgs']:,} organisations; {args.repeat} calls per case after {args.warmup} "
          f"warm-up, each on another random open problem")  # fmt: skip
    print(f"{'case':40} {'median ms':>9} {'p95 ms':>7} {'CPU med':>8} {'CPU p95':>8} "
          f"{'stmts':>6} {'found':>6}")  # fmt: skip
    for c in cases:
        p95 = percentile(c.times_ms, 95)
        flag = "" if p95 <= TARGET_P95_MS else "  > target"
        print(f"{c.name:40} {statistics.median(c.times_ms):9.1f} {p95:7.1f} "
              f"{statistics.median(c.cpu_ms):8.1f} {percentile(c.cpu_ms, 95):8.1f} "
              f"{statistics.median(c.statements):6.0f} {statistics.median(c.found):6.0f}{flag}")  # fmt: skip
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"peak RSS {rss:,.0f} MiB; load average {load} on {os.cpu_count()} CPUs")


def run_all(app, args) -> list[Case]:
    from flask_login import AnonymousUserMixin
    from sqlalchemy import event, select

    from core.extensions import db
    from directory.models import Organization
    from forum.models import Thread
    from matching import service
    from structured.models import ThreadDetail

    rng = random.Random(args.seed)
    counter = StatementCounter()
    anyone = AnonymousUserMixin()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter)
        problems = list(
            db.session.scalars(
                select(ThreadDetail.thread_id)
                .join(Thread, Thread.id == ThreadDetail.thread_id)
                .where(ThreadDetail.kind == "challenge", ThreadDetail.status == "open",
                       Thread.is_deleted.is_(False), Thread.is_hidden.is_(False))
            )
        )  # fmt: skip
        orgs = list(db.session.scalars(select(Organization.id).where(Organization.is_listed)))
    total = args.warmup + args.repeat
    picks = [rng.choice(problems) for _ in range(total)]
    org_picks = [rng.choice(orgs) for _ in range(total)]
    client = app.test_client()

    def service_call(i: int) -> int:
        with app.test_request_context("/"):
            thread = db.session.get(Thread, picks[i])
            found = service.for_challenge(thread, viewer=anyone)
            db.session.remove()
            return len(found.organizations) + len(found.cases) + len(found.challenges)

    def api_call(i: int) -> int:
        response = client.get(f"/api/v1/challenges/{picks[i]}/suggestions", base_url=SITE)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return sum(len(v) for v in response.get_json().values())

    def page_call(i: int) -> int:
        response = client.get(f"/t/{picks[i]}", base_url=SITE)
        assert response.status_code == 200
        return response.get_data(as_text=True).count("理由: ")

    def org_call(i: int) -> int:
        with app.test_request_context("/"):
            org = db.session.get(Organization, org_picks[i])
            found = service.for_organization(org, viewer=anyone)
            db.session.remove()
            return len(found)

    cases = [
        (Case("suggestions (service, anyone)"), service_call),
        (Case("GET /api/v1/challenges/<id>/suggestions"), api_call),
        (Case("problem page /t/<id> (with suggestions)"), page_call),
        (Case("organisation → problems (service)"), org_call),
    ]
    out = []
    for case, call in cases:
        if args.only not in case.name:
            continue
        for i in range(args.warmup):
            call(i)
        profiler = cProfile.Profile() if args.profile else None
        for i in range(args.warmup, total):
            counter.count = 0
            if profiler:
                profiler.enable()
            start, cpu = time.perf_counter(), time.thread_time()
            found = call(i)
            case.times_ms.append((time.perf_counter() - start) * 1000)
            case.cpu_ms.append((time.thread_time() - cpu) * 1000)
            if profiler:
                profiler.disable()
            case.statements.append(counter.count)
            case.found.append(found)
        if profiler:
            stream = io.StringIO()
            pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(30)
            print(f"=== {case.name}\n{stream.getvalue()}")
        out.append(case)
    return out


if __name__ == "__main__":
    main()
