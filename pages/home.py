"""The front door (``/``, ``forum.index``): a few live items for each of つながる / 知る / うまれる.

The forum's index view stays the forum's; its template asks :func:`front_door` (a template
global) for the items, which come from the listings' own queries — so a card shows what the
listing behind its 「すべて見る」 link shows first. Each list is one statement; what the
viewer may not read is left out (the audience rule, ``forum.audience``)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from auth.spaces import NATIONAL_SPACE_ID
from core.extensions import db
from forum import audience
from forum.models import Board, Thread
from structured import queries as structured_queries
from structured.models import ThreadDetail
from structured.queries import Filters

#: items per list on the home page
PER_LIST = 4


@dataclass(frozen=True)
class FrontDoor:
    discussions: list[Thread]
    cases: list[ThreadDetail]
    events: list[ThreadDetail]
    policies: list[ThreadDetail]
    challenges: list[ThreadDetail]


def latest_discussions(limit: int = PER_LIST) -> list[Thread]:
    """Plain discussions (not cases, events …) with the newest activity on the national
    platform's boards the viewer may read (a prefectural platform's talk is on its own home,
    ``/pf/<slug>``; its public cases, events and policies reach the national lists below, as
    they reach the national listings)."""
    national = select(Board.id).where(Board.space_id == NATIONAL_SPACE_ID)
    query = (
        select(Thread)
        .where(Thread.kind == "discussion", Thread.is_deleted.is_(False),
               Thread.is_hidden.is_(False), Thread.board_id.in_(national),
               audience.readable_filter(Thread.board_id, audience.viewer()))
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .options(joinedload(Thread.board))
        .limit(limit)
    )  # fmt: skip
    return list(db.session.scalars(query))


def _newest(kind: str, **filters) -> list[ThreadDetail]:
    page = structured_queries.list_page(Filters(kind=kind, **filters), limit=PER_LIST,
                                        with_tags=False)  # fmt: skip
    return page.items


def front_door() -> FrontDoor:
    """What the home page lists, read once per request."""
    if "kyoso_front_door" not in g:
        g.kyoso_front_door = FrontDoor(
            discussions=latest_discussions(),
            cases=_newest("case"),
            events=_newest("event"),  # upcoming, soonest first: the /events default
            policies=_newest("policy"),
            challenges=_newest("challenge", status="open"),
        )
    return g.kyoso_front_door
