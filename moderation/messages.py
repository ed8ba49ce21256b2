"""Moderation of private conversations: the same screening as posts (watched words and the
personal-information guard of ``moderation.holds``), flags on a message, what a moderator sees
of a flagged message (it and its immediate context), and opening a whole conversation — only
with a recorded reason, written to the audit log.

A message cannot wait for review before its participants see it; what would hold a post
(a "require_approval" word, confirmed personal information, a "flag" word) sends the message
and reports it to the queue (:func:`report_message`).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from audit.log import record_action
from auth.models import User
from auth.permissions import MODERATION_REVIEW, has
from conversations import queries as conversation_queries
from conversations import screening, service
from conversations.models import Conversation, ConversationMessage
from core.extensions import db
from core.types import utcnow
from forum.publishing import CONFIRM, HOLD, Concern
from moderation import holds, queue, signals
from moderation.flags import FlagRefused
from moderation.models import PENDING, MessageFlag, ModerationItem

#: the flag reasons a participant may give on a message
MESSAGE_FLAG_REASONS = ("spam", "inappropriate", "personal_info", "other")
#: the score of a message reported by screening (a held post scores 10 per reason)
SCREENED_SCORE = 10


def _fields(body: str) -> list[tuple[str, str]]:
    return [("body", body)] if body else []


def screen_message(author: User, body: str) -> list[Concern]:
    """The posts' watched-word and personal-information checks, on a message."""
    staff = has(author, MODERATION_REVIEW)
    return [
        *holds.watched_word_concerns(_fields(body), exempt=staff),
        *holds.personal_info_concerns(author, _fields(body), staff=staff),
    ]


def censor_message(_author: User, body: str) -> str:
    return holds.censor_text(body)


def report_message(message: ConversationMessage, concerns: list[Concern]) -> None:
    """After sending: what would have held a post, and "flag" words, open a queue item."""
    reasons = sorted({c.code for c in concerns if c.action in (HOLD, CONFIRM)})
    if holds.has_flag_words(_fields(message.body_source)):
        reasons = sorted({*reasons, "watched_word"})
    if not reasons:
        return
    item = open_message_item(message)
    item.reasons = sorted({*item.reasons, *reasons})
    item.score += SCREENED_SCORE


def install() -> None:
    screening.add_rewriter(censor_message)
    screening.add_screen(screen_message)
    screening.add_after_send(report_message)
    queue.set_message_effect(message_effects)


# --- flags -----------------------------------------------------------------------------------


def open_message_item(message: ConversationMessage) -> ModerationItem:
    item = db.session.scalar(
        select(ModerationItem).where(
            ModerationItem.message_id == message.id,
            ModerationItem.kind == "flagged_message",
            ModerationItem.status == PENDING,
        )
    )
    if item is None:
        item = ModerationItem(kind="flagged_message", message_id=message.id,
                              subject_user_id=message.author_id, reasons=[], score=0)  # fmt: skip
        db.session.add(item)
        db.session.flush()
        signals.queue(signals.item_opened, item_id=item.id)
    return item


def flag_message(message: ConversationMessage, *, user: User, reason: str,
                 note: str = "") -> MessageFlag:  # fmt: skip
    """A participant reports a message (not their own; once; within the daily flag cap). It goes
    to the site-wide reviewers' queue; the caller commits."""
    note = (note or "").strip()
    if service.participant(message.conversation_id, user) is None:
        raise FlagRefused("not_found", _("メッセージが見つかりません。"))
    if reason not in MESSAGE_FLAG_REASONS:
        raise FlagRefused("bad_reason", _("通報の理由を選んでください。"))
    if reason == "other" and not note:
        raise FlagRefused("message_required", _("「その他」の場合は内容を書いてください。"))
    if message.author_id == user.id:
        raise FlagRefused("own_post", _("自分のメッセージは通報できません。"))
    if db.session.scalar(select(MessageFlag.id).where(MessageFlag.message_id == message.id,
                                                      MessageFlag.user_id == user.id)):  # fmt: skip
        raise FlagRefused("already_flagged", _("このメッセージはすでに通報済みです。"))
    since = utcnow() - timedelta(days=1)
    today = db.session.scalar(
        select(func.count(MessageFlag.id)).where(MessageFlag.user_id == user.id,
                                                 MessageFlag.created_at >= since)
    )  # fmt: skip
    if today >= current_app.config["MODERATION_FLAGS_PER_DAY"]:
        raise FlagRefused(
            "daily_cap", _("1日に通報できる件数の上限に達しました。明日またお試しください。")
        )
    flag = MessageFlag(message_id=message.id, user_id=user.id, reason=reason, message=note)
    db.session.add(flag)
    db.session.flush()
    item = open_message_item(message)
    item.reasons = sorted({*item.reasons, reason})
    item.score += 1
    return flag


def message_effects(item: ModerationItem, action: str, moderator: User, reason: str) -> None:
    """A decision on a flagged message: hide it (participants see that it was hidden) or leave
    it; the flags record the outcome."""
    message = item.message
    if message is None:
        return
    outcome = {"disagree": "disagreed", "ignore": "ignored"}.get(action, "agreed")
    for flag in db.session.scalars(
        select(MessageFlag).where(
            MessageFlag.message_id == message.id, MessageFlag.outcome.is_(None)
        )
    ):
        flag.outcome = outcome
    if action == "agree_hide":
        message.hidden_at = utcnow()
        record_action(moderator, "message.hide", "conversation_message", message.id, reason=reason)
    elif message.hidden_at is not None:
        message.hidden_at = None
        record_action(moderator, "message.restore", "conversation_message", message.id,
                      reason=reason)  # fmt: skip


# --- what moderators see ---------------------------------------------------------------------


def may_review_messages(user) -> bool:
    """Flagged messages are for site-wide reviewers only (a conversation has no board)."""
    return bool(getattr(user, "is_authenticated", False)) and has(user, MODERATION_REVIEW)


def flagged_context(item: ModerationItem) -> tuple:
    """The flagged message with the one before and the one after it — all a moderator sees of
    a conversation without opening it."""
    message = item.message
    if message is None:
        return None, None, None
    before, after = conversation_queries.context_of(message)
    return before, message, after


class ReasonRequired(ValueError):
    pass


def open_conversation(conversation: Conversation, *, moderator: User, reason: str,
                      item: ModerationItem | None = None) -> list[ConversationMessage]:  # fmt: skip
    """A reviewer reads a whole conversation: only with a reason, recorded in the audit log
    (who, which conversation, why, from which queue item). The caller commits."""
    if not may_review_messages(moderator):
        raise PermissionError(conversation.id)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ReasonRequired(_("会話全体を開く理由を5文字以上で書いてください。"))
    record_action(moderator, "conversation.open", "conversation", conversation.id,
                  reason=reason[:1000], after={"item_id": item.id if item else None})  # fmt: skip
    return conversation_queries.messages(conversation, after=0, limit=1000)
