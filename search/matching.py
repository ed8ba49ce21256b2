"""A fast evaluator for the few query shapes search builds, reading Whoosh postings a block at a
time (Whoosh's own matchers step one document at a time in Python, which is what made common
words slow on a large index).

:func:`evaluate` turns a query into ``{docnum: score}`` for *every* matching document at once:
``Term`` → the posting list (with a saturated tf·idf score, title fields boosted), ``And`` /
``Or`` / ``AndNot`` → dictionary and set operations (in C: ``map``/``filter``/``zip`` over
builtin methods, no Python loop per document), ``Prefix`` → the union of its expansions,
``Every`` → all live documents; an ``And`` of terms (a word's bigrams or morpheme pairs) builds
the dictionary of its rarest term only and looks the others' postings up in it. Decoded posting
lists are cached per segment (:func:`_segment_postings`). Range filters on numeric columns are applied last,
to the (usually small) candidate set, by reading the column. The totals and facet counts come from
the same dictionary, and the page is its top scores, so each document is touched a few times, in
C where possible.

This reads ``W3LeafMatcher`` internals of the pinned Whoosh-Reloaded 2.7.5 (``_data``,
``_read_data``, ``_byteids``, ``_blocklength``, ``_next_block``);
``tests/search/test_matching.py`` compares it with Whoosh's own matching.
"""

from __future__ import annotations

import math
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable
from itertools import accumulate, compress, repeat
from operator import add

from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher
from whoosh.searching import Searcher

from search.schema import TITLE_BOOST, TITLE_FIELDS

K1 = 1.2
MAX_EXPANSIONS = 500
Scores = dict[int, float]
#: documents to restrict an evaluation to (anything with ``__contains__`` and ``len``)
Docs = dict[int, float] | set[int]


class _ScoreTable(dict):
    """term frequency → score, computed once per distinct frequency."""

    def __init__(self, idf: float) -> None:
        super().__init__()
        self.idf = idf

    def __missing__(self, tf: float) -> float:
        value = self[tf] = self.idf * tf / (tf + K1)
        return value


def _block(matcher) -> tuple[Iterable[int], Iterable[float]]:
    """The current block's document ids and weights, the same values as ``_read_ids()`` and
    ``_read_weights()`` give, decoded in C (``accumulate``/``repeat`` instead of Whoosh's
    per-posting Python generators)."""
    if matcher._data is None:
        matcher._read_data()
    ids, weights = matcher._data[0], matcher._data[1]
    if not matcher._byteids:
        ids = accumulate(ids)  # = whoosh.util.numlists.delta_decode
    if weights is None:
        weights = repeat(1.0, matcher._blocklength)
    elif isinstance(weights, float):  # Whoosh stores it in an array("f"): round it the same way
        weights = repeat(array("f", (weights,))[0], matcher._blocklength)
    return ids, weights


_POSTINGS: OrderedDict[tuple[str, str, str], tuple[array, array]] = OrderedDict()
_POSTINGS_LOCK = threading.Lock()
_postings_size = 0
#: postings kept decoded in memory, over all segments and terms (8 bytes each: 128 MiB, the
#: default of ``SEARCH_POSTINGS_CACHE_MB``). The benchmark's 25 queries read ~11 postings per
#: post: 2.2 M at 200,000 posts, 11 M at 1,000,000; with a budget below what the common words
#: need, a cycle of queries evicts every list before it is used again (each query is then cold).
MAX_CACHED_POSTINGS = 16 * 2**20


def set_postings_budget(megabytes: int) -> None:
    """The memory the decoded-postings cache may use in this process (8 bytes a posting)."""
    global MAX_CACHED_POSTINGS
    MAX_CACHED_POSTINGS = max(int(megabytes), 1) * 2**20 // 8


def _segment_postings(reader, fieldname: str, text: str) -> tuple[array, array]:
    """One segment's posting list of a term, decoded: (segment docnums, weights), deleted
    documents included. Cached by segment id, like the columns: a segment never changes (its
    deletions are applied by the caller), so the cache needs no invalidation when a searcher is
    reopened, and a new post only adds a small segment. Decoding Whoosh's pickled,
    compressed blocks was about a third of the time of a query on common words."""
    global _postings_size
    key = (reader.segment().segment_id(), fieldname, text)
    with _POSTINGS_LOCK:
        cached = _POSTINGS.get(key)
        if cached is not None:
            _POSTINGS.move_to_end(key)
            return cached
    matcher = reader.postings(fieldname, text)
    while isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    ids, weights = array("I"), array("f")
    while matcher.is_active():
        block_ids, block_weights = _block(matcher)
        ids.extend(block_ids)
        weights.extend(block_weights)
        matcher._next_block()
    with _POSTINGS_LOCK:
        if key not in _POSTINGS:
            _POSTINGS[key] = (ids, weights)
            _postings_size += len(ids)
            while _postings_size > MAX_CACHED_POSTINGS and len(_POSTINGS) > 1:
                _key, (old_ids, _weights) = _POSTINGS.popitem(last=False)
                _postings_size -= len(old_ids)
    return ids, weights


def clear_postings_cache() -> None:
    global _postings_size
    with _POSTINGS_LOCK:
        _POSTINGS.clear()
        _postings_size = 0


#: "few" deletions in a segment, for :func:`_live_count`: fewer than 1 per this many postings
FEW_DELETIONS = 16


def _live_count(postings: list[tuple[object, int, array, array]]) -> int:
    """How many live documents have the term (the length of its ``Evaluator.term``)."""
    count = 0
    for reader, _offset, ids, _weights in postings:
        count += len(ids)
        if reader.has_deletions():
            deleted = reader.deleted_docs_set
            if len(deleted) * FEW_DELETIONS < len(ids):  # look each one up (ids are sorted)
                for docnum in deleted:
                    at = bisect_left(ids, docnum)
                    count -= at < len(ids) and ids[at] == docnum
            else:
                count -= len(deleted.intersection(ids))
    return count


class Evaluator:
    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.leaves = self.reader.leaf_readers()
        self.n_docs = max(self.reader.doc_count_all(), 1)

    # --- leaves ------------------------------------------------------------------------------

    def _score_table(self, fieldname: str, text: str) -> _ScoreTable | None:
        df = self.reader.doc_frequency(fieldname, text)
        if not df:
            return None
        idf = math.log(1 + self.n_docs / df)
        if fieldname in TITLE_FIELDS:
            idf *= TITLE_BOOST
        return _ScoreTable(idf)

    def _postings(self, fieldname: str, text: str) -> list[tuple[object, int, array, array]]:
        """(segment reader, docnum offset, segment docnums, weights) of each segment that has
        the term; deleted documents included."""
        return [
            (reader, offset, *_segment_postings(reader, fieldname, text))
            for reader, offset in self.leaves
            if (fieldname, text) in reader
        ]

    def term(self, fieldname: str, text: str, within: Docs | None = None) -> Scores:
        """docnum → saturated tf·idf of one term, for live documents (built at C speed: the
        posting blocks' id and weight arrays go through ``zip``/``map`` into a dict); only for
        the documents ``within`` when given."""
        score = self._score_table(fieldname, text)
        if score is None:
            return {}
        out: Scores = {}
        for reader, offset, ids, weights in self._postings(fieldname, text):
            start = len(out)
            if within is None:
                docnums = ids if not offset else map(offset.__add__, ids)
                out.update(zip(docnums, map(score.__getitem__, weights), strict=False))
            else:
                docnums = ids if not offset else list(map(offset.__add__, ids))
                found = list(map(within.__contains__, docnums))
                kept = map(score.__getitem__, compress(weights, found))
                out.update(zip(compress(docnums, found), kept, strict=False))
            if reader.has_deletions() and len(out) > start:
                for docnum in reader.deleted_docs_set:
                    out.pop(docnum + offset, None)
        return out

    def all_terms(self, terms: list[wq.Term], within: Docs | None = None) -> Scores:
        """The ``And`` of terms, the same as evaluating each term and intersecting (the sums in
        the same order), without building the dictionary of every term: only the term with the
        fewest live documents becomes one; each other term's postings then only look up the
        documents still in the running sums."""
        tables = [self._score_table(t.fieldname, t.text) for t in terms]
        if None in tables:
            return {}
        postings = [self._postings(t.fieldname, t.text) for t in terms]
        order = sorted(range(len(terms)), key=lambda i: _live_count(postings[i]))  # stable
        first = terms[order[0]]
        sums = self.term(first.fieldname, first.text, within)
        for i in order[1:]:
            if not sums:
                break
            score, step = tables[i], {}
            for _reader, offset, ids, weights in postings[i]:
                docnums = ids if not offset else list(map(offset.__add__, ids))
                found = list(map(sums.__contains__, docnums))
                keys = list(compress(docnums, found))
                added = map(score.__getitem__, compress(weights, found))
                step.update(zip(keys, map(add, map(sums.__getitem__, keys), added), strict=True))
            sums = step
        return sums

    def prefix(self, fieldname: str, prefix: str, within: Docs | None = None) -> Scores:
        scores: Scores = {}
        for expanded, text in enumerate(self.reader.expand_prefix(fieldname, prefix)):
            if expanded >= MAX_EXPANSIONS:
                break
            key = text.decode() if isinstance(text, bytes) else text
            for d, s in self.term(fieldname, key, within).items():
                scores[d] = scores.get(d, 0.0) + s
        return scores

    def all_docs(self) -> Scores:
        return dict.fromkeys(self.reader.all_doc_ids(), 0.0)

    # --- composition -------------------------------------------------------------------------

    def evaluate(self, q: wq.Query, within: Docs | None = None) -> Scores:
        """docnum → score of every document matching ``q``, or of those ``within`` (the same
        scores: a node reads its children with the restriction only where the order in which
        it adds their scores does not depend on their sizes, i.e. with at most two children or
        an ``And`` of terms; elsewhere it evaluates in full and then restricts)."""
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, q.text, within)
        if isinstance(q, wq.Prefix):
            return self.prefix(q.fieldname, q.text, within)
        if isinstance(q, wq.AndNot):
            positive = self.evaluate(q.a, within)
            excluded = self.evaluate(q.b, positive)
            keys = positive.keys() - excluded.keys()
            return dict(zip(keys, map(positive.__getitem__, keys), strict=True))
        if isinstance(q, wq.And) and q.subqueries:
            if all(type(sub) is wq.Term for sub in q.subqueries):
                return self.all_terms(q.subqueries, within)
            if len(q.subqueries) <= 2:  # one sum, a + b = b + a: evaluate b only within a
                first = self.evaluate(q.subqueries[0], within)
                if len(q.subqueries) == 1 or not first:
                    return first
                second = self.evaluate(q.subqueries[1], first)
                sums = map(add, map(first.__getitem__, second), second.values())
                return dict(zip(second, sums, strict=True))
        if isinstance(q, wq.Or) and len(q.subqueries) <= 2:
            return self._evaluate_all(q, within)
        scores = self._evaluate_all(q, None)
        if within is not None:
            if len(scores) < len(within):
                keys = list(filter(within.__contains__, scores))
            else:
                keys = list(filter(scores.__contains__, within))
            scores = dict(zip(keys, map(scores.__getitem__, keys), strict=True))
        return scores

    def _evaluate_all(self, q: wq.Query, within: Docs | None) -> Scores:
        """``evaluate`` for And / Or (``within`` is passed to the children of an Or only), Every
        and anything else."""
        if isinstance(q, wq.Every):
            return self.all_docs()
        if isinstance(q, wq.And):
            parts = sorted((self.evaluate(sub) for sub in q.subqueries), key=len)
            if not parts or not parts[0]:
                return {}
            keys: Iterable[int] = parts[0]
            for part in parts[1:]:
                keys = list(filter(part.__contains__, keys))
            # the sum in the order of the parts, smallest first, as ``sum()`` of Python 3.11
            # adds them: ((p0 + p1) + p2) …
            sums = map(parts[0].__getitem__, keys)
            for part in parts[1:]:
                sums = map(add, sums, map(part.__getitem__, keys))
            return dict(zip(keys, sums, strict=True))
        if isinstance(q, wq.Or):
            subs = q.subqueries
            parts = sorted((self.evaluate(sub, within) for sub in subs), key=len, reverse=True)
            if not parts:
                return {}
            scores = parts[0]  # every evaluated dict is new: it can be added to
            for part in parts[1:]:
                # documents matched twice add up (a score is never -0.0, so 0.0 + s is s)
                sums = map(add, map(scores.get, part, repeat(0.0)), part.values())
                scores.update(zip(part, sums, strict=True))
            return scores
        if isinstance(q, type(wq.NullQuery)):
            return {}
        # anything else (not built by search today): Whoosh's own matching, unscored
        return dict.fromkeys(self.searcher.docs_for_query(q), 0.0)


_SEGMENT_COLUMNS: OrderedDict[tuple[str, str], list] = OrderedDict()
_SEGMENT_COLUMNS_LOCK = threading.Lock()
MAX_CACHED_COLUMNS = 256


def _segment_column(reader, name: str) -> list:
    """One segment's column values, cached by segment id: segments never change (deletions are
    handled by the matching), so a new post only costs reading its own small segment."""
    key = (reader.segment().segment_id(), name)
    with _SEGMENT_COLUMNS_LOCK:
        values = _SEGMENT_COLUMNS.get(key)
        if values is not None:
            _SEGMENT_COLUMNS.move_to_end(key)
            return values
    interned: dict = {}
    values = [interned.setdefault(v, v) for v in reader.column_reader(name)]
    with _SEGMENT_COLUMNS_LOCK:
        _SEGMENT_COLUMNS[key] = values
        while len(_SEGMENT_COLUMNS) > MAX_CACHED_COLUMNS:
            _SEGMENT_COLUMNS.popitem(last=False)
    return values


def column(searcher: Searcher, name: str) -> list:
    """All values of a column, by docnum (per-segment lists joined once per searcher): counting
    facets is then a C-speed ``map``."""
    cache = searcher.__dict__.setdefault("_kyoso_columns", {})
    values = cache.get(name)
    if values is None:
        values = []
        for reader, _offset in searcher.reader().leaf_readers():
            values += _segment_column(reader, name)
        cache[name] = values
    return values


_FACET_COMBOS: dict[tuple, int] = {}
_FACET_COMBO_LIST: list[tuple] = []


def _segment_facet_codes(reader, names: tuple[str, ...]) -> list[int]:
    """One segment's documents as codes of their facet values combined (all facet columns of a
    document → one small int, shared by every segment), cached by segment id like the columns."""
    key = (reader.segment().segment_id(), "\0facets\0" + ",".join(names))
    with _SEGMENT_COLUMNS_LOCK:
        codes = _SEGMENT_COLUMNS.get(key)
        if codes is not None:
            _SEGMENT_COLUMNS.move_to_end(key)
            return codes
    values = [_segment_column(reader, name) for name in names]
    with _SEGMENT_COLUMNS_LOCK:
        codes = []
        for combo in zip(*values, strict=True):
            code = _FACET_COMBOS.get(combo)
            if code is None:
                code = _FACET_COMBOS[combo] = len(_FACET_COMBO_LIST)
                _FACET_COMBO_LIST.append(combo)
            codes.append(code)
        _SEGMENT_COLUMNS[key] = codes
        while len(_SEGMENT_COLUMNS) > MAX_CACHED_COLUMNS:
            _SEGMENT_COLUMNS.popitem(last=False)
    return codes


def facet_combos(searcher: Searcher, names: tuple[str, ...]) -> tuple[list[int], list[tuple]]:
    """(docnum → combination code, code → the combination of the ``names`` columns' values).

    Counting facets is then one C-speed ``Counter(map(...))`` over the matches, whatever the
    number of facets, and a loop over the few distinct combinations among them. The code table
    only grows (one entry per distinct combination of facet values ever seen in this process)."""
    cache = searcher.__dict__.setdefault("_kyoso_columns", {})
    key = "\0facets\0" + ",".join(names)
    codes = cache.get(key)
    if codes is None:
        codes = []
        for reader, _offset in searcher.reader().leaf_readers():
            codes += _segment_facet_codes(reader, names)
        cache[key] = codes
    return codes, _FACET_COMBO_LIST


def in_range(searcher: Searcher, docs: Iterable[int], name: str, low: int | None, high: int | None):
    """The documents whose numeric column ``name`` lies in [low, high]."""
    values = column(searcher, name)
    low = -1 if low is None else low
    high = 2**64 if high is None else high
    return [d for d in docs if low <= values[d] <= high]
