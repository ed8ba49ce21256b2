"""How search cost grows with the corpus: indexing throughput, index size, memory, query latency.

    .venv/bin/python bench/search_bench.py                      # 50k, 100k, 200k posts (~15 min)
    .venv/bin/python bench/search_bench.py --sizes 5000,10000   # a quick look
    .venv/bin/python bench/search_bench.py --queries-only [--cold]  # again on the last index
    .venv/bin/python bench/search_bench.py --sizes 1000000 --procs 2 --dir /tmp/s1m  # issue 17

Posts come from ``bench/search_corpus.py`` (synthetic but realistic Japanese). Documents are
built by the real ``search.documents.build_document`` and written with the real schema and
analyzers; the index grows stage by stage (each stage adds posts in one writer, like a rebuild).
Queries run the real query compiler, matching, ranking, facet counting and snippet marking
(``search.service`` without its few small SQL lookups, which need a database). The last stage
also measures freshness: one post committed every 0.5 s, as the indexer does, and the time until
a searcher sees it. Nothing here fails on a slow figure; it prints a table.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from whoosh import query as wq  # noqa: E402

from bench.search_corpus import posts  # noqa: E402
from search import store  # noqa: E402
from search.documents import build_document, html_to_text  # noqa: E402
from search.matching import clear_postings_cache  # noqa: E402
from search.params import SearchParams  # noqa: E402
from search.query import BIGRAMS, compile_query, parse  # noqa: E402
from search.schema import ORDER_SCALE  # noqa: E402
from search.service import Filters, _count_facets, _rank, match  # noqa: E402
from search.snippets import mark  # noqa: E402

ONE_WORD = ["見守り", "買い物", "サロン", "コーディネーター", "NPO", "移動支援", "畑", "配食", "ICT", "防災",
            "みまもり", "ｺｰﾃﾞｨﾈｰﾀｰ", "後継者", "協議体", "乗合タクシー"]  # fmt: skip
TWO_WORDS = ["見守り 郵便局", "買い物 タクシー", "サロン 公民館", "移動支援 ボランティア", "配食 アンケート",
             "認知症カフェ 商店街", "DX スマホ教室", "防災訓練 民生委員", "畑 後継者", "NPO 資金"]  # fmt: skip


def rss_mib() -> tuple[float, float]:
    current = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            current = int(line.split()[1]) / 1024
    return current, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.iterdir() if f.is_file()) / 2**20


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_query(
    searcher, text: str, texts: dict[int, str], *, board=None, days=None, limit=20, cold=False,
    seen: set[int] | None = None,
):  # fmt: skip
    if cold:  # as after a restart or a merge: no decoded posting list in memory
        clear_postings_cache()
    params = SearchParams(q=text, limit=limit)
    parsed = parse(text)
    filters = Filters([], [])
    if board is not None:
        filters.terms.append(wq.Term("board", str(board)))
    if days is not None:
        low, high = days
        filters.ranges.append(("order_key", low * ORDER_SCALE, high * ORDER_SCALE))
    started = time.perf_counter()
    cpu = time.process_time()
    compiled = compile_query(parsed, searcher.reader())
    docs = match(searcher, compiled.query, filters)
    if not docs and compiled.used_morphemes:
        compiled = compile_query(parsed, searcher.reader(), mode=BIGRAMS)
        docs = match(searcher, compiled.query, filters)
    sort = "relevance" if parsed.groups else "date"
    page, _cursor = _rank(searcher, docs, sort, params)
    _count_facets(searcher, docs)
    ids = [int(searcher.stored_fields(d)["post_id"]) for d in page]
    if seen is not None:
        seen.update(ids)
    matched = time.perf_counter()
    for post_id in ids:
        mark(texts.get(post_id, ""), compiled.highlight)
    done = time.perf_counter()
    cpu = time.process_time() - cpu
    return len(docs), (matched - started) * 1000, (done - started) * 1000, cpu * 1000


def query_cases(n_posts: int) -> dict[str, list[dict]]:
    t0 = int(posts(1).__next__().created_at.timestamp())
    span = n_posts * 450
    cases = {
        "1 word": [dict(text=q) for q in ONE_WORD],
        "2 words": [dict(text=q) for q in TWO_WORDS],
        "1 word + board + dates": [
            dict(text=q, board=1 + i % 16, days=(t0 + span // 4, t0 + span // 4 * 3))
            for i, q in enumerate(ONE_WORD)
        ],
        "2 words + board": [dict(text=q, board=1 + i % 16) for i, q in enumerate(TWO_WORDS)],
        "filter only (board + dates)": [
            dict(text="", board=1 + i % 16, days=(t0, t0 + span // 2)) for i in range(16)
        ],
    }
    return cases


def measure_queries(searcher, texts, n_posts: int, repeat: int, cold=False) -> dict[str, dict]:
    cases = query_cases(n_posts)
    results = {}
    for name, variants in cases.items():
        for v in variants[:3]:  # warm up
            run_query(searcher, texts=texts, **v)
        matched, total, hits, cpu = [], [], [], []
        for i in range(repeat):
            n, m, t, c = run_query(searcher, texts=texts, cold=cold, **variants[i % len(variants)])
            hits.append(n)
            matched.append(m)
            total.append(t)
            cpu.append(c)
        results[name] = {
            "median": statistics.median(total), "p95": pct(total, 95),
            "cpu_median": statistics.median(cpu), "cpu_p95": pct(cpu, 95),
            "index_median": statistics.median(matched), "index_p95": pct(matched, 95),
            "hits_median": statistics.median(hits),
        }  # fmt: skip
    return results


def print_queries(queries: dict[str, dict]) -> None:
    print(f"{'case':30} {'median ms':>9} {'p95 ms':>7} {'(index p95)':>11} {'CPU med':>8} "
          f"{'CPU p95':>8} {'hits':>7}")  # fmt: skip
    for name, q in queries.items():
        print(f"{name:30} {q['median']:9.1f} {q['p95']:7.1f} {q['index_p95']:11.1f} "
              f"{q['cpu_median']:8.1f} {q['cpu_p95']:8.1f} {q['hits_median']:7,.0f}")  # fmt: skip


def queries_only(root: Path, count: int, repeat: int, cold=False) -> None:
    """Measure the queries again on the index a previous run left (e.g. on a quieter machine).

    Only the texts of the posts that the queries show are kept (one untimed pass finds them),
    so that the RSS printed is the index's and the caches', not the corpus's."""
    path = store.current_path(root)
    ix = store.open_index(path)
    with ix.searcher() as searcher:
        print(f"\n== {searcher.doc_count():,} documents in {len(searcher.reader().leaf_readers())} "
              f"segment(s), {dir_mib(path):,.0f} MiB, in {root} (queries only)")  # fmt: skip
        shown: set[int] = set()
        for variants in query_cases(count).values():
            for v in variants:
                run_query(searcher, texts={}, seen=shown, **v)
        texts = {p.post_id: html_to_text(p.body_html) for p in posts(count) if p.post_id in shown}
        print_queries(measure_queries(searcher, texts, count, repeat, cold))
        current, peak = rss_mib()
        print(f"RSS {current:,.0f} MiB (peak {peak:,.0f}); load average {_load()}")
    ix.close()


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def freshness(path: Path, ix, start_id: int, count: int) -> list[float]:
    """One post every 0.5 s, committed like the indexer does; seconds until a reader sees it."""
    latencies = []
    reader_ix = store.open_index(path)
    searcher = reader_ix.searcher()
    for i, post in enumerate(posts(count, start_id=start_id, seed=7)):
        doc = build_document(post)
        marker = f"fresh{i}marker"
        doc["body_ng"] = doc["body_ng"] + " " + marker
        started = time.perf_counter()
        writer = store.writer(ix, timeout=30)
        writer.add_document(**doc)
        writer.commit()
        while True:
            if not searcher.up_to_date():
                searcher.close()
                searcher = reader_ix.searcher()
            if searcher.search(wq.Term("body_ng", marker), limit=1).scored_length():
                break
            time.sleep(0.005)
        latencies.append(time.perf_counter() - started)
        time.sleep(max(0.0, 0.5 - latencies[-1]))
    searcher.close()
    reader_ix.close()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="50000,100000,200000")
    parser.add_argument("--repeat", type=int, default=100, help="timed queries per case")
    parser.add_argument("--fresh", type=int, default=20, help="posts in the freshness test")
    parser.add_argument("--dir", default=str(ROOT / "bench" / "data" / "search-bench"))
    parser.add_argument("--procs", type=int, default=1,
                        help="indexing processes (Whoosh MpWriter); the result is one segment")  # fmt: skip
    parser.add_argument("--max-minutes", type=float, default=20.0)
    parser.add_argument("--queries-only", action="store_true",
                        help="no indexing: query the index left by the last run (largest size)")  # fmt: skip
    parser.add_argument("--cold", action="store_true",
                        help="with --queries-only: empty the decoded-postings cache before every "
                             "query (the first query on its words after a restart or a merge)")  # fmt: skip
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    root = Path(args.dir)
    if args.queries_only:
        queries_only(root, sizes[-1], args.repeat, args.cold)
        return
    shutil.rmtree(root, ignore_errors=True)
    path, ix = store.create_aside(root)
    store.activate(root, path)
    texts: dict[int, str] = {}
    begun = time.monotonic()
    done_posts = 0
    rows = []
    for size in sizes:
        if (time.monotonic() - begun) / 60 > args.max_minutes * 0.6:
            print(f"stopping before {size}: the time budget would be exceeded")
            break
        started = time.perf_counter()
        # procs > 1: Whoosh's MpWriter; each process analyses a share of the posts and the
        # parent merges their sorted runs into one segment, as one writer's commit does
        kwargs = {"procs": args.procs} if args.procs > 1 else {}
        writer = store.writer(ix, limitmb=256, **kwargs)
        for post in posts(size - done_posts, start_id=done_posts + 1):
            doc = build_document(post)
            texts[post.post_id] = html_to_text(post.body_html)
            writer.add_document(**doc)
        writer.commit()
        seconds = time.perf_counter() - started
        rate = (size - done_posts) / seconds
        done_posts = size
        with ix.searcher() as searcher:
            queries = measure_queries(searcher, texts, size, args.repeat)
        current, peak = rss_mib()
        rows.append((size, rate, dir_mib(path), current, peak, queries))
        print(f"\n== {size:,} posts: indexed {rate:,.0f} posts/s ({seconds:.0f} s for this stage), "
              f"index {dir_mib(path):.0f} MiB, RSS {current:.0f} MiB (peak {peak:.0f})")  # fmt: skip
        print(f"{'case':32} {'median ms':>10} {'p95 ms':>8} {'(index p95)':>12} {'hits':>8}")
        for name, q in queries.items():
            print(
                f"{name:32} {q['median']:10.1f} {q['p95']:8.1f} {q['index_p95']:12.1f} {q['hits_median']:8,.0f}"
            )
    if args.fresh and rows:
        lat = freshness(path, ix, done_posts + 1, args.fresh)
        print(f"\nfreshness at {done_posts:,} posts, one post per 0.5 s: commit → visible "
              f"median {statistics.median(lat):.2f} s, p95 {pct(lat, 95):.2f} s, max {max(lat):.2f} s")  # fmt: skip
    ix.close()
    print(f"\ntotal {(time.monotonic() - begun) / 60:.1f} min")


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
