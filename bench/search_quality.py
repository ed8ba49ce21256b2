"""Which Japanese analysis? Precision and recall of several strategies on the labelled set.

    .venv/bin/python bench/search_quality.py

Uses the fixed corpus and the 70+ labelled queries of ``tests/search/corpus.py`` (what a person
expects each query to find), indexed in a temporary directory with the real schema, and compares:

* Whoosh's StandardAnalyzer (what Whoosh does out of the box);
* character bigrams only (with the same NFKC / kana / ー folding);
* SudachiPy morphemes only (split mode A, normalised forms);
* the hybrid that search uses (morphemes; bigrams too for words of 3+ characters; bigrams for
  unknown words and single characters; a bigram retry when nothing is found).

Prints macro-averaged precision and recall, the time to index, and the queries each one misses.
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from whoosh import index  # noqa: E402
from whoosh import query as wq  # noqa: E402
from whoosh.analysis import StandardAnalyzer  # noqa: E402
from whoosh.fields import ID, TEXT, Schema  # noqa: E402

from search import store  # noqa: E402
from search.documents import BoardState, PostRow, ThreadState, build_document, html_to_text  # noqa: E402
from search.query import BIGRAMS, HYBRID, MORPHEMES, compile_query, parse  # noqa: E402
from search.service import Filters, match  # noqa: E402
from tests.search.corpus import QUERIES, REPLIES, THREADS  # noqa: E402


def corpus() -> list[tuple[str, PostRow]]:
    rows, ids = [], {}
    now = datetime(2026, 4, 1, tzinfo=UTC)
    for i, (key, (_board, _author, title, body)) in enumerate(THREADS.items(), start=1):
        ids[key] = i
        thread = ThreadState(i, 1, 1, False, False, BoardState(1, 1, "public", ""))
        row = PostRow(
            i, i, 1, 1, f"<p>{body}</p>", now, None, None, title, "discussion", thread, None
        )
        rows.append((key, row))
    for j, (key, (thread_key, _author, body)) in enumerate(REPLIES.items(), start=1000):
        parent = rows[ids[thread_key] - 1][1]
        rows.append((key, replace(parent, post_id=j, number=2, body_html=f"<p>{body}</p>")))
    return rows


def score(found_by_query: list[set[str]]) -> tuple[float, float, list[str]]:
    precisions, recalls, misses = [], [], []
    for (query, expected, _what), found in zip(QUERIES, found_by_query, strict=True):
        hit = found & expected
        precisions.append(len(hit) / len(found) if found else 0.0)
        recalls.append(len(hit) / len(expected))
        if found != expected:
            misses.append(f"{query}: +{sorted(found - expected)} -{sorted(expected - found)}")
    return sum(precisions) / len(precisions), sum(recalls) / len(recalls), misses


def run_ours(rows, mode: str, retry: bool) -> tuple[list[set[str]], float]:
    tmp = Path(tempfile.mkdtemp())
    path, ix = store.create_aside(tmp)
    started = time.perf_counter()
    with ix.writer() as writer:
        for _key, row in rows:
            writer.add_document(**build_document(row))
    elapsed = time.perf_counter() - started
    keys = {str(row.post_id): key for key, row in rows}
    results = []
    with ix.searcher() as searcher:
        for query, _expected, _what in QUERIES:
            parsed = parse(query)
            compiled = compile_query(parsed, searcher.reader(), mode=mode)
            docs = match(searcher, compiled.query, Filters([], []))
            if retry and not docs and compiled.used_morphemes:
                retried = compile_query(parsed, searcher.reader(), mode=BIGRAMS)
                docs = match(searcher, retried.query, Filters([], []))
            results.append({keys[searcher.stored_fields(d)["post_id"]] for d in docs})
    ix.close()
    return results, elapsed


def run_standard(rows) -> tuple[list[set[str]], float]:
    analyzer = StandardAnalyzer()
    ix = index.create_in(
        tempfile.mkdtemp(), Schema(key=ID(stored=True), text=TEXT(analyzer=analyzer))
    )
    started = time.perf_counter()
    with ix.writer() as writer:
        for key, row in rows:
            writer.add_document(
                key=key,
                text=f"{row.title if row.number == 1 else ''}\n{html_to_text(row.body_html)}",
            )
    elapsed = time.perf_counter() - started
    results = []
    with ix.searcher() as searcher:
        for query, _expected, _what in QUERIES:
            parsed = parse(query)
            groups = []
            for group in parsed.groups:
                alts = []
                for word in group:
                    tokens = [t.text for t in analyzer(word.text)]
                    if tokens:
                        alts.append(
                            wq.Phrase("text", tokens)
                            if len(tokens) > 1
                            else wq.Term("text", tokens[0])
                        )
                if alts:
                    groups.append(wq.Or(alts))
            q = wq.And(groups) if groups else wq.Every()
            excluded = [wq.Term("text", t.text) for w in parsed.excluded for t in analyzer(w.text)]
            if excluded:
                q = wq.AndNot(q, wq.Or(excluded))
            results.append({searcher.stored_fields(d)["key"] for d in searcher.docs_for_query(q)})
    return results, elapsed


def main() -> None:
    rows = corpus()
    strategies = {
        "Whoosh StandardAnalyzer": lambda: run_standard(rows),
        "bigrams only": lambda: run_ours(rows, BIGRAMS, retry=False),
        "Sudachi morphemes only": lambda: run_ours(rows, MORPHEMES, retry=False),
        "hybrid (used by search)": lambda: run_ours(rows, HYBRID, retry=True),
    }
    print(f"{len(QUERIES)} labelled queries over {len(rows)} posts\n")
    print(f"{'strategy':28} {'precision':>9} {'recall':>7} {'index s':>8}")
    details = []
    for name, run in strategies.items():
        found, elapsed = run()
        precision, recall, misses = score(found)
        print(f"{name:28} {precision:9.3f} {recall:7.3f} {elapsed:8.2f}")
        details.append((name, misses))
    for name, misses in details:
        print(f"\n{name}: {len(misses)} queries differ from the labels")
        for line in misses[:12]:
            print("  ", line)


if __name__ == "__main__":
    main()
