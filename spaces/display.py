"""What templates show about spaces: a space's name by id (labels on listings), the header's
switcher, the suggestion to join one's prefecture's platform, a closed board's audience."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from auth.models import Role
from auth.spaces import Space, space_for_prefecture, spaces_by_id
from core.extensions import db
from forum.boards import GOVERNMENT_ROLES


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        space_name=space_name, my_spaces=my_spaces, suggested_space=suggested_space,
        audience_roles_label=audience_roles_label,
    )  # fmt: skip


def space_name(space_id: int) -> str:
    """A short label: the prefecture (兵庫県) of a prefectural platform."""
    space = spaces_by_id().get(space_id)
    if space is None:
        return ""
    return space.prefecture.name if space.prefecture is not None else space.name


def my_spaces() -> list[Space]:
    """The header's switcher: the prefectural platforms the member is in (the national one is
    always first in the template). Loaded with the member (``auth.session``): no statement."""
    if not current_user.is_authenticated:
        return []
    spaces = [m.space for m in current_user.space_memberships if m.status == "active"]
    return sorted(spaces, key=lambda s: (s.position, s.id))


def suggested_space() -> Space | None:
    """The platform of the member's own prefecture, when they are not in it yet."""
    user = current_user
    if not user.is_authenticated or not user.prefecture_code:
        return None
    space = space_for_prefecture(user.prefecture_code)
    if space is None or space.id in user.space_roles:
        return None
    return space


def audience_roles_label(board) -> str:
    slugs = board.audience_role_slugs
    if slugs == frozenset(GOVERNMENT_ROLES):
        return _("行政職員限定")
    names = db.session.scalars(select(Role.name).where(Role.slug.in_(slugs)).order_by(Role.position))
    return _("%(roles)s限定", roles="・".join(names))
