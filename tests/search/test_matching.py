"""The block-reading evaluator finds exactly what Whoosh's own matching finds."""

from __future__ import annotations

import heapq
import math
import random

import pytest
from whoosh import query as wq

from bench.search_corpus import posts
from search import store
from search.documents import build_document
from search.matching import K1, Evaluator, Matches, in_range, numbers
from search.query import compile_query, parse
from search.schema import TITLE_BOOST, TITLE_FIELDS

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
        low, high = (int(numbers(searcher, "order_key")[i]) for i in (10, 500))
        whoosh_range = set(searcher.docs_for_query(wq.NumericRange("order_key", low, high)))
        docs = evaluator.evaluate(wq.Every()).docs
        assert set(docs[in_range(searcher, docs, "order_key", low, high)].tolist()) == whoosh_range
        for text in QUERIES:  # and the scores are the plain per-document evaluation's, exactly
            q = compile_query(parse(text), searcher.reader()).query
            assert evaluator.evaluate(q).as_dict() == _reference(searcher, q), text
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
        assert before.as_dict() == Evaluator(searcher).evaluate(q).as_dict()  # from the cache
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


@pytest.mark.parametrize("size", [30, 1000])  # summed densely, and by sorting
def test_sums_do_not_depend_on_the_order_of_the_parts(size):
    """And adds the parts smallest first, as sum() did; Or adds each part to the largest."""

    class Fixed(Evaluator):
        def __init__(self, parts):
            self.parts, self.size, self.live = parts, size, None

        def evaluate(self, q, within=None):
            if isinstance(q, wq.Term):
                inside = None if within is None else set(within)
                part = self.parts[q.text]
                return Matches.from_dict(
                    {d: v for d, v in part.items() if inside is None or d in inside}
                )
            return super().evaluate(q, within)

        def all_terms(self, terms, within=None):
            return self.evaluate(wq.And([wq.Or([t]) for t in terms]), within)

    parts = {"a": {1: 0.1, 2: 0.2, 3: 0.7}, "b": {1: 0.2, 3: 0.3}, "c": {1: 0.3, 3: 1e-17, 4: 5.0}}
    terms = [wq.Term("f", t) for t in "abc"]
    got = Fixed(parts).evaluate(wq.And(terms)).as_dict()
    assert got == {1: sum((0.2, 0.1, 0.3)), 3: sum((0.3, 0.7, 1e-17))}
    got = Fixed(parts).evaluate(wq.Or(terms)).as_dict()
    assert got == {1: 0.1 + 0.3 + 0.2, 2: 0.2, 3: 0.7 + 1e-17 + 0.3, 4: 5.0}
    got = Fixed(parts).evaluate(wq.AndNot(terms[0], terms[1])).as_dict()
    assert got == {2: 0.2}
    # within some documents, an Or of three adds in the order of the full sizes (a, b, c) too
    parts = {"a": {1: 0.1, 2: 1.0, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.0},
             "b": {1: 0.2, 10: 1.0, 11: 1.0, 12: 1.0, 13: 1.0},
             "c": {1: 0.3, 20: 1.0, 21: 1.0, 22: 1.0}}  # fmt: skip
    within = {1, 10, 11, 20, 21, 22}
    got = Fixed(parts).evaluate(wq.Or(terms), within).as_dict()
    assert got[1] == (0.1 + 0.2) + 0.3 != (0.3 + 0.2) + 0.1
    full = Fixed(parts).evaluate(wq.Or(terms)).as_dict()
    assert got == {d: s for d, s in full.items() if d in within}


def test_the_top_is_heapq_nlargest_of_score_docnum_pairs():
    rng = random.Random(11)
    cases = [(0, 5), (1, 1), (50, 10), (500, 20), (500, 500), (500, 700), (40, 0),
             (20_000, 20), (20_000, 1), (50_000, 3_000), (9_000, 8_999)]  # fmt: skip
    for size, n in cases:  # (above 4,096 matches: the bound from a sample)
        docs = sorted(rng.sample(range(1_000_000), size))
        scores = [rng.choice([0.5, 1.0, 1.5, rng.random()]) for _ in docs]  # many ties
        matches = Matches.from_dict(dict(zip(docs, scores, strict=True)))
        assert matches.top(n) == heapq.nlargest(n, zip(scores, docs, strict=True))


def test_and_of_terms_gives_the_same_scores_as_intersecting_each_term(tmp_path):
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
                expected = PerTerm(searcher).evaluate(q).as_dict()
                assert Evaluator(searcher).evaluate(q).as_dict() == expected, q
                for t in (t for t in q.subqueries if isinstance(t, wq.Term)):
                    evaluator = Evaluator(searcher)
                    docs, _weights = evaluator._postings(t.fieldname, t.text)
                    live = len(evaluator.term(t.fieldname, t.text))
                    assert evaluator._live_count(docs) == live < len(docs) or live == len(docs)
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
            full = Evaluator(searcher).evaluate(q).as_dict()
            for share in (0.05, 0.5, 1.0):
                within = set(rng.sample(everything, int(len(everything) * share)))
                expected = {d: s for d, s in full.items() if d in within}
                assert Evaluator(searcher).evaluate(q, within).as_dict() == expected, (text, share)
    ix.close()


def test_the_postings_budget_comes_from_the_setting(app, monkeypatch):
    from search import matching

    budget = matching.MAX_CACHED_POSTINGS
    assert budget == app.config["SEARCH_POSTINGS_CACHE_MB"] * 2**20 // 8
    monkeypatch.setattr(matching, "MAX_CACHED_POSTINGS", matching.MAX_CACHED_POSTINGS)
    matching.set_postings_budget(2)  # MiB, 8 bytes a posting
    assert matching.MAX_CACHED_POSTINGS == 262_144


def _reference(searcher, q) -> dict[int, float]:
    """The plain evaluation, one document at a time through Whoosh's own matchers, with the
    sums in the documented order (And: parts smallest first; Or: the largest part first, each
    other added in turn; Prefix: in the order of the expansions)."""
    reader = searcher.reader()
    n_docs = max(reader.doc_count_all(), 1)

    def term(fieldname, text):
        df = reader.doc_frequency(fieldname, text)
        if not df:
            return {}
        idf = math.log(1 + n_docs / df) * (TITLE_BOOST if fieldname in TITLE_FIELDS else 1)
        found = {}
        matcher = reader.postings(fieldname, text)  # deleted documents skipped by Whoosh
        while matcher.is_active():
            tf = matcher.weight()
            found[matcher.id()] = idf * tf / (tf + K1)
            matcher.next()
        return found

    def added(parts):
        total = {}
        for part in parts:
            for d, s in part.items():
                total[d] = total.get(d, 0.0) + s
        return total

    def walk(q):
        if isinstance(q, wq.Term):
            return term(q.fieldname, q.text)
        if isinstance(q, wq.Prefix):
            texts = list(reader.expand_prefix(q.fieldname, q.text))[:500]
            return added(
                term(q.fieldname, t.decode() if isinstance(t, bytes) else t) for t in texts
            )
        if isinstance(q, wq.AndNot):
            positive, negative = walk(q.a), walk(q.b)
            return {d: s for d, s in positive.items() if d not in negative}
        if isinstance(q, wq.And):
            subs = q.subqueries
            if all(type(sub) is wq.Term for sub in subs):  # by the terms' live documents
                parts = sorted((walk(sub) for sub in subs), key=len)
            elif len(subs) <= 2:  # the first, then the second
                parts = [walk(sub) for sub in subs]
            else:
                parts = sorted((walk(sub) for sub in subs), key=len)
            keys = [d for d in parts[0] if all(d in p for p in parts[1:])]
            return {d: sum(p[d] for p in parts) for d in keys}
        if isinstance(q, wq.Or):
            return added(sorted((walk(sub) for sub in q.subqueries), key=len, reverse=True))
        if isinstance(q, wq.Every):
            return dict.fromkeys(reader.all_doc_ids(), 0.0)
        raise AssertionError(q)

    return walk(q)
