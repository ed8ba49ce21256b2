"""Names for what the index stores as ids and codes (boards, authors, prefectures, blocks,
player fields, life domains, content types), looked up once per search, and facet lists.

Board labels (slug, name, space) are kept per process (:class:`BoardNames`); who may read a
board is never kept here: each search reads the closed boards' audience columns anew."""

from __future__ import annotations

import heapq
import time
import weakref
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from threading import Lock

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from auth.models import User
from core import events
from core.extensions import db
from forum import audience
from forum.audience import BoardAudience
from forum.models import Board
from search.params import SearchParams
from search.results import FacetValue
from taxonomy import queries as taxonomy


@dataclass(frozen=True)
class BoardLabel:
    """A board as search shows it: what a process keeps of it (never its audience)."""

    id: int
    space_id: int
    slug: str
    name: str


class BoardNames:
    """Every board's label, in board order, kept per process for ``seconds``.

    Only names: the audience rule reads the closed boards' audience columns each request
    (``forum.audience.closed_boards``), so a board that closes is left out at once everywhere.
    A board created, deleted, renamed or moved through this process drops the labels
    (``core.events.after_writes(only=…)``; other writes keep them); a
    rename through another process shows within ``seconds``, and a board id the labels do not
    know (created elsewhere) makes a search read them again (at most once a second)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.kept: _Labels | None = None
        self.generation = 0  # bumped by clear(): a read that began before a write is not kept
        self.lock = Lock()

    def get(self) -> _Labels | None:
        kept = self.kept
        if kept is None or time.monotonic() - kept.read_at > self.seconds:
            return None
        return kept

    def put(self, labels: _Labels, generation: int) -> None:
        with self.lock:
            if generation == self.generation:
                self.kept = labels

    def clear(self) -> None:
        with self.lock:
            self.generation += 1
            self.kept = None


@dataclass(frozen=True)
class _Labels:
    boards: tuple[BoardLabel, ...]
    by_id: dict[int, BoardLabel]
    by_slug: dict[str, BoardLabel]
    read_at: float  # time.monotonic()


_EXTENSION = "kyoso.search_board_names"
_caches: weakref.WeakSet[BoardNames] = weakref.WeakSet()
#: a board id the labels miss reads them again only if they are older than this (seconds)
MISS_REREAD_SECONDS = 1.0


def _clear_all() -> None:
    for cache in list(_caches):
        cache.clear()


def register(app: Flask) -> None:
    seconds = float(app.config.get("SEARCH_BOARD_NAMES_SECONDS", 60.0))
    if seconds > 0:
        cache = BoardNames(seconds)
        app.extensions[_EXTENSION] = cache
        _caches.add(cache)
    # only what the labels hold: a reply (which writes the board's counters) keeps them
    events.after_writes(_clear_all, only={Board: ("slug", "name", "space_id", "position")})


def _read_labels() -> _Labels:
    """Every board in one statement: the labels, and (the same rows) the request's closed boards
    for the audience rule, so a search with no labels kept costs no more statements than one
    with them."""
    cache: BoardNames | None = current_app.extensions.get(_EXTENSION)
    generation = cache.generation if cache is not None else 0
    rows = db.session.execute(
        select(Board.id, Board.space_id, Board.audience, Board.audience_roles, Board.slug,
               Board.name).order_by(Board.position, Board.id)
    ).all()  # fmt: skip
    audience.remember_closed_boards(
        [BoardAudience(i, s, aud, roles) for i, s, aud, roles, _slug, _name in rows
         if aud != "public"]
    )  # fmt: skip
    boards = tuple(BoardLabel(i, s, slug, name) for i, s, _a, _r, slug, name in rows)
    labels = _Labels(boards, {b.id: b for b in boards}, {b.slug: b for b in boards},
                     time.monotonic())  # fmt: skip
    if cache is not None:
        cache.put(labels, generation)
    return labels


def board_labels() -> _Labels:
    cache: BoardNames | None = current_app.extensions.get(_EXTENSION)
    kept = cache.get() if cache is not None else None
    return kept if kept is not None else _read_labels()


#: content types (``Thread.kind``); the structured-threads issue adds the other four kinds
TYPE_LABELS = {
    "discussion": _l("話題・相談"),
    "case": _l("取組事例"),
    "event": _l("イベント"),
    "policy": _l("施策・予算"),
    "challenge": _l("地域課題"),
}


def facet_names() -> dict[str, str]:
    return {
        "type": _("種類"),
        "prefecture": _("都道府県"),
        "block": _("地域ブロック"),
        "field": _("分野"),
        "domain": _("生活支援の領域"),
        "board": _("掲示板"),
        "author": _("投稿者"),
    }


#: how many values a long facet (board, author, prefecture) shows
FACET_SIZE = 10


class Lookup:
    """Lazy, per-search lookups; each costs one query the first time it is needed."""

    def __init__(self) -> None:
        self._reread = False

    @cached_property
    def _labels(self) -> _Labels:
        return board_labels()

    @property
    def boards(self) -> tuple[BoardLabel, ...]:
        """Every board's label, in board order (kept per process: see :class:`BoardNames`)."""
        return self._labels.boards

    def hidden_boards(self, user) -> frozenset[int]:
        """The boards closed to ``user``, from this request's read of the audience columns (the
        labels are looked up first: with none kept, one statement reads both)."""
        _ = self._labels
        return audience.unreadable_board_ids(user)

    def _missed(self) -> bool:
        """A label was missing: read them again (once per lookup, if they are not brand new)."""
        if self._reread or time.monotonic() - self._labels.read_at < MISS_REREAD_SECONDS:
            return False
        self._reread = True
        self._labels = _read_labels()
        return True

    def board_by_slug(self, slug: str) -> BoardLabel | None:
        found = self._labels.by_slug.get(slug)
        if found is None and self._missed():
            found = self._labels.by_slug.get(slug)
        return found

    def board_by_id(self, board_id: int) -> BoardLabel | None:
        found = self._labels.by_id.get(board_id)
        if found is None and self._missed():
            found = self._labels.by_id.get(board_id)
        return found

    def author_id(self, handle: str) -> int | None:
        return db.session.scalar(select(User.id).where(User.handle == handle))

    def authors(self, ids: list[int]) -> dict[int, User]:
        users = db.session.scalars(select(User).where(User.id.in_(ids))) if ids else []
        return {u.id: u for u in users}

    @cached_property
    def prefectures(self) -> dict:
        return {p.code: p for p in taxonomy.list_prefectures()}

    def prefectures_in_block(self, block: str) -> list[str]:
        return [code for code, p in self.prefectures.items() if p.region_code == block]

    @cached_property
    def regions(self) -> dict:
        return {r.code: r for r in taxonomy.list_regions()}

    @cached_property
    def fields(self) -> dict:
        return {f.slug: f for f in taxonomy.list_player_fields()}

    @cached_property
    def domains(self) -> dict:
        return {d.slug: d for d in taxonomy.list_life_domains()}


def _values(counter: Counter, names: dict[str, str], selected: str | None, *, top=None):
    pairs = [(v, c) for v, c in counter.items() if c and v]
    pairs.sort(key=lambda vc: (-vc[1], vc[0]))
    if top is not None:
        pairs = pairs[:top]
    return [FacetValue(v, names.get(v, v), c, v == selected) for v, c in pairs]


def facet_values(
    counts: dict[str, Counter], params: SearchParams, lookup: Lookup
) -> dict[str, list[FacetValue]]:
    """Facet lists with labels, most frequent first. Keys as in ``SearchParams.FACETS``."""
    facets: dict[str, list[FacetValue]] = {}
    types = {k: str(v) for k, v in TYPE_LABELS.items()}
    facets["type"] = _values(counts["type"], types, params.type)
    prefs = counts["prefecture"]
    names = {c: p.name for c, p in lookup.prefectures.items()} if prefs else {}
    facets["prefecture"] = _values(prefs, names, params.prefecture, top=FACET_SIZE)
    blocks: Counter = Counter()
    for code, n in prefs.items():
        if code in lookup.prefectures:
            blocks[lookup.prefectures[code].region_code] += n
    names = {c: r.name for c, r in lookup.regions.items()} if blocks else {}
    facets["block"] = _values(blocks, names, params.block)
    names = {s: f.name for s, f in lookup.fields.items()} if counts["field"] else {}
    facets["field"] = _values(counts["field"], names, params.field)
    names = {s: d.name for s, d in lookup.domains.items()} if counts["domain"] else {}
    facets["domain"] = _values(counts["domain"], names, params.domain)
    boards: Counter = Counter()
    names = {}
    for board_id, n in counts["board"].items():
        board = lookup.board_by_id(int(board_id))
        if board is not None:
            boards[board.slug] += n
            names[board.slug] = board.name
    facets["board"] = _values(boards, names, params.board, top=FACET_SIZE)
    # most posts first; among equal counts the lower id, not the order the matches came in
    ranked = heapq.nsmallest(
        FACET_SIZE, counts["author"].items(), key=lambda an: (-an[1], int(an[0] or -1))
    )
    top_authors = [int(a) for a, _n in ranked if a]
    users = lookup.authors(top_authors)
    authors = Counter(
        {users[i].handle: counts["author"][str(i)] for i in top_authors if i in users}
    )
    names = {u.handle: u.display_name for u in users.values()}
    facets["author"] = _values(authors, names, params.author)
    return facets
