"""Who may post what, said to the person asking (issue #14): why someone may not start a thread
of a kind on a board yet, and the one step that gets them there.

The decision itself stays in :mod:`auth.permissions` (``can(user, "thread.create.<kind>",
board)``); this module only explains a "no" by asking the same rule's parts in order, and reads
which roles carry a kind's permission from the role permissions (data, cached per process by
:mod:`auth.role_cache`: no statement once read). Web pages and the API give the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from auth.models import Role
from auth.permissions import (
    KIND_PERMISSIONS,
    THREAD_CREATE,
    _perms,
    _silenced,
    _unconfirmed,
    board_readable,
    can,
    is_space_member,
)
from core.extensions import db

ALLOWED = "allowed"
SIGNED_OUT = "signed_out"  # sign in or register
UNCONFIRMED = "unconfirmed"  # open the mail sent at registration
SILENCED = "silenced"  # a sanction: nothing to request
NOT_MEMBER = "not_member"  # the board's platform or audience: join it
NEEDS_ROLE = "needs_role"  # request verification as one of ``roles``
NOT_OFFERED = "not_offered"  # no role one may request carries it (staff only)


@dataclass(frozen=True)
class PostingPath:
    """Whether ``kind`` may be started on ``board`` by this person, and if not, why (``reason``)
    and which verified roles may (``roles``: requestable roles carrying the kind's permission,
    in display order)."""

    kind: str
    reason: str
    roles: list[Role] = field(default_factory=list)
    #: every confirmed member may start it (地域課題): signing in is the whole path
    members_may: bool = False

    @property
    def allowed(self) -> bool:
        return self.reason == ALLOWED


def roles_for_kind(kind: str) -> list[Role]:
    """The roles a member may request (verified roles) that may start ``kind``."""
    permission = KIND_PERMISSIONS[kind]
    return [r for r in _requestable_roles() if permission in r.permission_names]


def _requestable_roles() -> list[Role]:
    return list(db.session.scalars(select(Role).where(Role.requestable).order_by(Role.position)))


def posting_path(user: Any, kind: str, board: Any) -> PostingPath:
    """The explanation of ``can(user, f"thread.create.{kind}", board)``."""
    if can(user, f"thread.create.{kind}", board):
        return PostingPath(kind, ALLOWED)
    perms = _perms(user)
    if not perms:
        return PostingPath(kind, SIGNED_OUT, roles_for_kind(kind), _members_may(kind))
    if _silenced(user):
        return PostingPath(kind, SILENCED)
    if _unconfirmed(user):
        return PostingPath(kind, UNCONFIRMED, roles_for_kind(kind), _members_may(kind))
    if KIND_PERMISSIONS[kind] not in perms or THREAD_CREATE not in perms:
        roles = roles_for_kind(kind)
        return PostingPath(kind, NEEDS_ROLE if roles else NOT_OFFERED, roles)
    if board is not None and not (board_readable(user, board)
                                  and is_space_member(user, board.space_id)):  # fmt: skip
        return PostingPath(kind, NOT_MEMBER)
    return PostingPath(kind, NOT_OFFERED)


def _member_permissions() -> frozenset[str]:
    member = db.session.scalar(select(Role).where(Role.slug == "member"))
    return member.permission_names if member is not None else frozenset()


def _members_may(kind: str) -> bool:
    return KIND_PERMISSIONS[kind] in _member_permissions()


def kinds_of_role(role: Role) -> list[str]:
    """The structured kinds ``role`` may start that a plain member may not: what a verification
    as ``role`` unlocks (e.g. 団体担当者: event, case)."""
    base = _member_permissions()
    names = role.permission_names
    return [
        kind for kind, permission in KIND_PERMISSIONS.items()
        if kind != "discussion" and permission in names and permission not in base
    ]  # fmt: skip


def requestable_roles_kinds() -> list[tuple[Role, list[str]]]:
    """Each role a member may request, with the kinds it unlocks (for 「認証を受けると…」)."""
    return [(role, kinds_of_role(role)) for role in _requestable_roles()]


def refusal_message(path: PostingPath) -> str:
    """The API's one-sentence form of the web page that explains a "no"."""
    message = _("この掲示板にこの種類のスレッドを作成する権限がありません。")
    if path.reason == UNCONFIRMED:
        return message + _("メールアドレスの確認を済ませてください。")
    if path.reason == NOT_MEMBER:
        return message + _("この掲示板がある地域プラットフォームに参加してください。")
    if path.reason == NEEDS_ROLE:
        return message + _(
            "登録できるのは、認証を受けた次の立場の方です：%(roles)s。"
            "勤務先のメールアドレスで認証を申請してください。",
            roles="、".join(r.name for r in path.roles),
        )
    return message
