"""Turning one job (a forum or moderation event) into notifications. Each handler returns the
ids of the users whose unread count changed (for the live badge)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete, exists, select

from audit.models import AuditEntry
from auth import posting_rights
from auth.models import BoardModerator, Role, RolePermission, User
from auth.permissions import MODERATION_REVIEW, can
from conversations import service as conversation_service
from core.extensions import db
from forum.models import Post, Thread
from moderation.models import Flag, ModerationItem
from notifications import kinds, reading
from notifications.fanout import (
    Source,
    deliver,
    deliver_plan,
    load_users,
    may_see,
    plan_mentions,
    plan_post,
)
from notifications.models import Notification, NotificationJob
from notifications.watching import auto_watch, settings_for


def _post(post_id: int | None) -> Post | None:
    return db.session.get(Post, post_id) if post_id else None


def on_thread_created(job: NotificationJob) -> list[int]:
    thread = db.session.get(Thread, job.payload["thread_id"])
    if thread is None:
        return []
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 1))
    if post is None:
        return []
    auto_watch(post.author_id, thread.id, settings_for(post.author_id).auto_watch_start)
    reading.mark_read_up_to(post.author_id, thread, post.number)
    db.session.flush()
    return deliver_plan(plan_post(post, new_thread=True), post=post, thread=thread,
                        actor_id=post.author_id)  # fmt: skip


def on_post_created(job: NotificationJob) -> list[int]:
    post = _post(job.payload["post_id"])
    if post is None:
        return []
    auto_watch(post.author_id, post.thread_id, settings_for(post.author_id).auto_watch_reply)
    reading.mark_read_up_to(post.author_id, post.thread, post.number)
    db.session.flush()
    return deliver_plan(plan_post(post, new_thread=False), post=post, thread=post.thread,
                        actor_id=post.author_id)  # fmt: skip


def on_post_edited(job: NotificationJob) -> list[int]:
    post = _post(job.payload["post_id"])
    if post is None or post.is_deleted:
        return []
    return deliver_plan(plan_mentions(post), post=post, thread=post.thread,
                        actor_id=post.author_id)  # fmt: skip


def on_post_gone(job: NotificationJob) -> list[int]:
    """A deleted or hidden post: unread notifications that point only at it disappear for
    those who can no longer see it (the e-mail path checks again before sending anyway); the
    author hears of a hide."""
    post = _post(job.payload["post_id"])
    if post is None:
        return []
    rows = db.session.execute(
        select(Notification.id, Notification.user_id).where(
            Notification.post_id == post.id,
            Notification.last_source_id == post.id,
            Notification.read_at.is_(None),
            Notification.kind.in_(POST_KINDS),
        )
    ).all()
    closed = post.thread.board.audience != "public"
    users = {u.id: u for u in load_users({user_id for _id, user_id in rows}, spaces=closed)}
    gone = [(nid, uid) for nid, uid in rows
            if uid not in users or not may_see(users[uid], post, post.thread)]  # fmt: skip
    if gone:
        db.session.execute(
            delete(Notification)
            .where(Notification.id.in_([nid for nid, _uid in gone]))
            .execution_options(synchronize_session=False)
        )
    notified = [uid for _nid, uid in gone]
    if job.event == "post_hidden" and post.is_hidden:
        notified += _moderation_to_author(post, "hidden")
    return notified


POST_KINDS = (kinds.MENTIONED, kinds.QUOTED, kinds.REPLIED, kinds.POSTED, kinds.NEW_THREAD)


def _moderation_to_author(post: Post, action: str, **data) -> list[int]:
    source = Source(
        collapse_key=f"moderation:post:{post.id}:{action}", source_id=post.id,
        thread=post.thread, post=post if action not in ("deleted",) else None,
        data={"action": action, **data},
    )  # fmt: skip
    # The author may see their own hidden post; a deleted one is not linked.
    return deliver(kinds.MODERATION, [post.author_id], source)


def on_item_opened(job: NotificationJob) -> list[int]:
    item = db.session.get(ModerationItem, job.payload["item_id"])
    if item is None:
        return []
    notified = []
    if item.kind == "held_post" and item.held_post is not None:
        held = item.held_post
        source = Source(
            collapse_key=f"moderation:held:{item.id}", source_id=item.id, thread=held.thread,
            data={"action": "held", "held_id": held.id,
                  "title": held.title or (held.thread.title if held.thread else "")},
        )  # fmt: skip
        notified += deliver(kinds.MODERATION, [held.author_id], source)
    # the moderators who may decide it: global reviewers and the board's moderators
    reviewers = select(User.id).where(
        User.role_id.in_(
            select(RolePermission.role_id).where(RolePermission.permission == MODERATION_REVIEW)
        )
    )
    ids = set(db.session.scalars(reviewers))
    if item.board_id is not None:
        ids |= set(
            db.session.scalars(
                select(BoardModerator.user_id).where(BoardModerator.board_id == item.board_id)
            )
        )
    deciders = [u.id for u in db.session.scalars(select(User).where(User.id.in_(ids)))
                if u.is_active and can(u, "moderation.decide", item)]  # fmt: skip
    source = Source(
        collapse_key=f"queue:{item.board_id or 'site'}", source_id=item.id,
        data={"board_id": item.board_id, "item_kind": item.kind},
        actor_id=item.subject_user_id if item.kind == "held_post" else None,
    )  # fmt: skip
    notified += deliver(kinds.QUEUE_ITEM, deciders, source)
    return notified


FLAG_OUTCOMES = {"agreed", "disagreed", "ignored"}


def on_item_decided(job: NotificationJob) -> list[int]:
    item = db.session.get(ModerationItem, job.payload["item_id"])
    action = job.payload.get("action", "")
    if item is None:
        return []
    notified: list[int] = []
    if item.kind == "held_post" and item.held_post is not None:
        held = item.held_post
        approved = action == "approve"
        post = _post(held.published_post_id) if approved else None
        source = Source(
            collapse_key=f"moderation:held:{item.id}:{action}", source_id=item.id,
            thread=post.thread if post is not None else None, post=post,
            data={"action": "approved" if approved else "rejected", "held_id": held.id,
                  "title": held.title or (held.thread.title if held.thread else ""),
                  "reason": item.decision_reason or ""},
        )  # fmt: skip
        notified += deliver(kinds.MODERATION, [held.author_id], source)
    elif item.kind == "flagged_post" and item.post is not None:
        post = item.post
        if action in ("agree_hide", "agree_suspend"):
            notified += _moderation_to_author(post, "hidden", reason=item.decision_reason or "")
        elif action in ("agree_delete", "delete"):
            notified += _moderation_to_author(post, "deleted", reason=item.decision_reason or "")
        elif not post.is_hidden and db.session.scalar(
            select(exists().where(AuditEntry.action == "post.hide",
                                  AuditEntry.target_id == post.id))
        ):  # fmt: skip
            notified += _moderation_to_author(post, "restored")
        flaggers = db.session.execute(
            select(Flag.user_id, Flag.outcome).where(Flag.post_id == post.id)
        ).all()
        by_outcome: dict[str, list[int]] = {}
        for user_id, outcome in flaggers:
            if outcome in FLAG_OUTCOMES:
                by_outcome.setdefault(outcome, []).append(user_id)
        for outcome, user_ids in by_outcome.items():
            source = Source(
                collapse_key=f"moderation:flag:{item.id}", source_id=item.id,
                thread=post.thread, data={"action": f"flag_{outcome}"},
            )  # fmt: skip
            notified += deliver(kinds.MODERATION, user_ids, source)
    return notified


def on_verification_decided(job: NotificationJob) -> list[int]:
    """The member is told the outcome; an approved role also says what it unlocked (the kinds
    it may start that a plain member may not: 「イベント・取組事例を登録できるようになりました」)."""
    outcome, slug = job.payload.get("outcome"), job.payload.get("role")
    data = {"outcome": outcome, "role": slug}
    role = db.session.scalar(select(Role).where(Role.slug == slug)) if slug else None
    if role is not None:
        data["role_name"] = role.name
        if outcome == "approved":
            data["unlocked"] = posting_rights.kinds_of_role(role)
    source = Source(collapse_key=f"verification:{job.id}", source_id=job.id, data=data)
    user_id = job.payload.get("user_id")
    user = db.session.get(User, user_id) if user_id else None
    if user is None:
        return []
    return deliver(kinds.VERIFICATION, [user.id], source)


def on_message_sent(job: NotificationJob) -> list[int]:
    """A new message (or an invitation): its conversation's active participants other than the
    sender are told, one unread row per conversation that counts up. Only participants: the
    job carries who they were when it was sent, and each is checked again now (someone who
    left meanwhile is told nothing)."""
    payload = job.payload
    conversation_id = payload["conversation_id"]
    still_in = set(conversation_service.active_ids(conversation_id))
    recipients = [uid for uid in payload.get("recipient_ids", []) if uid in still_in]
    source = Source(
        collapse_key=f"message:{conversation_id}", source_id=payload["message_id"],
        actor_id=payload.get("author_id"),
        data={"conversation_id": conversation_id, "invited": bool(payload.get("invited"))},
    )  # fmt: skip
    return deliver(kinds.MESSAGE, recipients, source)


HANDLERS: dict[str, Callable[[NotificationJob], list[int]]] = {
    "thread_created": on_thread_created,
    "post_created": on_post_created,
    "post_edited": on_post_edited,
    "post_deleted": on_post_gone,
    "post_hidden": on_post_gone,
    "item_opened": on_item_opened,
    "item_decided": on_item_decided,
    "verification_decided": on_verification_decided,
    "message_sent": on_message_sent,
}
