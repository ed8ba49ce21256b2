"""``search(params, user=…)``: keyword × facets over the index, checked against the database.

The index answers which posts match, how many, the facet counts and the order; the database
gives what is shown (current title, text, author), and every hit is checked again with
``search.visibility.is_visible`` — content deleted or hidden a moment ago is dropped even if the
indexer has not caught up. A search never writes.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import numpy as np
from sqlalchemy import select
from whoosh import query as wq
from whoosh.searching import Searcher

from auth.models import User
from auth.spaces import get_space
from core.extensions import db
from forum import audience
from search import labels
from search.analysis import normalize, sudachi_pieces
from search.documents import html_to_text, load_rows
from search.matching import (
    Evaluator,
    Matches,
    contains,
    facet_codes,
    in_range,
    numbers,
    top_order,
)
from search.params import BadParams, SearchParams, day_bounds, decode_cursor, encode_cursor
from search.query import BIGRAMS, Compiled, compile_query, parse
from search.results import Hit, SearchPage
from search.schema import MULTI_FACETS, ORDER_SCALE, SINGLE_FACETS
from search.snippets import mark
from search.visibility import is_visible

NOTHING = wq.NullQuery


@dataclass(frozen=True)
class Filters:
    terms: list[wq.Query]
    #: (numeric column, lowest, highest) — applied to the candidates by reading the column
    ranges: list[tuple[str, int | None, int | None]]
    #: ids of the boards closed to the viewer (the audience rule): their documents are dropped
    #: before anything is counted
    hidden_boards: frozenset[int] = frozenset()


def _filters(params: SearchParams, lookup: labels.Lookup, user: Any = None) -> Filters:
    terms: list[wq.Query] = []
    for name in ("type", "prefecture", "field", "domain"):
        value = getattr(params, name)
        if value:
            terms.append(wq.Term(name, value))
    if params.block:
        codes = lookup.prefectures_in_block(params.block)
        terms.append(wq.Or([wq.Term("prefecture", c) for c in codes]) if codes else NOTHING)
    if params.board:
        board = lookup.board_by_slug(params.board)
        terms.append(wq.Term("board", str(board.id)) if board else NOTHING)
    if params.space:
        space = get_space(params.space)
        ids = [b.id for b in lookup.boards if space is not None and b.space_id == space.id]
        terms.append(wq.Or([wq.Term("board", str(i)) for i in ids]) if ids else NOTHING)
    if params.author:
        author_id = lookup.author_id(params.author)
        terms.append(wq.Term("author", str(author_id)) if author_id else NOTHING)
    ranges: list[tuple[str, int | None, int | None]] = []
    low, high = day_bounds(params.date_from, params.date_to)
    if low is not None or high is not None:
        ranges.append((
            "order_key",
            low * ORDER_SCALE if low is not None else None,
            (high + 1) * ORDER_SCALE - 1 if high is not None else None,
        ))  # fmt: skip
    low, high = day_bounds(params.event_from, params.event_to)
    if low is not None:  # the event ends on or after the first day …
        ranges.append(("event_end", low, None))
    if high is not None:  # … and starts on or before the last one
        ranges.append(("event_start", 1, high))
    # the audience rule over the closed boards, read for this request (never kept with the labels)
    return Filters(terms, ranges, lookup.hidden_boards(user))


def match(searcher: Searcher, query: wq.Query, filters: Filters) -> Matches:
    """Every matching document with its score (0 without keywords)."""
    evaluator = Evaluator(searcher)
    terms = list(filters.terms)
    if isinstance(query, wq.Every) and terms:  # filters only: start from the first one
        scores = Matches(evaluator.evaluate(terms.pop(0)).docs)
    else:
        scores = evaluator.evaluate(query)
    for term in terms:
        if not scores:
            break
        keep = evaluator.evaluate(term, scores)  # only the documents still in scores
        scores = scores.take(contains(keep.docs, scores.docs))
    for name, low, high in filters.ranges:
        if not scores:
            break
        scores = scores.take(in_range(searcher, scores.docs, name, low, high))
    if filters.hidden_boards and scores:
        scores = scores.take(~_in_boards(searcher, filters.hidden_boards)[scores.docs])
    return scores


_HIDDEN_DOCS_PER_SEARCHER = 32


def _in_boards(searcher: Searcher, board_ids: frozenset[int]) -> np.ndarray:
    """docnum → in one of these boards, worked out once per pooled searcher and set of boards
    (viewers of one kind share a set): a search then drops their documents with one look-up
    per candidate in C. A new searcher (the index changed) starts afresh."""
    cache = searcher.__dict__.setdefault("_kyoso_hidden_mask", {})
    key = frozenset(board_ids)
    mask = cache.get(key)
    if mask is None:
        codes, values = facet_codes(searcher, ("board",))
        hidden = {str(i) for i in key}
        hidden |= {h.encode() for h in hidden}
        hidden_codes = [code for code, (board,) in enumerate(values) if board in hidden]
        mask = np.isin(codes, np.array(hidden_codes, dtype=codes.dtype))
        if len(cache) >= _HIDDEN_DOCS_PER_SEARCHER:
            cache.clear()
        cache[key] = mask
    return mask


#: the multi-valued facets' columns (space-separated values), counted by combination
MULTI_COLUMNS = tuple(f"{name}_c" for name in MULTI_FACETS)


def _count_facets(searcher: Searcher, matches: Matches) -> dict[str, Counter]:
    """Exact counts of every facet value over all matches: for each facet, the matches' codes
    (``matching.facet_codes``) counted with one ``bincount``, then each of the few distinct
    codes among them turned into its values. A single-valued facet (type, board, author) has
    one code per value; the multi-valued ones (prefecture, field, domain) one per combination of
    their space-separated values, each combination's count added to each of its values."""
    counts: dict[str, Counter] = {name: Counter() for name in (*SINGLE_FACETS, *MULTI_FACETS)}
    if not matches:
        return counts  # (an empty index has no columns to read)
    docs = matches.docs
    for name in SINGLE_FACETS:
        codes, values = facet_codes(searcher, (name,))
        found = np.bincount(codes[docs])
        counter = counts[name]
        for code in np.flatnonzero(found).tolist():
            counter[values[code][0]] += int(found[code])
    codes, combos = facet_codes(searcher, MULTI_COLUMNS)
    found = np.bincount(codes[docs])
    multi = [counts[name] for name in MULTI_FACETS]
    for code in np.flatnonzero(found).tolist():
        n = int(found[code])
        for counter, value in zip(multi, combos[code], strict=True):
            if value:
                for item in value.decode().split():
                    counter[item] += n
    return counts


def _rank(searcher, scores: Matches, sort: str, params: SearchParams):
    """(docnums of this page, next cursor)."""
    cursor = decode_cursor(params.cursor) if params.cursor else {}
    limit = params.limit
    if not scores:
        return [], None
    if sort == "date":
        if cursor and "k" not in cursor:
            raise BadParams("cursor")
        docs = scores.docs
        keys = numbers(searcher, "order_key")[docs]
        below = cursor.get("k")
        if below is not None:
            earlier = keys < below
            docs, keys = docs[earlier], keys[earlier]
        # newest first; among equal keys the higher docnum (as ``heapq.nlargest`` of pairs)
        order = top_order(keys, docs, limit + 1)
        more = len(order) > limit
        order = order[:limit]
        next_cursor = encode_cursor(k=int(keys[order[-1]])) if more and len(order) else None
        return docs[order].tolist(), next_cursor
    if cursor and "o" not in cursor:
        raise BadParams("cursor")
    offset = cursor.get("o", 0)
    if offset >= len(scores):
        return [], None
    # best score first; among equals, the newer document (higher docnum) first
    top = scores.top(offset + limit)
    page = [d for _s, d in top[offset : offset + limit]]
    more = len(scores) > offset + limit
    return page, encode_cursor(o=offset + limit) if more else None


def search(params: SearchParams, *, user: Any, searcher: Searcher | None) -> SearchPage:
    parsed = parse(params.q)
    sort = params.sort or ("date" if not parsed.groups else "relevance")
    if not parsed.groups:
        sort = "date"  # nothing to rank by
    if searcher is None:
        return SearchPage(params, sort, 0, index_ready=False)
    lookup = labels.Lookup()
    filters = _filters(params, lookup, user)
    compiled = compile_query(parsed, searcher.reader())
    scores = match(searcher, compiled.query, filters)
    if not scores and compiled.used_morphemes:
        compiled = compile_query(parsed, searcher.reader(), mode=BIGRAMS)
        scores = match(searcher, compiled.query, filters)
    page_docs, next_cursor = _rank(searcher, scores, sort, params)
    page = SearchPage(params, sort, len(scores), next_cursor=next_cursor)
    page.facets = labels.facet_values(_count_facets(searcher, scores), params, lookup)
    post_ids = [int(searcher.stored_fields(d)["post_id"]) for d in page_docs]
    page.hits = _hits(post_ids, compiled, user, lookup)
    return page


def matching_threads(q: str, *, kind: str, user: Any, searcher: Searcher,
                     limit: int = 1000) -> list[int]:  # fmt: skip
    """The threads of ``kind`` that the keyword ``q`` finds, best first, at most ``limit``: the
    query, the audience rule and the retry with bigrams of :func:`search` (a structured listing's
    keyword box; the listing applies its own filters to these ids). Reads the stored thread id
    of at most ``2 * limit`` posts."""
    parsed = parse(q)
    if parsed.is_empty:
        return []
    lookup = labels.Lookup()
    filters = _filters(SearchParams(q=q, type=kind), lookup, user)
    compiled = compile_query(parsed, searcher.reader())
    scores = match(searcher, compiled.query, filters)
    if not scores and compiled.used_morphemes:
        compiled = compile_query(parsed, searcher.reader(), mode=BIGRAMS)
        scores = match(searcher, compiled.query, filters)
    found: dict[int, None] = {}
    for _score, doc in scores.top(2 * limit):
        found.setdefault(int(searcher.stored_fields(doc)["thread_id"]), None)
        if len(found) >= limit:
            break
    return list(found)


#: a word in more posts than this (or this share of all posts, if more) is too common to make two
#: threads alike (``similar_threads``)
COMMON_WORD_DOCS = 2_000
COMMON_WORD_SHARE = 0.01


def similar_threads(
    text: str, *, kinds: tuple[str, ...], user: Any, searcher: Searcher, limit: int = 60,
    terms: int = 16, exclude: int | None = None,
) -> tuple[dict[int, float], list[str]]:  # fmt: skip
    """Threads of ``kinds`` whose posts share the key words of ``text``: (``{thread id:
    similarity}``, at most ``limit``; the key words asked, rarest first), the audience rule applied as in :func:`search`.

    The key words are ``text``'s morphemes (two characters or more) that at least two documents
    hold and at most :data:`COMMON_WORD_DOCS` (or :data:`COMMON_WORD_SHARE` of all, if more) —
    a word in that many posts says little about likeness, and reading its postings is what
    costs — the ``terms`` rarest of them (highest idf); a thread's similarity is its best post's
    score over them (title and body, as :func:`search` scores) divided by the sum of their
    idf, capped at 1 — a share of the key words' weight, readable as 「本文が似ている」.
    Bounded: ``text`` is cut at 4,000 characters, the query has at most ``2 * terms`` terms, and
    at most ``2 * limit`` stored thread ids are read."""
    reader = searcher.reader()
    n_docs = max(reader.doc_count_all(), 1)
    weights: dict[str, float] = {}
    common = max(COMMON_WORD_DOCS, int(n_docs * COMMON_WORD_SHARE))
    for piece in sudachi_pieces(normalize(text[:4000])):
        word = piece.text
        if len(word) < 2 or word in weights:
            continue
        df = reader.doc_frequency("body", word)
        if 2 <= df <= common:
            weights[word] = math.log(1 + n_docs / df)
    if not weights:
        return {}, []
    chosen = heapq.nlargest(terms, weights.items(), key=lambda item: item[1])
    query = wq.Or([wq.Term(f, w) for w, _idf in chosen for f in ("body", "title")])
    kind_filter = wq.Or([wq.Term("type", k) for k in kinds])
    filters = Filters([kind_filter], [], audience.unreadable_board_ids(user))
    scores = match(searcher, query, filters)
    total = sum(idf for _w, idf in chosen)
    found: dict[int, float] = {}
    for score, doc in scores.top(2 * limit):
        thread_id = int(searcher.stored_fields(doc)["thread_id"])
        if thread_id == exclude or thread_id in found:
            continue
        found[thread_id] = min(1.0, score / total)
        if len(found) >= limit:
            break
    return found, [w for w, _idf in chosen]


def _hits(post_ids: list[int], compiled: Compiled, user: Any, lookup: labels.Lookup) -> list[Hit]:
    rows = {row.post_id: row for row in load_rows(post_ids=post_ids)}
    visible = [
        rows[i]
        for i in post_ids
        if i in rows and is_visible(user, post=rows[i], thread=rows[i].thread)
    ]
    authors = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_({row.author_id for row in visible}))
        )
    }
    hits = []
    for row in visible:
        board = lookup.board_by_id(row.board_id)
        author = authors.get(row.author_id)
        text = html_to_text(row.body_html).replace("\n", " ")
        hits.append(
            Hit(
                post_id=row.post_id,
                thread_id=row.thread_id,
                number=row.number,
                title=normalize(row.title),
                title_html=mark(normalize(row.title), compiled.highlight, size=None),
                snippet_html=mark(text, compiled.highlight),
                type=row.kind,
                board_slug=board.slug if board else "",
                board_name=board.name if board else "",
                author_handle=author.handle if author else None,
                author_name=author.display_name if author else None,
                prefecture=None,
                created_at=row.created_at.astimezone(UTC),
            )
        )
    return hits
