"""Spaces: the national platform and the prefectural platforms (都道府県版プラットフォーム) on one
server, and who belongs to which.

A space owns boards (``forum.models.Board.space_id``). The national space (id 1, made by
migration 0016) is open to every registered member without a membership row; a prefectural space
has members (``SpaceMember``), some of them its moderators or admins, who manage only that space.
Reading is decided per board by its audience (``auth.permissions.board_readable``), posting by
membership and audience. Thin models and membership operations: views, the API and the CLI call
these, and the review queue calls :func:`approve` / :func:`reject` for join requests.
"""

from __future__ import annotations

from datetime import datetime

from flask import g, has_request_context
from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from core.extensions import db
from core.types import UTCDateTime, utcnow
from taxonomy.models import Prefecture

NATIONAL_SPACE_ID = 1
SPACE_KINDS = ("national", "prefecture")
JOIN_POLICIES = ("open", "approval")
#: a member's role within one space (site-wide roles are ``auth.models.Role``)
SPACE_ROLES = ("member", "moderator", "admin")
ACTIVE, PENDING = "active", "pending"
#: board reading audiences: everyone; members of the board's space; holders of listed roles
AUDIENCES = ("public", "members", "roles")


class Space(db.Model):
    __tablename__ = "spaces"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20), default="prefecture")
    prefecture_code: Mapped[str | None] = mapped_column(ForeignKey("prefectures.code"))
    description: Mapped[str] = mapped_column(Text, default="")
    join_policy: Mapped[str] = mapped_column(String(20), default="open")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    prefecture: Mapped[Prefecture | None] = relationship(lazy="select")

    @property
    def is_national(self) -> bool:
        return self.kind == "national"


class SpaceMember(db.Model):
    """A member of a prefectural space: ``pending`` until the space's moderators approve (join
    policy ``approval``), then ``active``. Nobody needs a row for the national space."""

    __tablename__ = "space_members"
    space_id: Mapped[int] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(20), default="member")
    status: Mapped[str] = mapped_column(String(20), default=ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    space: Mapped[Space] = relationship(lazy="select")
    user = relationship("User", lazy="select", viewonly=True)


# --- queries ---------------------------------------------------------------------------------


def list_spaces() -> list[Space]:
    return list(db.session.scalars(
        select(Space).order_by(Space.position, Space.id).options(joinedload(Space.prefecture))
    ))  # fmt: skip


def spaces_by_id() -> dict[int, Space]:
    """Every space by id, read once per request (labels on listings, the API's ``space``)."""
    if has_request_context():
        if "kyoso_spaces" not in g:
            g.kyoso_spaces = {s.id: s for s in list_spaces()}
        return g.kyoso_spaces
    return {s.id: s for s in list_spaces()}


def space_slug(space_id: int) -> str:
    space = spaces_by_id().get(space_id)
    return space.slug if space is not None else ""


def get_space(slug: str) -> Space | None:
    return db.session.scalar(select(Space).where(Space.slug == slug))


def space_for_prefecture(code: str | None) -> Space | None:
    if not code:
        return None
    return db.session.scalar(
        select(Space).where(Space.kind == "prefecture", Space.prefecture_code == code)
    )


def membership(user, space: Space) -> SpaceMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.get(SpaceMember, (space.id, user.id))


# --- membership operations (the caller commits) ----------------------------------------------


class NotJoinable(ValueError):
    """The national space needs no joining; suspended or unconfirmed accounts cannot join."""


def join(user, space: Space) -> str:
    """``joined`` (open policy), ``pending`` (approval: a review-queue item is opened by the
    caller's ``on_pending``) or ``already``."""
    if space.is_national:
        return "already"
    row = membership(user, space)
    if row is not None:
        return "already" if row.status == ACTIVE else "pending"
    status = ACTIVE if space.join_policy == "open" else PENDING
    db.session.add(SpaceMember(space_id=space.id, user_id=user.id, status=status))
    db.session.flush()
    _forget(user)
    return "joined" if status == ACTIVE else "pending"


def set_member(space: Space, user, role: str = "member") -> SpaceMember:
    """Add ``user`` to ``space`` (active) or change their role there: admins and the CLI."""
    if role not in SPACE_ROLES:
        raise ValueError(role)
    row = db.session.get(SpaceMember, (space.id, user.id))
    if row is None:
        row = SpaceMember(space_id=space.id, user_id=user.id)
        db.session.add(row)
    row.role, row.status = role, ACTIVE
    db.session.flush()
    _forget(user)
    return row


def approve(space_id: int, user) -> None:
    row = db.session.get(SpaceMember, (space_id, user.id))
    if row is not None:
        row.status = ACTIVE
        _forget(user)


def reject(space_id: int, user) -> None:
    row = db.session.get(SpaceMember, (space_id, user.id))
    if row is not None and row.status == PENDING:
        db.session.delete(row)
        _forget(user)


def leave(user, space: Space) -> bool:
    row = membership(user, space)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    _forget(user)
    return True


def _forget(user) -> None:
    """Drop the member's cached space roles so the next permission check reloads them."""
    db.session.expire(user, ["space_memberships"])
