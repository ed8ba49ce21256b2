"""Flagging posts, and hiding them automatically when enough trusted people agree."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from auth.models import User
from auth.permissions import moderates
from core.extensions import db
from core.types import utcnow
from forum.models import Post
from moderation import actions, queue, trust
from moderation.models import FLAG_REASONS, Flag


class FlagRefused(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def flag_post(post: Post, *, user: User, reason: str, message: str = "") -> Flag:
    """Record a flag (one per user per post, a daily cap per user) and queue the post; hide it
    when the open flags' trust weights (``trust.flag_weight``) add up to FLAG_HIDE_WEIGHT — a
    moderator's flag at once. Other people's flags never hide posts by staff and official
    announcements (``trust.never_auto_hidden``): those go to the top of the queue. The caller commits."""
    message = (message or "").strip()
    if reason not in FLAG_REASONS:
        raise FlagRefused("bad_reason", _("通報の理由を選んでください。"))
    if reason == "other" and not message:
        raise FlagRefused("message_required", _("「その他」の場合は内容を書いてください。"))
    if post.author_id == user.id:
        raise FlagRefused("own_post", _("自分の投稿は通報できません。"))
    if db.session.scalar(select(Flag.id).where(Flag.post_id == post.id, Flag.user_id == user.id)):
        raise FlagRefused("already_flagged", _("この投稿はすでに通報済みです。"))
    since = utcnow() - timedelta(days=1)
    today = db.session.scalar(
        select(func.count(Flag.id)).where(Flag.user_id == user.id, Flag.created_at >= since)
    )
    if today >= current_app.config["MODERATION_FLAGS_PER_DAY"]:
        raise FlagRefused(
            "daily_cap", _("1日に通報できる件数の上限に達しました。明日またお試しください。")
        )
    weight = trust.flag_weight(user, post.thread.board)
    flag = Flag(post_id=post.id, user_id=user.id, reason=reason, message=message, weight=weight)
    db.session.add(flag)
    db.session.flush()

    item = queue.open_flag_item(post)
    item.reasons = sorted({*item.reasons, reason})
    by_moderator = moderates(user, post.thread.board)
    if not by_moderator and trust.never_auto_hidden(post):
        # staff posts and announcements: flags alone never hide them; top of the queue instead
        item.score = max(item.score, current_app.config["FLAG_PROTECTED_PRIORITY"]) + 1
        return flag
    item.score += max(1, round(weight))  # one point per flagger, more for weighty ones
    flaggers, total = db.session.execute(
        select(func.count(Flag.id), func.coalesce(func.sum(Flag.weight), 0.0)).where(
            Flag.post_id == post.id, Flag.outcome.is_(None)
        )
    ).one()
    if by_moderator or total >= current_app.config["FLAG_HIDE_WEIGHT"] - 1e-9:
        actions.hide_post(
            post, actor=user if by_moderator else None,
            reason=_("%(n)s人からの通報により、確認まで非表示にしました。", n=flaggers),
        )  # fmt: skip
    return flag
