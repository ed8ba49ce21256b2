"""The review queue: one list of items (flagged posts, held posts, later accounts and role
requests) with a state machine and optimistic locking.

pending → approved | rejected | ignored | deleted; nothing else. A decision names the version
it saw; the UPDATE only matches that version while the item is pending, so of two moderators
deciding at once exactly one wins and the other gets :class:`Conflict`.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import String, cast, func, or_, select, true, update
from sqlalchemy.orm import selectinload

from audit.log import record_action
from auth import spaces
from auth.models import User
from auth.permissions import MODERATION_REVIEW, can, has
from core.extensions import db
from core.params import MAX_AGE_HOURS, int_between
from core.types import utcnow
from forum import posting, publishing
from forum import queries as forum_queries
from forum.models import Board, Post
from moderation import actions, signals, verification
from moderation.models import (
    APPROVED,
    DELETED,
    IGNORED,
    ITEM_STATES,
    PENDING,
    REJECTED,
    Flag,
    HeldPost,
    ModerationItem,
    ModerationNote,
)

#: kind → action → resulting state
ACTIONS: dict[str, dict[str, str]] = {
    "flagged_post": {
        "agree_hide": APPROVED,
        "agree_delete": APPROVED,
        "agree_suspend": APPROVED,
        "disagree": REJECTED,
        "ignore": IGNORED,
        "delete": DELETED,
    },
    "held_post": {"approve": APPROVED, "reject": REJECTED, "delete": DELETED},
    "role_request": {"approve": APPROVED, "reject": REJECTED},
    "account": {"approve": APPROVED, "reject": REJECTED},
    "space_join": {"approve": APPROVED, "reject": REJECTED},
    "contact": {"resolve": APPROVED, "ignore": IGNORED},
    "flagged_message": {"disagree": REJECTED, "agree_hide": APPROVED, "ignore": IGNORED},
}


#: the three outcomes the queue page offers for a flagged post, in the order shown: nothing wrong
#: (the post stays, or is shown again), hide it, delete it. The other flag actions (``ignore``,
#: ``delete``, ``agree_suspend``) stay for the API; sanctioning the author is a separate step.
FLAG_OUTCOMES = ("disagree", "agree_hide", "agree_delete")
#: what the page offers for the other kinds (``held_post``'s ``delete`` stays for the API: it
#: does what ``reject`` does)
PAGE_ACTIONS: dict[str, tuple[str, ...]] = {
    "flagged_post": FLAG_OUTCOMES,
    "held_post": ("approve", "reject"),
    "role_request": ("approve", "reject"),
    "account": ("approve", "reject"),
    "space_join": ("approve", "reject"),
    "contact": ("resolve", "ignore"),
    "flagged_message": ("disagree", "agree_hide"),
}

#: score → priority: at least HIGH_PRIORITY is 高, at least MEDIUM_PRIORITY 中, else 低. Where the
#: score comes from: a flag adds its flagger's trust weight rounded, at least 1
#: (``flags.flag_post``, ``trust.flag_weight``: a moderator's flag 3, others at most 2); a flag
#: on a staff post or an announcement lifts the item above FLAG_PROTECTED_PRIORITY; a held post
#: 10 per reason; a role request 5; a new account 2; a join request 0.
HIGH_PRIORITY, MEDIUM_PRIORITY = 10, 3


def priority(item: ModerationItem) -> str:
    """``high`` / ``medium`` / ``low`` — the queue shows words, not the raw score."""
    if item.score >= HIGH_PRIORITY:
        return "high"
    return "medium" if item.score >= MEDIUM_PRIORITY else "low"


class Conflict(Exception):
    """The item was decided or changed since the moderator loaded it."""


class IllegalAction(ValueError):
    """The action does not exist for this kind of item."""


class Forbidden(Exception):
    """The moderator may not decide this item (its board, at decision time) or take this action
    (e.g. suspend a member they may not sanction)."""


class Outdated(Exception):
    """The item's target changed since it was queued, so the action would do something other
    than what the moderator saw (e.g. a held edit whose post was edited since, a held reply whose
    thread was deleted). ``message`` says what, in Japanese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def refile_thread_items(thread, board) -> None:
    """A thread moved: its pending items (flags on its posts, held replies and edits) now
    belong to the new board's moderators."""
    post_ids = select(Post.id).where(Post.thread_id == thread.id)
    held_ids = select(HeldPost.id).where(HeldPost.thread_id == thread.id)
    db.session.execute(
        update(ModerationItem)
        .where(
            ModerationItem.status == PENDING,
            ModerationItem.post_id.in_(post_ids) | ModerationItem.held_post_id.in_(held_ids),
        )
        .values(board_id=board.id)
        .execution_options(synchronize_session="fetch")
    )
    db.session.execute(
        update(HeldPost).where(HeldPost.thread_id == thread.id).values(board_id=board.id)
        .execution_options(synchronize_session="fetch")
    )  # fmt: skip


def check_current(item: ModerationItem, action: str) -> None:
    """Re-check an item's target at decision time. Raises :class:`Outdated`."""
    if item.kind != "held_post" or action != "approve":
        return
    held = item.held_post
    if held.thread is not None and held.thread.is_deleted:
        raise Outdated(
            _("このスレッドは削除されたため、保留中の投稿は公開できません。却下してください。")
        )
    if held.kind == "edit":
        post = db.session.get(Post, held.post_id)
        if post is None or post.is_deleted:
            raise Outdated(
                _("元の投稿が削除されたため、この編集は公開できません。却下してください。")
            )
        if held.base_version is not None and post.version != held.base_version:
            raise Outdated(_(
                "この編集が保留された後に、元の投稿が更新されています。承認すると新しい内容を"
                "上書きしてしまうため承認できません。却下して、投稿者に書き直しを依頼してください。"
            ))  # fmt: skip


def pending_item_for_post(post: Post) -> ModerationItem | None:
    return db.session.scalar(
        select(ModerationItem).where(
            ModerationItem.post_id == post.id,
            ModerationItem.kind == "flagged_post",
            ModerationItem.status == PENDING,
        )
    )


def open_flag_item(post: Post) -> ModerationItem:
    item = pending_item_for_post(post)
    if item is None:
        item = ModerationItem(
            kind="flagged_post", post_id=post.id, subject_user_id=post.author_id,
            board_id=post.thread.board_id, reasons=[], score=0,
        )  # fmt: skip
        db.session.add(item)
        db.session.flush()
        signals.queue(signals.item_opened, item_id=item.id)
    return item


def open_held_item(held: HeldPost, reasons: list[dict]) -> ModerationItem:
    item = ModerationItem(
        kind="held_post", held_post_id=held.id, post_id=held.post_id,
        subject_user_id=held.author_id, board_id=held.board_id, reasons=reasons,
        score=10 * len(reasons),
    )  # fmt: skip
    db.session.add(item)
    db.session.flush()
    signals.queue(signals.item_opened, item_id=item.id)
    return item


def open_join_item(space, user: User) -> ModerationItem:
    """A member asks to join a space whose join policy is approval: its moderators decide."""
    item = ModerationItem(kind="space_join", space_id=space.id, subject_user_id=user.id,
                          reasons=[])  # fmt: skip
    db.session.add(item)
    return item


def open_contact_item(reasons: list[dict], sender: User | None) -> ModerationItem:
    """A message to the secretariat (the contact form, ``pages.contact``): site-wide reviewers
    read it and mark it handled. ``reasons``: what needs care (e.g. personal information)."""
    item = ModerationItem(kind="contact", subject_user_id=sender.id if sender else None,
                          reasons=reasons, score=10 * len(reasons))  # fmt: skip
    db.session.add(item)
    db.session.flush()
    signals.queue(signals.item_opened, item_id=item.id)
    return item


def claim(item: ModerationItem, *, moderator: User) -> None:
    """Say "I am on it" so that others pick another item (a claim does not lock decisions)."""
    item.claimed_by_id = moderator.id


def add_note(item: ModerationItem, *, author: User, body: str) -> ModerationNote:
    note = ModerationNote(item_id=item.id, author_id=author.id, body=body.strip())
    db.session.add(note)
    return note


def decide(
    item: ModerationItem, *, moderator: User, action: str, version: int, reason: str = ""
) -> ModerationItem:
    """Apply a moderator's decision: the one path of the web queue and the API. Raises
    Forbidden, IllegalAction, Outdated or Conflict; the caller commits."""
    if not can(moderator, "moderation.review") or not can(moderator, "moderation.decide", item):
        raise Forbidden(item.id)
    new_status = ACTIONS.get(item.kind, {}).get(action)
    if new_status is None:
        raise IllegalAction(action)
    if action == "agree_suspend" and not can(moderator, "user.sanction", item.subject_user):
        raise Forbidden(item.id)
    check_current(item, action)
    result = db.session.execute(
        update(ModerationItem)
        .where(
            ModerationItem.id == item.id,
            ModerationItem.version == version,
            ModerationItem.status == PENDING,
        )
        .values(
            status=new_status,
            version=ModerationItem.version + 1,
            decision=action,
            decision_reason=reason,
            decided_by_id=moderator.id,
            decided_at=utcnow(),
        )  # fmt: skip
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(item.id)
    db.session.refresh(item)
    _EFFECTS[item.kind](item, action, moderator, reason)
    signals.queue(signals.item_decided, item_id=item.id, action=action)
    record_action(moderator, f"queue.{action}", "moderation_item", item.id, reason=reason,
                  after={"status": new_status, "kind": item.kind})  # fmt: skip
    return item


def _flag_effects(item: ModerationItem, action: str, moderator: User, reason: str) -> None:
    post = item.post
    outcome = {"disagree": "disagreed", "ignore": "ignored"}.get(action, "agreed")
    db.session.execute(
        update(Flag).where(Flag.post_id == post.id, Flag.outcome.is_(None)).values(outcome=outcome)
    )
    if action == "agree_hide":
        actions.hide_post(post, actor=moderator, reason=reason)
    elif action in ("agree_delete", "delete"):
        actions.delete_post(post, actor=moderator, reason=reason)
    elif action == "agree_suspend":
        actions.hide_post(post, actor=moderator, reason=reason)
        actions.suspend_user(post.author, actor=moderator, until=None, reason=reason)
    else:  # disagree, ignore: the post is shown again
        actions.restore_post(post, actor=moderator, reason=reason)


def _held_effects(item: ModerationItem, action: str, moderator: User, reason: str) -> None:
    if action != "approve":
        return
    held = item.held_post
    draft = publishing.Draft(
        author=held.author, board=held.board, body=held.body_source, title=held.title,
        thread=held.thread, post=db.session.get(Post, held.post_id) if held.post_id else None,
        thread_kind=held.thread_kind, details=held.details, base_version=held.base_version,
    )  # fmt: skip
    try:
        outcome = publishing.publish_held(draft)
    except posting.StaleEdit:  # edited between the check above and this write
        raise Outdated(_("元の投稿が同時に更新されました。もう一度確認してください。")) from None
    if held.kind == "edit" and draft.post is not None and draft.post.is_hidden:
        actions.restore_post(draft.post, actor=moderator, reason=reason)  # re-review passed
    if outcome.post is not None:
        held.published_post_id = outcome.post.id
    elif outcome.thread is not None:
        first = db.session.scalar(
            select(Post.id).where(Post.thread_id == outcome.thread.id, Post.number == 1)
        )
        held.published_post_id = first


def _role_effects(item: ModerationItem, action: str, moderator: User, reason: str) -> None:
    if action == "approve":
        verification.grant_role(item.role_request, actor=moderator, reason=reason)
    else:
        verification.reject_role(item.role_request, actor=moderator, reason=reason)


def _account_effects(item: ModerationItem, action: str, moderator: User, reason: str) -> None:
    if action == "approve":
        verification.approve_account(item.subject_user, actor=moderator, reason=reason)
    else:
        verification.reject_account(item.subject_user, actor=moderator, reason=reason)


def _join_effects(item: ModerationItem, action: str, moderator: User, reason: str) -> None:
    if action == "approve":
        spaces.approve(item.space_id, item.subject_user)
    else:
        spaces.reject(item.space_id, item.subject_user)


def _contact_effects(item: ModerationItem, action: str, moderator: User, reason: str) -> None:
    """Answering happens by mail; the decision records that the message was handled."""


def _message_effects(item: ModerationItem, action: str, moderator: User, reason: str) -> None:
    if _message_effect is not None:
        _message_effect(item, action, moderator, reason)


#: set by ``moderation.messages`` (which builds on this module): a decision on a flagged message
_message_effect = None


def set_message_effect(effect) -> None:
    global _message_effect
    _message_effect = effect


_EFFECTS = {
    "account": _account_effects,
    "flagged_message": _message_effects,
    "contact": _contact_effects,
    "space_join": _join_effects,
    "flagged_post": _flag_effects,
    "held_post": _held_effects,
    "role_request": _role_effects,
}


def filters_from(args, viewer) -> tuple[dict, Board | None, str | None]:
    """The queue's filters from a request's query (``status``, ``kind``, ``board``, ``reason``,
    ``older_than``), scoped to what ``viewer`` reviews — the one reading of them for the page
    and the API. Returns the keyword arguments of :func:`list_queue` and the name of the first
    malformed parameter (the page then shows the default, the API answers 400)."""
    bad = None
    status = args.get("status", PENDING)
    if status not in ITEM_STATES:
        status, bad = PENDING, bad or "status"
    reason = args.get("reason") or None
    if reason and not reason.replace("_", "").isalnum():
        reason, bad = None, bad or "reason"
    slug = args.get("board")
    board = forum_queries.get_board(slug) if slug else None
    reviews_all = has(viewer, MODERATION_REVIEW)
    return {
        "status": status, "kind": args.get("kind") or None, "reason": reason,
        "board_ids": None if reviews_all else reviewed_board_ids(viewer),
        "space_ids": None if reviews_all else viewer.moderated_space_ids,
        "board_id": board.id if board else None,
        "older_than_hours": args.get("older_than", type=int_between(0, MAX_AGE_HOURS)),
    }, board, bad  # fmt: skip


def pending_count(viewer) -> int:
    """How many pending items ``viewer`` reviews (the header's 「確認待ち（N）」)."""
    if has(viewer, MODERATION_REVIEW):
        scope = true()
    else:
        scope = or_(ModerationItem.board_id.in_(reviewed_board_ids(viewer)),
                    ModerationItem.space_id.in_(viewer.moderated_space_ids or ()))  # fmt: skip
    return db.session.scalar(
        select(func.count(ModerationItem.id)).where(ModerationItem.status == PENDING, scope)
    )


def reviewed_board_ids(viewer) -> frozenset[int]:
    """The boards a board or space moderator reviews: their boards and their spaces' boards."""
    spaced = viewer.moderated_space_ids
    in_spaces = (
        db.session.scalars(select(Board.id).where(Board.space_id.in_(spaced))).all()
        if spaced else ()
    )  # fmt: skip
    return frozenset(viewer.moderated_board_ids) | frozenset(in_spaces)


def list_queue(
    *, status: str = PENDING, kind: str | None = None, board_ids: frozenset[int] | None = None,
    space_ids: frozenset[int] | None = None, board_id: int | None = None, reason: str | None = None, older_than_hours: int | None = None,
    limit: int = 50,
) -> list[ModerationItem]:  # fmt: skip
    """Highest score first, then oldest. ``board_ids`` limits to a board moderator's boards;
    ``board_id``, ``reason`` (a flag reason or hold code) and ``older_than_hours`` filter."""
    query = (
        select(ModerationItem)
        .where(ModerationItem.status == status)
        .order_by(ModerationItem.score.desc(), ModerationItem.created_at, ModerationItem.id)
        .limit(limit)
        .options(
            selectinload(ModerationItem.post),
            selectinload(ModerationItem.held_post),
            selectinload(ModerationItem.message),
            selectinload(ModerationItem.board),
            selectinload(ModerationItem.space),
            # the author's role (its permissions: auth.role_cache) and boards decide which
            # actions are offered
            selectinload(ModerationItem.subject_user).joinedload(User.role),
            selectinload(ModerationItem.subject_user).selectinload(User.board_moderations),
            selectinload(ModerationItem.subject_user).selectinload(User.space_memberships),
            selectinload(ModerationItem.claimed_by),
            selectinload(ModerationItem.notes),
        )
    )
    if kind:
        query = query.where(ModerationItem.kind == kind)
    if board_ids is not None:  # a board or space moderator: their boards, their spaces' requests
        query = query.where(or_(ModerationItem.board_id.in_(board_ids),
                                ModerationItem.space_id.in_(space_ids or ())))  # fmt: skip
    if board_id is not None:
        query = query.where(ModerationItem.board_id == board_id)
    if reason:
        # reasons is JSON: a list of flag codes, or of {"code": …} for held posts
        query = query.where(cast(ModerationItem.reasons, String).like(f'%"{reason}"%'))
    if older_than_hours:
        query = query.where(
            ModerationItem.created_at <= utcnow() - timedelta(hours=older_than_hours)
        )
    return list(db.session.scalars(query))
