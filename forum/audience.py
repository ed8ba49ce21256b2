"""Who may read what, for queries that list many things at once.

A single object is checked with ``can(user, "board.view" | "thread.view" | "post.read", …)``.
A listing (structured lists, calendar, feeds, search, profiles, the directory, tracked threads,
the API) leaves out the boards :func:`unreadable_board_ids` names: the closed boards to which
``auth.permissions.board_readable`` — the one audience rule — says no for this viewer. Closed
boards are few, so this is one small query, made once per request and viewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import and_, bindparam, false, literal, not_, or_, select

from auth.permissions import reader, reader_facts
from core.extensions import db
from forum.models import Board


def viewer():
    """The signed-in member of this request, or ``None`` (anyone) outside a request."""
    return current_user._get_current_object() if has_request_context() else None


@dataclass(frozen=True)
class BoardAudience:
    """What the audience rule reads of a board (plain rows: no ORM objects to build; search's
    documents carry the same)."""

    id: int
    space_id: int
    audience: str
    audience_roles: str

    @property
    def audience_role_slugs(self) -> frozenset[str]:
        return frozenset(r for r in self.audience_roles.split(",") if r)


@cache
def _closed_statement():
    """Built once: every search and many listings run it, and building a statement costs about
    as much as running this one (about 0.3 of 0.9 ms with 94 closed boards)."""
    return select(Board.id, Board.space_id, Board.audience, Board.audience_roles).where(
        Board.audience != "public"
    )


def closed_boards() -> list[BoardAudience]:
    if has_request_context() and "kyoso_closed_boards" in g:
        return g.kyoso_closed_boards
    boards = [BoardAudience(*row) for row in db.session.execute(_closed_statement())]
    if has_request_context():
        g.kyoso_closed_boards = boards
    return boards


def remember_closed_boards(boards: list[BoardAudience]) -> None:
    """The closed boards, read by a statement that read more (search's board labels): the rest
    of this request uses them instead of reading them again."""
    if has_request_context() and "kyoso_closed_boards" not in g:
        g.kyoso_closed_boards = boards


def unreadable_board_ids(user) -> frozenset[int]:
    """The boards whose threads ``user`` (or ``None``: anyone) must not see in a list (worked
    out once per request and viewer)."""
    key = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
    cache = g.setdefault("kyoso_unreadable", {}) if has_request_context() else {}
    if key not in cache:
        readable = reader(user)
        cache[key] = frozenset(b.id for b in closed_boards() if not readable(b))
    return cache[key]


def viewer_key(user):
    """Hashable, and equal for two viewers exactly when the audience rule lets them read the
    same boards (``"nobody"``, ``"staff"`` or their reader facts): a key for caching what a
    viewer may see, at no statement's cost."""
    return reader_facts(user)


def readable_filter(column, user):
    """A WHERE clause for a query over threads (``column``: a ``board_id`` column) that keeps
    only what ``user`` may read; ``True`` when nothing is closed to them.

    Written as a subquery over the closed boards, so a listing costs no extra statement: for
    anonymous viewers "public boards only", for members the rule of
    ``auth.permissions.reader`` from the facts their login loaded
    (``tests/security/test_leak_matrix.py`` checks that the forms agree for every kind of viewer
    and every board)."""
    facts = reader_facts(user)
    if facts == "staff":
        return True
    closed = Board.audience != "public"
    if facts == "nobody":
        return column.not_in(select(Board.id).where(closed))
    # the rule of auth.permissions.reader in SQL, from the facts the login already loaded: no
    # statement of its own, and its parameters do not grow with the closed boards
    role_listed = (
        (literal(",") + Board.audience_roles + literal(",")).contains(
            f",{facts.role_slug},", autoescape=True
        )
        if facts.role_slug
        else false()
    )  # fmt: skip
    readable = or_(
        Board.space_id.in_(bindparam("kyoso_looks_after", sorted(facts.looks_after), expanding=True)),
        and_(
            Board.space_id.in_(bindparam("kyoso_member_of", sorted(facts.member_of), expanding=True)),
            or_(Board.audience == "members", and_(Board.audience == "roles", role_listed)),
        ),
    )  # fmt: skip
    return column.not_in(select(Board.id).where(closed, not_(readable)))
