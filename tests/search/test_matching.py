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


def test_cached_postings_follow_deletions_and_stay_within_their_budget(tmp_path, monkeypatch):
    from search import matching

    path, ix = store.create_aside(tmp_path / "index")
    rows = list(posts(400))
    for start in (0, 200):  # two segments
        with ix.writer() as writer:
            for row in rows[start : start + 200]:
                writer.add_document(**build_document(row))
    q = compile_query(parse("見守り"), ix.reader()).query
    with ix.searcher() as searcher:
        before = Evaluator(searcher).evaluate(q)  # fills the cache for both segments
        assert before == Evaluator(searcher).evaluate(q)  # from the cache: the same
    segments = {r.segment().segment_id() for r, _offset in ix.reader().leaf_readers()}
    gone = [row.post_id for row in rows if row.post_id % 3 == 0]
    writer = ix.writer()
    for post_id in gone:
        writer.delete_by_term("post_id", str(post_id))
    writer.commit(merge=False)
    with ix.searcher() as searcher:  # reopened: the same (cached) segments, new deletions
        assert {r.segment().segment_id() for r, _o in searcher.reader().leaf_readers()} == segments
        after = Evaluator(searcher).evaluate(q)
        assert set(after) == set(searcher.docs_for_query(q))
        ids = {int(searcher.stored_fields(d)["post_id"]) for d in after}
        assert ids and not ids & set(gone)
        assert len(after) < len(before)
    monkeypatch.setattr(matching, "MAX_CACHED_POSTINGS", 50)
    with ix.searcher() as searcher:
        Evaluator(searcher).evaluate(compile_query(parse("買い物 サロン"), searcher.reader()).query)
    assert matching._postings_size <= 50 or len(matching._POSTINGS) == 1
    ix.close()


def test_sums_do_not_depend_on_the_order_of_the_parts():
    """And adds the parts smallest first, as sum() did; Or adds each part to the largest."""

    class Fixed(Evaluator):
        def __init__(self, parts):
            self.parts = parts

        def evaluate(self, q, within=None):
            if isinstance(q, wq.Term):
                part = self.parts[q.text]
                return {d: v for d, v in part.items() if within is None or d in within}
            return super().evaluate(q, within)

        def all_terms(self, terms, within=None):
            return self.evaluate(wq.And([wq.Or([t]) for t in terms]), within)

    parts = {"a": {1: 0.1, 2: 0.2, 3: 0.7}, "b": {1: 0.2, 3: 0.3}, "c": {1: 0.3, 3: 1e-17, 4: 5.0}}
    terms = [wq.Term("f", t) for t in "abc"]
    got = Fixed(parts).evaluate(wq.And(terms))
    assert got == {1: sum((0.2, 0.1, 0.3)), 3: sum((0.3, 0.7, 1e-17))}
    got = Fixed(parts).evaluate(wq.Or(terms))
    assert got == {1: 0.1 + 0.3 + 0.2, 2: 0.2, 3: 0.7 + 1e-17 + 0.3, 4: 5.0}
    got = Fixed(parts).evaluate(wq.AndNot(terms[0], terms[1]))
    assert got == {2: 0.2}
    # within some documents, an Or of three adds in the order of the full sizes (a, b, c) too
    parts = {"a": {1: 0.1, 2: 1.0, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.0},
             "b": {1: 0.2, 10: 1.0, 11: 1.0, 12: 1.0, 13: 1.0},
             "c": {1: 0.3, 20: 1.0, 21: 1.0, 22: 1.0}}  # fmt: skip
    within = {1, 10, 11, 20, 21, 22}
    got = Fixed(parts).evaluate(wq.Or(terms), within)
    assert got[1] == (0.1 + 0.2) + 0.3 != (0.3 + 0.2) + 0.1
    assert got == {d: s for d, s in Fixed(parts).evaluate(wq.Or(terms)).items() if d in within}


def test_and_of_terms_gives_the_same_scores_as_intersecting_each_term(tmp_path, monkeypatch):
    from search import matching

    path, ix = store.create_aside(tmp_path / "index")
    rows = list(posts(600))
    for start in range(0, 600, 200):
        with ix.writer() as writer:
            for row in rows[start : start + 200]:
                writer.add_document(**build_document(row))
    writer = ix.writer()
    for post_id in random.Random(3).sample(range(1, 601), 90):
        writer.delete_by_term("post_id", str(post_id))
    writer.commit(merge=False)

    class PerTerm(Evaluator):
        def all_terms(self, terms, within=None):  # each term's dictionary, intersected
            return self.evaluate(wq.And([wq.Or([t]) for t in terms]), within)

    with ix.searcher() as searcher:
        assert searcher.reader().has_deletions() and len(searcher.reader().leaf_readers()) == 3
        for text in ["生活支援体制整備事業", "認知症カフェ", "移動支援", "見守り 郵便局"]:
            words = compile_query(parse(text), searcher.reader(), mode="bigrams").query
            ands = [q for q in _walk(words) if isinstance(q, wq.And)]
            assert ands
            for q in ands:
                expected = PerTerm(searcher).evaluate(q)
                assert Evaluator(searcher).evaluate(q) == expected, q
                for few in (0, 10**6):  # both ways of counting the deleted postings
                    monkeypatch.setattr(matching, "FEW_DELETIONS", few)
                    for t in (t for t in q.subqueries if isinstance(t, wq.Term)):
                        postings = Evaluator(searcher)._postings(t.fieldname, t.text)
                        live = len(Evaluator(searcher).term(t.fieldname, t.text))
                        assert matching._live_count(postings) == live
    ix.close()


def _walk(q):
    yield q
    for child in q.children():
        yield from _walk(child)


def test_evaluating_within_some_documents_gives_their_full_scores(tmp_path):
    path, ix = store.create_aside(tmp_path / "index")
    rows = list(posts(600))
    for start in range(0, 600, 200):
        with ix.writer() as writer:
            for row in rows[start : start + 200]:
                writer.add_document(**build_document(row))
    writer = ix.writer()
    for post_id in random.Random(4).sample(range(1, 601), 60):
        writer.delete_by_term("post_id", str(post_id))
    writer.commit(merge=False)
    texts = [*QUERIES, "見守り 郵便局 サロン", "見守り OR 配食 OR 畑", "移動支援 -ボランティア -畑",
             "畑 田", "生活支援体制整備事業 見守り"]  # fmt: skip
    rng = random.Random(9)
    with ix.searcher() as searcher:
        everything = list(Evaluator(searcher).evaluate(wq.Every()))
        for text in texts:
            q = compile_query(parse(text), searcher.reader()).query
            full = Evaluator(searcher).evaluate(q)
            for share in (0.05, 0.5, 1.0):
                within = set(rng.sample(everything, int(len(everything) * share)))
                expected = {d: s for d, s in full.items() if d in within}
                assert Evaluator(searcher).evaluate(q, within) == expected, (text, share)
    ix.close()


def test_the_postings_budget_comes_from_the_setting(app, monkeypatch):
    from search import matching

    budget = matching.MAX_CACHED_POSTINGS
    assert budget == app.config["SEARCH_POSTINGS_CACHE_MB"] * 2**20 // 8
    monkeypatch.setattr(matching, "MAX_CACHED_POSTINGS", matching.MAX_CACHED_POSTINGS)
    matching.set_postings_budget(2)  # MiB, 8 bytes a posting
    assert matching.MAX_CACHED_POSTINGS == 262_144
