"""The block-reading evaluator finds exactly what Whoosh's own matching finds."""

from __future__ import annotations

import random

from whoosh import query as wq

from bench.search_corpus import posts
from search import store
from search.documents import build_document
from search.matching import Evaluator, column, in_range
from search.query import compile_query, parse

QUERIES = ["見守り", "移動支援", "見守り 郵便局", "畑", "買い物 OR 配食", "サロン -公民館", "NPO",
           "コーディネーター", '"移動 販売"', "生活支援体制整備事業"]  # fmt: skip


def test_evaluator_matches_whoosh_on_several_segments_with_deletions(tmp_path):
    root = tmp_path / "index"
    path, ix = store.create_aside(root)
    rows = list(posts(900))
    for start in range(0, 900, 300):  # three segments
        with ix.writer() as writer:
            for row in rows[start : start + 300]:
                writer.add_document(**build_document(row))
    rng = random.Random(5)
    with ix.writer() as writer:  # deletions in every segment
        for post_id in rng.sample(range(1, 901), 60):
            writer.delete_by_term("post_id", str(post_id))
    with ix.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) >= 2
        assert searcher.reader().has_deletions()
        evaluator = Evaluator(searcher)
        for text in QUERIES:
            q = compile_query(parse(text), searcher.reader()).query
            expected = set(searcher.docs_for_query(q))
            assert set(evaluator.evaluate(q)) == expected, text
        everything = set(evaluator.evaluate(wq.Every()))
        assert len(everything) == 840
        low, high = column(searcher, "order_key")[10], column(searcher, "order_key")[500]
        whoosh_range = set(searcher.docs_for_query(wq.NumericRange("order_key", low, high)))
        assert set(in_range(searcher, everything, "order_key", low, high)) == whoosh_range
    ix.close()
