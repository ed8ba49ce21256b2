"""The one place where "may this user do that?" is decided.

A role's abilities are ``RolePermission`` rows (data, seeded by a migration); ownership and
state rules (own post, locked thread) are here and nowhere else. Views, the API and templates all
ask :func:`can`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_login import AnonymousUserMixin

from auth.spaces import NATIONAL_SPACE_ID

# Permission names stored in role_permissions.
THREAD_CREATE = "thread.create"
POST_CREATE = "post.create"
POST_EDIT_OWN = "post.edit_own"
POST_DELETE_OWN = "post.delete_own"
POST_EDIT_ANY = "post.edit_any"
POST_DELETE_ANY = "post.delete_any"
POST_VIEW_DELETED = "post.view_deleted"
THREAD_MODERATE = "thread.moderate"  # pin, lock, reply to locked threads
POST_FLAG = "post.flag"
MODERATION_REVIEW = "moderation.review"
MODERATION_MANAGE = "moderation.manage"  # watched words, board moderators
USER_SANCTION = "user.sanction"
AUDIT_VIEW = "audit.view"
BOARD_MANAGE = "board.manage"
TAXONOMY_MANAGE = "taxonomy.manage"
USER_MANAGE = "user.manage"
DIRECTORY_MANAGE = "directory.manage"  # organisations and related links
ATTACHMENT_MANAGE = "attachment.manage"  # remove anyone's attachment

#: who may start which kind of thread: the role permission each kind needs (as data in
#: role_permissions; the verification workflow grants the roles)
KIND_PERMISSIONS = {
    "discussion": THREAD_CREATE,
    "challenge": "thread.create_challenge",
    "case": "thread.create_case",
    "event": "thread.create_event",
    "policy": "thread.create_policy",
}
#: kinds that may carry files (flyers, manuals)
ATTACHABLE_KINDS = ("case", "event", "policy")


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


# --- spaces and audiences (issue #12) ---------------------------------------------------------
#
# The audience rule below is the one decision of who may read a board and so everything in it.
# Objects are checked with ``can(user, "board.view" | "thread.view" | "post.read", …)``; queries
# that list many things leave out ``forum.audience.unreadable_board_ids(user)``, which applies
# this same function to every closed board. Site staff (holders of ``moderation.review``: the
# global moderators and admins) read every board, as they must to review what is flagged there.


def _space_roles(user: Any) -> dict[int, str]:
    return getattr(user, "space_roles", None) or {}


def is_space_member(user: Any, space_id: int) -> bool:
    """Every registered member belongs to the national space; prefectural spaces need an active
    membership."""
    if not _perms(user):
        return False
    return space_id == NATIONAL_SPACE_ID or space_id in _space_roles(user)


def space_role(user: Any, space_id: int) -> str | None:
    if not _perms(user):
        return None
    if space_id == NATIONAL_SPACE_ID and space_id not in _space_roles(user):
        return "member"
    return _space_roles(user).get(space_id)


def _site_staff(perms: frozenset[str]) -> bool:
    return MODERATION_REVIEW in perms or USER_MANAGE in perms


def board_readable(user: Any, board: Any) -> bool:
    """``public``: everyone. ``members``: members of the board's space. ``roles``: members of
    its space whose (verified) role is listed. Site staff and the space's own moderators and
    admins read every board of what they look after. Anything else (an unknown audience): no."""
    if board.audience == "public":
        return True
    return reader(user)(board)


@dataclass(frozen=True)
class ReaderFacts:
    """What the audience rule needs of a signed-in viewer who is not site staff: the spaces they
    look after (read every board there), the spaces they belong to (national included), their
    role. ``forum.audience`` writes the same rule in SQL from these facts."""

    looks_after: frozenset[int]
    member_of: frozenset[int]
    role_slug: str | None


def reader_facts(user: Any) -> ReaderFacts | str:
    """``"nobody"`` (anonymous or inactive: public boards only), ``"staff"`` (every board), or
    the :class:`ReaderFacts` of a member."""
    perms = _perms(user)
    if not perms:
        return "nobody"
    if _site_staff(perms):
        return "staff"
    roles = dict(_space_roles(user))
    roles.setdefault(NATIONAL_SPACE_ID, "member")
    return ReaderFacts(
        looks_after=frozenset(s for s, r in roles.items() if r in ("moderator", "admin")),
        member_of=frozenset(roles),
        role_slug=getattr(user, "role_slug", None),
    )


def reader(user: Any):
    """The audience rule for one viewer, with what it needs of the viewer read once: a function
    of a board (``forum.audience`` applies it to every closed board of a request)."""
    facts = reader_facts(user)
    if facts == "nobody":
        return lambda board: board.audience == "public"
    if facts == "staff":
        return lambda board: True

    def readable(board) -> bool:
        if board.audience == "public" or board.space_id in facts.looks_after:
            return True
        if board.space_id not in facts.member_of:
            return False
        if board.audience == "members":
            return True
        if board.audience == "roles":
            return facts.role_slug in board.audience_role_slugs
        return False

    return readable


def _view_board(user, perms, board) -> bool:
    return board_readable(user, board)


def _may_post_in(user, perms, board) -> bool:
    """Posting needs the board's audience and membership of its space (national: everyone)."""
    if not board_readable(user, board):
        return False
    return _site_staff(perms) or is_space_member(user, board.space_id)


def moderates(user: Any, board: Any) -> bool:
    """Global moderators (role) moderate every board; a space's moderators and admins the boards
    of their space; board moderators the boards assigned to them."""
    perms = _perms(user)
    if THREAD_MODERATE in perms:
        return True
    if not perms or board is None:
        return False
    if board.id in user.moderated_board_ids:
        return True
    return space_role(user, board.space_id) in ("moderator", "admin")


def manages_space(user: Any, space_id: int | None) -> bool:
    """Site admins (``board.manage``) and the space's own admins."""
    perms = _perms(user)
    if BOARD_MANAGE in perms:
        return True
    return space_id is not None and space_role(user, space_id) == "admin"


def _silenced(user) -> bool:
    return bool(getattr(user, "is_silenced", False))


def _unconfirmed(user) -> bool:
    """A member whose e-mail address is not confirmed yet may read, not post or flag."""
    return getattr(user, "email_confirmed_at", True) is None


def _muted(user) -> bool:
    return _silenced(user) or _unconfirmed(user)


def _view_thread(user, perms, thread) -> bool:
    if thread.is_deleted and POST_VIEW_DELETED not in perms:
        return False
    if not board_readable(user, thread.board):
        return False
    if thread.is_hidden:
        return getattr(user, "id", None) == thread.author_id or moderates(user, thread.board)
    return True


def _create_thread(user, perms, board) -> bool:
    if THREAD_CREATE not in perms or _muted(user):
        return False
    return board is None or _may_post_in(user, perms, board)


def _create_kind(kind: str):
    def check(user, perms, board) -> bool:
        return _create_thread(user, perms, board) and KIND_PERMISSIONS[kind] in perms

    return check


def postable_kinds(user: Any, board: Any) -> list[str]:
    """The thread kinds ``user`` may start on ``board``, in display order."""
    return [kind for kind in KIND_PERMISSIONS if can(user, f"thread.create.{kind}", board)]


def _reply(user, perms, thread) -> bool:
    if POST_CREATE not in perms or thread.is_deleted or _muted(user):
        return False
    if not _may_post_in(user, perms, thread.board):
        return False
    return not thread.is_locked or moderates(user, thread.board)


def _own(user, post) -> bool:
    return user is not None and getattr(user, "id", None) == post.author_id


def _edit_post(user, perms, post) -> bool:
    if post.is_deleted:
        return False
    if POST_EDIT_ANY in perms or (perms and moderates(user, post.thread.board)):
        return True
    return (
        POST_EDIT_OWN in perms and _own(user, post) and not post.thread.is_locked
        and not _silenced(user)
    )  # fmt: skip


def _delete_post(user, perms, post) -> bool:
    if post.is_deleted:
        return False
    if POST_DELETE_ANY in perms or (perms and moderates(user, post.thread.board)):
        return True
    return POST_DELETE_OWN in perms and _own(user, post) and not post.thread.is_locked


def _view_hidden(user, perms, post) -> bool:
    return _own(user, post) or moderates(user, post.thread.board)


def _flag_post(user, perms, post) -> bool:
    if POST_FLAG not in perms or post.is_deleted or _own(user, post) or _muted(user):
        return False
    return not post.is_hidden or moderates(user, post.thread.board)


def _decide(user, perms, item) -> bool:
    """Deciding a queue item: global reviewers; board moderators only for their boards' items
    (items without a board — accounts, role requests — are for global reviewers)."""
    if MODERATION_REVIEW in perms:
        return True
    if not perms:
        return False
    if item.space_id is not None:  # a join request: the space's moderators
        return space_role(user, item.space_id) in ("moderator", "admin")
    return item.board_id is not None and moderates(user, item.board)


def _sanction(user, perms, target) -> bool:
    """Moderators sanction members; only admins sanction moderators; nobody sanctions an admin
    or themselves here."""
    if USER_SANCTION not in perms:
        return False
    if target is None:
        return True
    if target.id == user.id:
        return False
    target_perms = target.permissions
    if USER_MANAGE in target_perms:
        return False
    staff = (
        {MODERATION_REVIEW, THREAD_MODERATE} & target_perms or target.moderated_board_ids
        or target.moderated_space_ids
    )
    return not staff or USER_MANAGE in perms


def _review(user, perms, board) -> bool:
    """The review queue: global reviewers, or moderators of ``board`` (or of any board)."""
    if MODERATION_REVIEW in perms:
        return True
    if not perms:
        return False
    if board is None:
        return bool(user.moderated_board_ids or user.moderated_space_ids)
    return moderates(user, board)


def _read_post(user, perms, post) -> bool:
    """Whether ``user`` may read a post's text, wherever it appears: the thread page, its
    revisions, a quote, a fragment, an export. Hidden posts: their author and moderators;
    deleted ones: holders of ``post.view_deleted``."""
    if not _view_thread(user, perms, post.thread):
        return False
    if post.is_deleted:
        return POST_VIEW_DELETED in perms
    if post.is_hidden:
        return _view_hidden(user, perms, post)
    return True


def _view_revisions(user, perms, post) -> bool:
    """Edit history is public, as on Discourse — for whoever may read the post itself
    (redacted revisions are shown to nobody: see forum.actions.redact_revision)."""
    return _read_post(user, perms, post)


def _moderate_thread(user, perms, thread) -> bool:
    return moderates(user, thread.board)


def _manage_boards(user, perms, target) -> bool:
    """Site admins manage every board; a space's admins the boards of their space (``target``: a
    Board or a Space; without one, only site admins)."""
    if BOARD_MANAGE in perms:
        return True
    if target is None:
        return False
    is_board = hasattr(target, "audience")
    return manages_space(user, target.space_id if is_board else target.id)


def _manage_taxonomies(user, perms, _target) -> bool:
    return TAXONOMY_MANAGE in perms


def _attach(user, perms, thread) -> bool:
    """Adding files to a case, event or policy: whoever may edit its first post."""
    if thread.kind not in ATTACHABLE_KINDS or thread.is_deleted or _silenced(user):
        return False
    if ATTACHMENT_MANAGE in perms or (perms and moderates(user, thread.board)):
        return True
    return POST_EDIT_OWN in perms and getattr(user, "id", None) == thread.author_id


def _remove_attachment(user, perms, attachment) -> bool:
    """Removing a file: moderators of its board and holders of ``attachment.manage``; otherwise
    its uploader or the thread's author (both as long as they may edit their own posts)."""
    if attachment.deleted_at is not None:
        return False
    if ATTACHMENT_MANAGE in perms or (perms and moderates(user, attachment.thread.board)):
        return True
    if POST_EDIT_OWN not in perms or _silenced(user):
        return False
    me = getattr(user, "id", None)
    return me in (attachment.uploader_id, attachment.thread.author_id)


def _rsvp(user, perms, thread) -> bool:
    """Marking 参加予定 / 興味あり on an event: any signed-in, active member who may see it."""
    if not perms or thread.kind != "event" or thread.is_deleted:
        return False
    return _view_thread(user, perms, thread)


_RULES = {
    "board.view": _view_board,
    "thread.view": _view_thread,
    "thread.create": _create_thread,
    "thread.reply": _reply,
    "thread.moderate": _moderate_thread,
    "board.moderate": lambda user, perms, board: moderates(user, board),
    "post.edit": _edit_post,
    "post.delete": _delete_post,
    "post.read": _read_post,
    "post.revisions": _view_revisions,
    "board.manage": _manage_boards,
    "space.manage": lambda user, perms, space: manages_space(user, getattr(space, "id", None)),
    "space.moderate": lambda user, perms, space: (
        MODERATION_REVIEW in perms or space_role(user, space.id) in ("moderator", "admin")
    ),
    "taxonomy.manage": _manage_taxonomies,
    "post.view_hidden": _view_hidden,
    "post.flag": _flag_post,
    "moderation.review": _review,
    "moderation.manage": lambda user, perms, _t: MODERATION_MANAGE in perms,
    "user.sanction": _sanction,
    "moderation.decide": _decide,
    "audit.view": lambda user, perms, _t: AUDIT_VIEW in perms,
    "attachment.add": _attach,
    "attachment.remove": _remove_attachment,
    "event.rsvp": _rsvp,
    "directory.manage": lambda user, perms, _t: DIRECTORY_MANAGE in perms,
    **{f"thread.create.{kind}": _create_kind(kind) for kind in KIND_PERMISSIONS},
}
