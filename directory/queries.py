"""What the directory pages and the API read, each page in a fixed number of SQL statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_

from auth.models import User
from core import cursors
from core.extensions import db
from directory.models import Organization, RelatedLink
from forum import audience
from forum.models import Thread
from structured.models import ThreadDetail
from taxonomy.models import PlayerField

#: the structured kinds an organisation page lists (its members' events and cases)
ACTIVITY_KINDS = ("event", "case")


@dataclass(frozen=True)
class OrganizationPage:
    organizations: list[Organization]
    next_cursor: str | None


@dataclass(frozen=True)
class Activity:
    """One of an organisation's members' events or cases, as its page lists it."""

    thread: Thread
    author: User
    starts_at: datetime | None
    status: str


# --- the list: keyset pagination by (name, id) ------------------------------------------------


def encode_cursor(org: Organization) -> str:
    return cursors.encode(org.name, org.id)


def decode_cursor(cursor: str) -> tuple[str, int]:
    return cursors.decode(cursor, str, int)


def list_organizations(
    *,
    field: PlayerField | None = None,
    kind: str | None = None,
    cursor: str | None = None,
    limit: int = 30,
    include_unlisted: bool = False,
) -> OrganizationPage:
    """Listed organisations by name (then id), ``limit`` at a time, optionally of one player
    field and/or one kind. Player field and prefecture come in the same statement."""
    query = select(Organization).order_by(Organization.name, Organization.id).limit(limit + 1)
    if not include_unlisted:
        query = query.where(Organization.is_listed.is_(True))
    if field is not None:
        query = query.where(Organization.player_field_id == field.id)
    if kind:
        query = query.where(Organization.kind == kind)
    if cursor:
        name, oid = decode_cursor(cursor)
        query = query.where(tuple_(Organization.name, Organization.id) > tuple_(name, oid))
    organizations = list(db.session.scalars(query))
    more = len(organizations) > limit
    organizations = organizations[:limit]
    next_cursor = encode_cursor(organizations[-1]) if more and organizations else None
    return OrganizationPage(organizations, next_cursor)


def get_player_field(slug: str) -> PlayerField | None:
    return db.session.scalar(select(PlayerField).where(PlayerField.slug == slug))


def get_organization(slug: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.slug == slug))


# --- an organisation's page -------------------------------------------------------------------


def list_activity(org: Organization, *, limit: int = 10) -> list[Activity]:
    """Its members' recent events and cases, newest first, in one statement: threads of kind
    event/case whose author speaks for ``org``, neither deleted nor hidden."""
    rows = db.session.execute(
        select(Thread, User, ThreadDetail.starts_at, ThreadDetail.status)
        .join(User, User.id == Thread.author_id)
        .outerjoin(ThreadDetail, ThreadDetail.thread_id == Thread.id)
        .where(
            User.organization_id == org.id,
            Thread.kind.in_(ACTIVITY_KINDS),
            Thread.is_deleted.is_(False),
            Thread.is_hidden.is_(False),
            audience.readable_filter(Thread.board_id, audience.viewer()),
        )
        .order_by(Thread.created_at.desc(), Thread.id.desc())
        .limit(limit)
    )
    return [Activity(t, u, starts_at, status or "") for t, u, starts_at, status in rows]


def list_members(org: Organization) -> list[User]:
    return list(
        db.session.scalars(select(User).where(User.organization_id == org.id).order_by(User.handle))
    )


# --- related links ----------------------------------------------------------------------------


def list_links() -> list[RelatedLink]:
    return list(
        db.session.scalars(select(RelatedLink).order_by(RelatedLink.position, RelatedLink.id))
    )


def group_links(links: list[RelatedLink]) -> list[tuple[str, list[RelatedLink]]]:
    """Links by category; categories in the order of their first link."""
    groups: dict[str, list[RelatedLink]] = {}
    for link in links:
        groups.setdefault(link.category, []).append(link)
    return list(groups.items())
