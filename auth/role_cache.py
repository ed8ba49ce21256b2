"""Each role's permission names, read once per process (issue #12's signed-in listings).

Role permissions are data written by migrations (``role_permissions``), never by a page. Loading
them with every login joined them beside the member's space memberships, so the login's rows
multiplied (permissions × memberships). Here they are read in one statement the first time a
process needs them, for every role at once, and kept on the application.

Invalidation: a flush of this process that adds, changes or deletes a ``RolePermission`` or a
``Role`` drops the cache, and so does a rollback after such a flush. A migration that changes
role permissions runs before the new processes start (README, 更新); a running process keeps the
names it read, as it keeps its code.
"""

from __future__ import annotations

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core.extensions import db

_KEY = "kyoso_role_permissions"


def permission_names(role_id: int) -> frozenset[str] | None:
    """The role's permission names, or None outside an application (the caller reads the rows)."""
    if not has_app_context():
        return None
    cache = current_app.extensions.get(_KEY)
    if cache is None:
        cache = _load()
        current_app.extensions[_KEY] = cache
    return cache.get(role_id, frozenset())


def _load() -> dict[int, frozenset[str]]:
    from auth.models import RolePermission

    names: dict[int, set[str]] = {}
    for role_id, permission in db.session.execute(
        select(RolePermission.role_id, RolePermission.permission)
    ):
        names.setdefault(role_id, set()).add(permission)
    return {role_id: frozenset(perms) for role_id, perms in names.items()}


def clear() -> None:
    if has_app_context():
        current_app.extensions.pop(_KEY, None)


def _touches_roles(session: Session) -> bool:
    from auth.models import Role, RolePermission

    return any(
        isinstance(obj, (Role, RolePermission))
        for obj in (*session.new, *session.dirty, *session.deleted)
    )


def _before_flush(session: Session, _context, _instances) -> None:
    if _touches_roles(session):
        session.info["kyoso_roles_changed"] = True


def _after_flush(session: Session, _context) -> None:
    if session.info.get("kyoso_roles_changed"):
        clear()


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is not None:
        return  # a flush's own subtransaction: wait for the commit or rollback
    if session.info.pop("kyoso_roles_changed", False):
        clear()  # committed or rolled back: the next reader loads what the database holds


def register(app: Flask) -> None:
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
