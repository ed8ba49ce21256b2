"""Spaces' actions, one path for the pages, the API and the CLI: create a prefectural platform
(with its boards from the template), join one (open, or approval through the review queue), set
a member's role there. Audited; the caller commits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from audit.log import record_action
from auth import spaces
from auth.models import User
from auth.permissions import can
from auth.spaces import JOIN_POLICIES, SPACE_ROLES, Space, SpaceMember
from core.extensions import db
from forum import boards
from moderation import queue
from moderation.models import ModerationItem
from taxonomy.models import Prefecture

SLUG = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


class _System:
    """The operator at the console and the demo loader: a site admin for the permission rules,
    no account in the audit log (``actor_id`` null)."""

    is_authenticated = True
    is_active = True
    id = None
    role_slug = "admin"
    space_roles: dict = {}
    moderated_board_ids = frozenset()
    email_confirmed_at = True
    permissions = frozenset({"board.manage"})


SYSTEM = _System()


@dataclass
class SpaceResult:
    status: str  # done | invalid | forbidden
    space: Space | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def create_space(
    *, actor, slug: str, name: str, prefecture_code: str, description: str = "",
    join: str = "open",
) -> SpaceResult:  # fmt: skip
    """A prefectural platform with its boards (the national public boards as a template, plus a
    行政職員限定 board). Site admins only."""
    if not can(actor, "board.manage"):
        return SpaceResult("forbidden")
    errors: dict[str, list[str]] = {}
    slug, name = (slug or "").strip(), (name or "").strip()
    if not SLUG.match(slug):
        errors["slug"] = [_("半角小文字の英字で始まる英数字とハイフンで2〜40文字にしてください。")]
    elif spaces.get_space(slug) is not None:
        errors["slug"] = [_("このURL名はすでに使われています。")]
    if not name or len(name) > 80:
        errors["name"] = [_("名前を80文字以内で入力してください。")]
    code = (prefecture_code or "").strip().zfill(2)
    if db.session.get(Prefecture, code) is None:
        errors["prefecture"] = [_("都道府県コード（01〜47）が正しくありません。")]
    elif spaces.space_for_prefecture(code) is not None:
        errors["prefecture"] = [_("この都道府県のプラットフォームはすでにあります。")]
    if join not in JOIN_POLICIES:
        errors["join"] = [_("参加の方式は open か approval です。")]
    if errors:
        return SpaceResult("invalid", errors=errors)
    position = int(code)
    space = Space(slug=slug, name=name, kind="prefecture", prefecture_code=code,
                  description=(description or "").strip()[:2000], join_policy=join,
                  position=position)  # fmt: skip
    db.session.add(space)
    db.session.flush()
    record_action(actor, "space.create", "space", space.id,
                  after={"slug": slug, "name": name, "prefecture": code, "join": join})  # fmt: skip
    boards.create_from_template(actor=actor, space=space)
    return SpaceResult("done", space=space)


def request_join(user, space: Space) -> str:
    """``joined`` | ``pending`` (a review-queue item for the space's moderators) | ``already``
    | ``refused`` (not signed in, suspended, e-mail not confirmed)."""
    if not can(user, "thread.create", None):
        return "refused"
    result = spaces.join(user, space)
    if result == "pending" and not _open_request(space, user):
        queue.open_join_item(space, user)
    if result in ("joined", "pending"):
        record_action(user, f"space.join_{result}", "space", space.id)
    return result


def leave(user, space: Space) -> bool:
    """The member leaves ``space`` (their posts stay); recorded like a join."""
    if not spaces.leave(user, space):
        return False
    record_action(user, "space.leave", "space", space.id)
    return True


def _open_request(space: Space, user) -> bool:
    return db.session.scalar(
        select(ModerationItem.id).where(
            ModerationItem.kind == "space_join", ModerationItem.space_id == space.id,
            ModerationItem.subject_user_id == user.id, ModerationItem.status == "pending",
        )
    ) is not None  # fmt: skip


def set_member_role(*, actor, space: Space, user, role: str) -> SpaceResult:
    """Add a member or change their role in ``space``: site admins and the space's admins."""
    if not can(actor, "space.manage", space) or space.is_national:
        return SpaceResult("forbidden")
    if role not in SPACE_ROLES:
        return SpaceResult("invalid", errors={"role": [_("役割が正しくありません。")]})
    before = db.session.get(SpaceMember, (space.id, user.id))
    before_role = before.role if before is not None and before.status == "active" else None
    spaces.set_member(space, user, role)
    record_action(actor, "space.member_role", "user", user.id,
                  before={"space": space.slug, "role": before_role},
                  after={"space": space.slug, "role": role})  # fmt: skip
    return SpaceResult("done", space=space)


def remove_member(*, actor, space: Space, user) -> SpaceResult:
    if not can(actor, "space.manage", space) or space.is_national:
        return SpaceResult("forbidden")
    if spaces.leave(user, space):
        record_action(actor, "space.member_remove", "user", user.id, before={"space": space.slug})
    return SpaceResult("done", space=space)


def members(space: Space) -> list[SpaceMember]:
    return list(db.session.scalars(
        select(SpaceMember).join(User, User.id == SpaceMember.user_id)
        .where(SpaceMember.space_id == space.id).order_by(User.handle)
        .options(selectinload(SpaceMember.user))
    ))  # fmt: skip
