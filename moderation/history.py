"""An author's moderation history, shown beside each queue item (bulk-loaded per page)."""

from __future__ import annotations

from collections.abc import Iterable

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from auth.permissions import can
from core.extensions import db
from forum.models import Post
from moderation.forms import flag_reason_choices
from moderation.models import APPROVED, Flag, HeldPost, ModerationItem


def author_histories(items: Iterable[ModerationItem]) -> dict[int, dict[str, int]]:
    """user id → {"items": earlier queue items, "upheld": items decided against them}."""
    user_ids = {i.subject_user_id for i in items if i.subject_user_id}
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(
            ModerationItem.subject_user_id,
            func.count(ModerationItem.id),
            func.count(ModerationItem.id).filter(ModerationItem.status == APPROVED),
        )
        .where(ModerationItem.subject_user_id.in_(user_ids))
        .group_by(ModerationItem.subject_user_id)
    )
    return {uid: {"items": total, "upheld": upheld} for uid, total, upheld in rows}


def hidden_reasons_for(view) -> dict[int, str]:
    """Thread-page contributor: why each hidden post on the page is hidden, for those who may
    see it (its author, moderators) — one statement for the page, none when nothing is hidden."""
    shown = [p for p in view.posts
             if p.is_hidden and not p.is_deleted and can(view.viewer, "post.view_hidden", p)]  # fmt: skip
    if not shown:
        return {}
    latest = (
        select(func.max(ModerationItem.id))
        .where(ModerationItem.post_id.in_([p.id for p in shown]),
               ModerationItem.kind == "flagged_post")
        .group_by(ModerationItem.post_id)
    )  # fmt: skip
    items = db.session.scalars(select(ModerationItem).where(ModerationItem.id.in_(latest)))
    return {item.post_id: _reason(item) for item in items}


def _reason(item: ModerationItem) -> str:
    if item.decision_reason:
        return item.decision_reason
    labels = {c.value: str(c.label) for c in flag_reason_choices()}
    return "、".join(labels.get(code, code) for code in item.reasons if isinstance(code, str))


def held_posts_of(user_id: int, limit: int = 50) -> list[tuple[HeldPost, ModerationItem]]:
    """A member's posts that were held for review, newest first, with their queue item."""
    return list(db.session.execute(
        select(HeldPost, ModerationItem)
        .join(ModerationItem, ModerationItem.held_post_id == HeldPost.id)
        .where(HeldPost.author_id == user_id)
        .order_by(HeldPost.id.desc()).limit(limit)
        .options(selectinload(HeldPost.thread))
    ).tuples())  # fmt: skip


def held_post_of(user_id: int, held_id: int) -> tuple[HeldPost, ModerationItem] | None:
    """One of a member's held posts with its queue item (None: not theirs, or no such post)."""
    row = db.session.execute(
        select(HeldPost, ModerationItem)
        .join(ModerationItem, ModerationItem.held_post_id == HeldPost.id)
        .where(HeldPost.id == held_id, HeldPost.author_id == user_id)
        .order_by(ModerationItem.id.desc()).limit(1)
    ).first()  # fmt: skip
    return None if row is None else (row[0], row[1])


def held_page_url(outcome) -> str | None:
    """``forum.publishing``'s held page: the author's 「確認待ち」 page of what they just sent."""
    item = outcome.held
    held_id = getattr(item, "held_post_id", None)
    return url_for("moderation.held_post", held_id=held_id) if held_id else None


def flags_of(user_id: int, limit: int = 50) -> list[Flag]:
    """A member's flags, newest first, with the flagged post and its thread."""
    return list(db.session.scalars(
        select(Flag).where(Flag.user_id == user_id).order_by(Flag.id.desc()).limit(limit)
        .options(selectinload(Flag.post).selectinload(Post.thread))
    ))  # fmt: skip


def open_flags_by_post(items: Iterable[ModerationItem]) -> dict[int, list[Flag]]:
    """The undecided flags of the flagged posts on a queue page (one query), for the reasons and
    messages that flaggers wrote."""
    post_ids = {i.post_id for i in items if i.kind == "flagged_post" and i.post_id}
    if not post_ids:
        return {}
    grouped: dict[int, list[Flag]] = {}
    for flag in db.session.scalars(
        select(Flag).where(Flag.post_id.in_(post_ids)).order_by(Flag.id)
    ):
        grouped.setdefault(flag.post_id, []).append(flag)
    return grouped
