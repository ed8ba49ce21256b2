"""Directory operations for admins: organisations, their member accounts, related links.

Each function records an audit entry; the caller owns the transaction (commits)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from audit.log import record_action
from auth.models import User
from core.extensions import db
from directory.models import Organization, RelatedLink

ORG_FIELDS = ("name", "slug", "kind", "player_field_id", "prefecture_code", "description",
              "website_url", "publish_website", "is_listed")  # fmt: skip
LINK_FIELDS = ("category", "title", "url", "description", "position")


def organization_state(org: Organization) -> dict[str, Any]:
    return {name: getattr(org, name) for name in ORG_FIELDS}


def link_state(link: RelatedLink) -> dict[str, Any]:
    return {name: getattr(link, name) for name in LINK_FIELDS}


def save_organization(
    actor: User, org: Organization | None, values: dict[str, Any]
) -> Organization:
    """Create (``org`` None) or update an organisation from validated ``values``."""
    before = organization_state(org) if org is not None else None
    if org is None:
        org = Organization()
        db.session.add(org)
    for name in ORG_FIELDS:
        if name in values:
            setattr(org, name, values[name])
    db.session.flush()
    record_action(actor, "organization.create" if before is None else "organization.edit",
                  "organization", org.id, before=before, after=organization_state(org))  # fmt: skip
    return org


def delete_organization(actor: User, org: Organization) -> None:
    """Remove an organisation; its member accounts stay, no longer linked to it."""
    before = organization_state(org)
    before["members"] = list(
        db.session.scalars(select(User.handle).where(User.organization_id == org.id))
    )
    db.session.execute(
        update(User).where(User.organization_id == org.id).values(organization_id=None)
    )
    record_action(actor, "organization.delete", "organization", org.id, before=before)
    db.session.delete(org)


def assign_member(actor: User, org: Organization, user: User) -> int | None:
    """Link ``user``'s account to ``org``; returns the organisation id it had before."""
    previous = user.organization_id
    user.organization_id = org.id
    record_action(actor, "organization.assign", "user", user.id,
                  before={"organization_id": previous}, after={"organization_id": org.id})  # fmt: skip
    return previous


def unassign_member(actor: User, org: Organization, user: User) -> None:
    user.organization_id = None
    record_action(actor, "organization.unassign", "user", user.id,
                  before={"organization_id": org.id}, after={"organization_id": None})  # fmt: skip


def save_link(actor: User, link: RelatedLink | None, values: dict[str, Any]) -> RelatedLink:
    before = link_state(link) if link is not None else None
    if link is None:
        link = RelatedLink()
        db.session.add(link)
    for name in LINK_FIELDS:
        if name in values:
            setattr(link, name, values[name])
    db.session.flush()
    record_action(actor, "related_link.create" if before is None else "related_link.edit",
                  "related_link", link.id, before=before, after=link_state(link))  # fmt: skip
    return link


def delete_link(actor: User, link: RelatedLink) -> None:
    record_action(actor, "related_link.delete", "related_link", link.id, before=link_state(link))
    db.session.delete(link)


def move_link(actor: User, link: RelatedLink, direction: str) -> bool:
    """Swap ``link`` with its neighbour above (``up``) or below (``down``) in the page order;
    positions are renumbered 10, 20, 30… so that equal positions cannot stall a move.
    Returns whether anything moved."""
    links = list(
        db.session.scalars(select(RelatedLink).order_by(RelatedLink.position, RelatedLink.id))
    )
    index = links.index(link)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(links):
        return False
    links[index], links[other] = links[other], links[index]
    for n, item in enumerate(links, start=1):
        item.position = n * 10
    record_action(actor, "related_link.move", "related_link", link.id,
                  after={"direction": direction, "position": link.position})  # fmt: skip
    return True
