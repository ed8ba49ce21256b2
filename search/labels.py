"""Names for what the index stores as ids and codes (boards, authors, prefectures, blocks,
player fields, life domains, content types), looked up once per search, and facet lists."""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from auth.models import User
from core.extensions import db
from forum.audience import BoardAudience
from forum.models import Board
from search.params import SearchParams
from search.results import FacetValue
from taxonomy import queries as taxonomy


@dataclass(frozen=True)
class BoardLabel(BoardAudience):
    """A board as search shows and filters it: its audience (for the rule), slug and name."""

    slug: str
    name: str


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

    @cached_property
    def boards(self) -> list[BoardLabel]:
        """Every board as a plain row (with 48 platforms there are hundreds: building ORM
        objects for each search cost more than the search)."""
        rows = db.session.execute(
            select(Board.id, Board.space_id, Board.audience, Board.audience_roles, Board.slug,
                   Board.name).order_by(Board.position, Board.id)
        )  # fmt: skip
        return [BoardLabel(*row) for row in rows]

    def board_by_slug(self, slug: str) -> BoardLabel | None:
        return next((b for b in self.boards if b.slug == slug), None)

    @cached_property
    def _boards_by_id(self) -> dict[int, BoardLabel]:
        return {b.id: b for b in self.boards}

    def board_by_id(self, board_id: int) -> BoardLabel | None:
        return self._boards_by_id.get(board_id)

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
    boards = Counter()
    for board_id, n in counts["board"].items():
        board = lookup.board_by_id(int(board_id))
        if board is not None:
            boards[board.slug] += n
    names = {b.slug: b.name for b in lookup.boards}
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
