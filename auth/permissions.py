"""The one place where "may this user do that?" is decided.

A role's abilities are ``RolePermission`` rows (data, seeded by a migration); ownership and
state rules (own post, locked thread) are here and nowhere else. Views, the API and templates all
ask :func:`can`.
"""

from __future__ import annotations

from typing import Any

from flask_login import AnonymousUserMixin

# Permission names stored in role_permissions.
THREAD_CREATE = "thread.create"
POST_CREATE = "post.create"
POST_EDIT_OWN = "post.edit_own"
POST_DELETE_OWN = "post.delete_own"
POST_EDIT_ANY = "post.edit_any"
POST_DELETE_ANY = "post.delete_any"
POST_VIEW_DELETED = "post.view_deleted"
THREAD_MODERATE = "thread.moderate"  # pin, lock, reply to locked threads
BOARD_MANAGE = "board.manage"
TAXONOMY_MANAGE = "taxonomy.manage"
USER_MANAGE = "user.manage"


def _perms(user: Any) -> frozenset[str]:
    if user is None or isinstance(user, AnonymousUserMixin) or not user.is_authenticated:
        return frozenset()
    if not user.is_active:
        return frozenset()
    return user.permissions


def has(user: Any, permission: str) -> bool:
    """A plain role ability, without a target object."""
    return permission in _perms(user)


def can(user: Any, action: str, target: Any = None) -> bool:
    """Whether ``user`` may perform ``action`` on ``target`` (a Board, Thread or Post)."""
    perms = _perms(user)
    check = _RULES.get(action)
    if check is None:
        raise KeyError(f"unknown action {action!r}")
    return check(user, perms, target)


def _view_board(user, perms, board) -> bool:
    return True  # every board is public for now; private boards hook in here


def _view_thread(user, perms, thread) -> bool:
    return not thread.is_deleted or POST_VIEW_DELETED in perms


def _create_thread(user, perms, board) -> bool:
    return THREAD_CREATE in perms


def _reply(user, perms, thread) -> bool:
    if POST_CREATE not in perms or thread.is_deleted:
        return False
    return not thread.is_locked or THREAD_MODERATE in perms


def _own(user, post) -> bool:
    return user is not None and getattr(user, "id", None) == post.author_id


def _edit_post(user, perms, post) -> bool:
    if post.is_deleted:
        return False
    if POST_EDIT_ANY in perms:
        return True
    return POST_EDIT_OWN in perms and _own(user, post) and not post.thread.is_locked


def _delete_post(user, perms, post) -> bool:
    if post.is_deleted:
        return False
    if POST_DELETE_ANY in perms:
        return True
    return POST_DELETE_OWN in perms and _own(user, post) and not post.thread.is_locked


def _view_revisions(user, perms, post) -> bool:
    return True  # edit history is public, as on Discourse


def _moderate_thread(user, perms, thread) -> bool:
    return THREAD_MODERATE in perms


def _manage_boards(user, perms, _target) -> bool:
    return BOARD_MANAGE in perms


def _manage_taxonomies(user, perms, _target) -> bool:
    return TAXONOMY_MANAGE in perms


_RULES = {
    "board.view": _view_board,
    "thread.view": _view_thread,
    "thread.create": _create_thread,
    "thread.reply": _reply,
    "thread.moderate": _moderate_thread,
    "post.edit": _edit_post,
    "post.delete": _delete_post,
    "post.revisions": _view_revisions,
    "board.manage": _manage_boards,
    "taxonomy.manage": _manage_taxonomies,
}
