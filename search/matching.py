"""A fast evaluator for the few query shapes search builds, over Whoosh's postings decoded into
NumPy arrays (Whoosh's own matchers step one document at a time in Python, which is what made
common words slow on a large index).

:func:`Evaluator.evaluate` turns a query into :class:`Matches` — the docnums of *every*
matching document, sorted, with their scores, as two arrays — so that each step is a few array
operations whatever the number of matches:

- ``Term`` → its posting list, deleted documents dropped with the searcher's live mask, scored
  with a saturated tf·idf (title fields boosted);
- an ``And`` of terms (a word's bigrams or morpheme pairs) → the postings of its rarest term,
  then each other term's postings looked up by binary search (``searchsorted``);
- ``And`` / ``Or`` / ``AndNot`` of other queries → sorted-array intersection, or sums into a
  dense array of the index's size (an ``Or`` of large parts), or ``unique`` + ``add.at``;
- ``Prefix`` → the union of its expansions, ``Every`` → all live documents.

**The scores are those of the dictionary version this replaced, to the last bit**: the same
IEEE operations in the same order (``idf * tf / (tf + K1)`` per posting; parts summed in the
order documented at each node), so a page's order never depends on how the sums were made.
``tests/search/test_matching.py`` compares the documents with Whoosh's own matching and the
scores with a plain per-document evaluation.

Decoded posting lists are cached per segment (:func:`_segment_postings`); numeric columns and
facet codes per segment and per searcher (:func:`numbers`, :func:`facet_codes`). Range filters,
the audience rule's closed boards, facet counts (``bincount``) and the page (``top``) then work
on the same arrays.

This reads ``W3LeafMatcher`` internals of the pinned Whoosh-Reloaded 2.7.5 (``_data``,
``_read_data``, ``_byteids``, ``_blocklength``, ``_next_block``).
"""

from __future__ import annotations

import math
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable
from itertools import accumulate, repeat

import numpy as np
from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher
from whoosh.searching import Searcher

from search.schema import TITLE_BOOST, TITLE_FIELDS

K1 = 1.2
MAX_EXPANSIONS = 500
#: below this share of the index's size, an ``Or`` sums its parts by sorting (``unique``) rather
#: than into a dense array of the index's size
SPARSE_SHARE = 1 / 16

_NO_DOCS = np.empty(0, dtype=np.int64)
_NO_SCORES = np.empty(0, dtype=np.float64)


class Matches:
    """Matching documents: ``docs`` (docnums, sorted, unique, int64) and their ``scores``
    (float64, the same length)."""

    __slots__ = ("docs", "scores")

    def __init__(self, docs: np.ndarray = _NO_DOCS, scores: np.ndarray | None = None) -> None:
        self.docs = docs
        self.scores = np.zeros(len(docs)) if scores is None else scores

    def __len__(self) -> int:
        return len(self.docs)

    def __bool__(self) -> bool:
        return len(self.docs) > 0

    def __iter__(self):
        return iter(self.docs.tolist())

    def __repr__(self) -> str:
        return f"Matches({len(self.docs)} documents)"

    def as_dict(self) -> dict[int, float]:
        return dict(zip(self.docs.tolist(), self.scores.tolist(), strict=True))

    @classmethod
    def from_dict(cls, scores: dict[int, float]) -> Matches:
        docs = sorted(scores)
        return cls(np.array(docs, dtype=np.int64), np.array([scores[d] for d in docs], dtype=float))

    def take(self, keep: np.ndarray) -> Matches:
        """The documents where ``keep`` (a boolean array over ``docs``) is true."""
        return Matches(self.docs[keep], self.scores[keep])

    def top(self, n: int) -> list[tuple[float, int]]:
        """The ``n`` best (score, docnum) pairs, best score first and, among equal scores, the
        newer document (higher docnum) first: ``heapq.nlargest(n, zip(scores, docs))``."""
        order = top_order(self.scores, self.docs, n)
        return list(zip(self.scores[order].tolist(), self.docs[order].tolist(), strict=True))


def top_order(keys: np.ndarray, docs: np.ndarray, n: int) -> np.ndarray:
    """Indexes of the ``n`` largest (key, docnum) pairs, largest first (``docs`` ascending).

    Selection without sorting everything: a lower bound of the n-th largest key from a strided
    sample, then the exact n-th largest among the few keys at or above it; the keys above it
    are all in, and of the keys equal to it the highest docnums (the last ones). Only those n
    are sorted. (``np.partition`` over all the matches was 5-10 ms at 300,000 of them.)"""
    size = len(keys)
    if n <= 0 or not size:
        return np.empty(0, dtype=np.int64)
    if n >= size or size <= 4096:
        chosen = np.arange(size)
    else:
        step = max(1, size // (64 * n))
        sample = keys[::step]
        if len(sample) > n:  # its n-th largest is at most the n-th largest of all
            bound = np.partition(sample, len(sample) - n)[len(sample) - n]
            candidates = np.flatnonzero(keys >= bound)
        else:
            candidates = np.arange(size)
        values = keys[candidates]
        threshold = np.partition(values, len(values) - n)[len(values) - n]
        above = candidates[values > threshold]
        equal = candidates[values == threshold]
        chosen = np.concatenate([above, equal[len(equal) - (n - len(above)) :]])
    order = np.lexsort((docs[chosen], keys[chosen]))[::-1][:n]
    return chosen[order]


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


_POSTINGS: OrderedDict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
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


#: a cached absent term counts as this many postings (so that the cache stays bounded)
_ENTRY_COST = 16
_ABSENT = (np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.float32))


def _segment_postings(reader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """One segment's posting list of a term, decoded: (segment docnums as uint32, weights as
    float32), deleted documents included; empty if the segment lacks the term. Cached by
    segment id, like the columns: a segment never changes (its deletions are applied by the
    caller), so the cache needs no invalidation when a searcher is reopened, and a new post only
    adds a small segment. Decoding Whoosh's pickled, compressed blocks was about a third of the
    time of a query on common words, and looking a term up in each segment's term table most of
    the rest on an index of many segments."""
    global _postings_size
    segment = reader.segment()
    if segment is None:  # an empty index's reader
        return _ABSENT
    key = (segment.segment_id(), fieldname, text)
    with _POSTINGS_LOCK:
        cached = _POSTINGS.get(key)
        if cached is not None:
            _POSTINGS.move_to_end(key)
            return cached
    if (fieldname, text) not in reader:
        decoded = _ABSENT
    else:
        matcher = reader.postings(fieldname, text)
        while isinstance(matcher, FilterMatcher):
            matcher = matcher.child
        ids, weights = array("I"), array("f")
        while matcher.is_active():
            block_ids, block_weights = _block(matcher)
            ids.extend(block_ids)
            weights.extend(block_weights)
            matcher._next_block()
        decoded = (np.array(ids, dtype=np.uint32), np.array(weights, dtype=np.float32))
    with _POSTINGS_LOCK:
        if key not in _POSTINGS:
            _POSTINGS[key] = decoded
            _postings_size += max(len(decoded[0]), _ENTRY_COST)
            while _postings_size > MAX_CACHED_POSTINGS and len(_POSTINGS) > 1:
                _key, (old_ids, _weights) = _POSTINGS.popitem(last=False)
                _postings_size -= max(len(old_ids), _ENTRY_COST)
    return decoded


_PRESENT: OrderedDict[tuple[str, str, str], bool] = OrderedDict()
MAX_CACHED_PRESENCE = 2**18


def has_term(reader, fieldname: str, text: str) -> bool:
    """Whether any segment of ``reader`` has the term (the query compiler's question, once per
    word and field), remembered per segment like the postings."""
    for leaf, _offset in reader.leaf_readers():
        segment = leaf.segment()
        if segment is None:  # an empty index's reader
            continue
        key = (segment.segment_id(), fieldname, text)
        with _POSTINGS_LOCK:
            present = _PRESENT.get(key)
        if present is None:
            present = (fieldname, text) in leaf
            with _POSTINGS_LOCK:
                _PRESENT[key] = present
                if len(_PRESENT) > MAX_CACHED_PRESENCE:
                    _PRESENT.popitem(last=False)
        if present:
            return True
    return False


def clear_postings_cache() -> None:
    global _postings_size
    with _POSTINGS_LOCK:
        _POSTINGS.clear()
        _PRESENT.clear()
        _postings_size = 0


def _per_searcher(searcher: Searcher) -> dict:
    """Values worked out once per (pooled) searcher: a new searcher — the index changed —
    starts afresh, and its segments' values come from the per-segment caches."""
    return searcher.__dict__.setdefault("_kyoso_arrays", {})


def live_mask(searcher: Searcher) -> np.ndarray | None:
    """docnum → not deleted, or None when no segment has deletions."""
    reader = searcher.reader()
    if not reader.has_deletions():
        return None
    cache = _per_searcher(searcher)
    mask = cache.get("live")
    if mask is None:
        mask = np.ones(reader.doc_count_all(), dtype=bool)
        for leaf, offset in reader.leaf_readers():
            if leaf.has_deletions():
                deleted = np.fromiter(leaf.deleted_docs_set, dtype=np.int64)
                mask[deleted + offset] = False
        cache["live"] = mask
    return mask


def contains(sorted_docs: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Which of ``docs`` are in ``sorted_docs`` (a boolean array over ``docs``)."""
    if not len(sorted_docs):
        return np.zeros(len(docs), dtype=bool)
    at = np.searchsorted(sorted_docs, docs)
    np.minimum(at, len(sorted_docs) - 1, out=at)
    return sorted_docs[at] == docs


def _as_docs(docs) -> np.ndarray:
    """Sorted docnums of a :class:`Matches`, an array or any iterable of docnums."""
    if isinstance(docs, Matches):
        return docs.docs
    if isinstance(docs, np.ndarray):
        return docs
    return np.array(sorted(docs), dtype=np.int64)


class Evaluator:
    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.leaves = self.reader.leaf_readers()
        self.size = self.reader.doc_count_all()
        self.n_docs = max(self.size, 1)
        self.live = live_mask(searcher)

    # --- leaves ------------------------------------------------------------------------------

    def _idf(self, fieldname: str, docs: np.ndarray) -> float | None:
        """The term's idf from its postings (``docs``, deleted documents included: Whoosh's
        ``doc_frequency``)."""
        df = len(docs)
        if not df:
            return None
        idf = math.log(1 + self.n_docs / df)
        if fieldname in TITLE_FIELDS:
            idf *= TITLE_BOOST
        return idf

    def _postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, weights) of a term over all segments, deleted documents included."""
        parts = [
            (ids, weights, offset)
            for reader, offset in self.leaves
            for ids, weights in (_segment_postings(reader, fieldname, text),)
            if len(ids)
        ]
        if not parts:
            return _NO_DOCS, np.empty(0, dtype=np.float32)
        if len(parts) == 1:
            ids, weights, offset = parts[0]
            return ids.astype(np.int64) + offset, weights
        docs = np.concatenate([ids.astype(np.int64) + offset for ids, _w, offset in parts])
        return docs, np.concatenate([weights for _i, weights, _o in parts])

    def _live_count(self, docs: np.ndarray) -> int:
        return len(docs) if self.live is None else int(np.count_nonzero(self.live[docs]))

    def _inside(self, within, docs: np.ndarray) -> np.ndarray:
        """Which of ``docs`` are ``within`` (a boolean array over ``docs``): by binary search
        for few ``docs``, else through a mask of the index's size."""
        within = _as_docs(within)
        if len(docs) * 8 < self.size:
            return contains(within, docs)
        mask = np.zeros(self.size, dtype=bool)
        mask[within] = True
        return mask[docs]

    @staticmethod
    def _scored(idf: float, weights: np.ndarray) -> np.ndarray:
        tf = weights.astype(np.float64)
        return idf * tf / (tf + K1)  # (idf · tf) / (tf + K1), as one Python float each

    def term(self, fieldname: str, text: str, within=None) -> Matches:
        """The live documents with the term and their saturated tf·idf; only those ``within``
        when given."""
        docs, weights = self._postings(fieldname, text)
        idf = self._idf(fieldname, docs)
        if idf is None:
            return Matches()
        keep = None if self.live is None else self.live[docs]
        if within is not None:
            inside = self._inside(within, docs)
            keep = inside if keep is None else keep & inside
        if keep is not None:
            docs, weights = docs[keep], weights[keep]
        return Matches(docs, self._scored(idf, weights))

    def all_terms(self, terms: list[wq.Term], within=None) -> Matches:
        """The ``And`` of terms, the same as evaluating each term and intersecting, the sums
        in the order of the terms' numbers of live documents (fewest first): only the rarest
        term's postings are scored in full; each other term's are looked up for the documents
        still in the running sums."""
        postings = [self._postings(t.fieldname, t.text) for t in terms]
        idfs = [self._idf(t.fieldname, docs) for t, (docs, _w) in zip(terms, postings, strict=True)]
        if None in idfs:
            return Matches()
        order = sorted(range(len(terms)), key=lambda i: self._live_count(postings[i][0]))
        first = terms[order[0]]
        sums = self.term(first.fieldname, first.text, within)
        for i in order[1:]:
            if not sums:
                break
            docs, weights = postings[i]
            if not len(docs):
                return Matches()
            at = np.searchsorted(docs, sums.docs)
            np.minimum(at, len(docs) - 1, out=at)
            found = docs[at] == sums.docs
            at = at[found]
            sums = Matches(
                sums.docs[found], sums.scores[found] + self._scored(idfs[i], weights[at])
            )
        return sums

    def prefix(self, fieldname: str, prefix: str, within=None) -> Matches:
        parts = []
        for expanded, text in enumerate(self.reader.expand_prefix(fieldname, prefix)):
            if expanded >= MAX_EXPANSIONS:
                break
            key = text.decode() if isinstance(text, bytes) else text
            parts.append(self.term(fieldname, key, within))
        return self._sum(parts)  # in the order of the expansions

    def all_docs(self) -> Matches:
        if self.live is None:
            return Matches(np.arange(self.size, dtype=np.int64))
        return Matches(np.flatnonzero(self.live).astype(np.int64))

    # --- composition -------------------------------------------------------------------------

    def _sum(self, parts: list[Matches]) -> Matches:
        """The union of ``parts``, each document's score the sum of its parts' scores added in
        the order of ``parts`` (0.0 + s is s: a score is never -0.0)."""
        parts = [p for p in parts if p]
        if not parts:
            return Matches()
        if len(parts) == 1:
            return parts[0]
        total = sum(len(p) for p in parts)
        if total < self.size * SPARSE_SHARE:
            docs, inverse = np.unique(np.concatenate([p.docs for p in parts]), return_inverse=True)
            sums = np.zeros(len(docs))
            np.add.at(sums, inverse, np.concatenate([p.scores for p in parts]))  # in order
            return Matches(docs, sums)
        sums = np.zeros(self.size)
        present = np.zeros(self.size, dtype=bool)
        for part in parts:
            sums[part.docs] += part.scores
            present[part.docs] = True
        docs = np.flatnonzero(present).astype(np.int64)
        return Matches(docs, sums[docs])

    def evaluate(self, q: wq.Query, within=None) -> Matches:
        """Every document matching ``q`` with its score, or those ``within`` (the same
        scores: a node reads its children with the restriction only where the order in which
        it adds their scores does not depend on their sizes, i.e. with at most two children or
        an ``And`` of terms; elsewhere it evaluates in full and then restricts)."""
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, q.text, within)
        if isinstance(q, wq.Prefix):
            return self.prefix(q.fieldname, q.text, within)
        if isinstance(q, wq.AndNot):
            positive = self.evaluate(q.a, within)
            if not positive:
                return positive
            excluded = self.evaluate(q.b, positive)
            return positive.take(~contains(excluded.docs, positive.docs)) if excluded else positive
        if isinstance(q, wq.And) and q.subqueries:
            if all(type(sub) is wq.Term for sub in q.subqueries):
                return self.all_terms(q.subqueries, within)
            if len(q.subqueries) <= 2:  # one sum, a + b = b + a: evaluate b only within a
                first = self.evaluate(q.subqueries[0], within)
                if len(q.subqueries) == 1 or not first:
                    return first
                second = self.evaluate(q.subqueries[1], first)
                at = np.searchsorted(first.docs, second.docs)
                return Matches(second.docs, first.scores[at] + second.scores)
        if isinstance(q, wq.Or) and len(q.subqueries) <= 2:
            return self._evaluate_all(q, within)
        matches = self._evaluate_all(q, None)
        if within is not None and matches:
            matches = matches.take(self._inside(within, matches.docs))
        return matches

    def _evaluate_all(self, q: wq.Query, within) -> Matches:
        """``evaluate`` for And / Or (``within`` is passed to the children of an Or only), Every
        and anything else."""
        if isinstance(q, wq.Every):
            return self.all_docs()
        if isinstance(q, wq.And):
            parts = sorted((self.evaluate(sub) for sub in q.subqueries), key=len)
            if not parts or not parts[0]:
                return Matches()
            keys = parts[0].docs
            for part in parts[1:]:
                keys = keys[contains(part.docs, keys)]
            # the sum in the order of the parts, smallest first, as ``sum()`` of Python 3.11
            # adds them: ((p0 + p1) + p2) …
            sums = parts[0].scores[np.searchsorted(parts[0].docs, keys)]
            for part in parts[1:]:
                sums = sums + part.scores[np.searchsorted(part.docs, keys)]
            return Matches(keys, sums)
        if isinstance(q, wq.Or):
            # the largest part first, the others added to it in turn (a stable sort)
            parts = sorted((self.evaluate(sub, within) for sub in q.subqueries), key=len,
                           reverse=True)  # fmt: skip
            return self._sum(parts)
        if isinstance(q, type(wq.NullQuery)):
            return Matches()
        # anything else (not built by search today): Whoosh's own matching, unscored
        return Matches(np.array(sorted(self.searcher.docs_for_query(q)), dtype=np.int64))


# --- columns ---------------------------------------------------------------------------------

_SEGMENT_COLUMNS: OrderedDict[tuple[str, str], object] = OrderedDict()
_SEGMENT_COLUMNS_LOCK = threading.Lock()
MAX_CACHED_COLUMNS = 256


def _segment_cached(reader, key: str, make):
    """A value of one segment, cached by segment id: segments never change (deletions are
    handled by the matching), so a new post only costs reading its own small segment."""
    full_key = (reader.segment().segment_id(), key)
    with _SEGMENT_COLUMNS_LOCK:
        value = _SEGMENT_COLUMNS.get(full_key)
        if value is not None:
            _SEGMENT_COLUMNS.move_to_end(full_key)
            return value
    value = make()
    with _SEGMENT_COLUMNS_LOCK:
        _SEGMENT_COLUMNS[full_key] = value
        while len(_SEGMENT_COLUMNS) > MAX_CACHED_COLUMNS:
            _SEGMENT_COLUMNS.popitem(last=False)
    return value


def _read_column(reader, name: str) -> list:
    interned: dict = {}
    return [interned.setdefault(v, v) for v in reader.column_reader(name)]


def _joined(searcher: Searcher, key: str, per_segment, join):
    cache = _per_searcher(searcher)
    value = cache.get(key)
    if value is None:
        value = join([per_segment(reader) for reader, _offset in searcher.reader().leaf_readers()])
        cache[key] = value
    return value


def numbers(searcher: Searcher, name: str) -> np.ndarray:
    """A numeric column as an int64 array by docnum (the schema's numbers are below 2**63:
    ``order_key`` is seconds · 10**9 + post id)."""

    def segment(reader) -> np.ndarray:
        return _segment_cached(reader, "\0numbers\0" + name,
                               lambda: np.array(_read_column(reader, name), dtype=np.int64))  # fmt: skip

    def join(arrays: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(arrays) if arrays else _NO_DOCS

    return _joined(searcher, "\0numbers\0" + name, segment, join)


class _CodeTable:
    """Combinations of column values → small ints, shared by every segment (only grows)."""

    def __init__(self) -> None:
        self.codes: dict[tuple, int] = {}
        self.values: list[tuple] = []


_CODE_TABLES: dict[tuple[str, ...], _CodeTable] = {}


def facet_codes(searcher: Searcher, names: tuple[str, ...]) -> tuple[np.ndarray, list[tuple]]:
    """(docnum → code of the combination of the ``names`` columns' values, code → that
    combination). Counting facets is then one ``bincount`` over the matches, whatever their
    number, and a loop over the few distinct combinations among them. The table only grows
    (one entry per distinct combination ever seen in this process)."""
    key = "\0codes\0" + ",".join(names)
    with _SEGMENT_COLUMNS_LOCK:
        table = _CODE_TABLES.setdefault(names, _CodeTable())

    def segment(reader) -> np.ndarray:
        def make() -> np.ndarray:
            values = [_read_column(reader, name) for name in names]  # (not kept: the codes are)
            codes = []
            with _SEGMENT_COLUMNS_LOCK:
                for combo in zip(*values, strict=True):
                    code = table.codes.get(combo)
                    if code is None:
                        code = table.codes[combo] = len(table.values)
                        table.values.append(combo)
                    codes.append(code)
            return np.array(codes, dtype=np.int32)

        return _segment_cached(reader, key, make)

    def join(arrays: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(arrays) if arrays else np.empty(0, dtype=np.int32)

    return _joined(searcher, key, segment, join), table.values


def in_range(searcher: Searcher, docs: np.ndarray, name: str, low: int | None,
             high: int | None) -> np.ndarray:  # fmt: skip
    """Which of ``docs`` have their numeric column ``name`` in [low, high] (a boolean array)."""
    values = numbers(searcher, name)[docs]
    keep = np.ones(len(docs), dtype=bool)
    if low is not None:  # (bounds outside int64 are clamped: numbers are within it)
        keep &= values >= min(max(low, -(2**63)), 2**63 - 1)
    if high is not None:
        keep &= values <= min(max(high, -(2**63)), 2**63 - 1)
    return keep
