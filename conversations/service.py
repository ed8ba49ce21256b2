"""Private conversations: start, send, invite, leave, read. The one path of the web pages, the
API and other packages (the partnership offers call :func:`start_conversation`). Each function
checks permission, validates, screens (``conversations.screening``), writes and queues events
for after the commit; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, exists, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from auth.models import User
from auth.permissions import POST_CREATE, _silenced, _unconfirmed, can, has
from conversations import screening, signals
from conversations.models import Conversation, ConversationMessage, ConversationParticipant
from core.extensions import db
from core.types import utcnow
from forum.models import Post, Thread
from forum.publishing import CONFIRM, REFUSE, Concern
from forum.rendering import RENDERER_VERSION, render_markdown

MAX_BODY = 10_000
MAX_SUBJECT = 120


@dataclass
class Outcome:
    """``status``: ``sent`` | ``needs_confirmation`` (``concerns`` to show) | ``refused``
    (``concerns``) | ``invalid`` (``errors`` by field) | ``forbidden`` (``message``)."""

    status: str
    conversation: Conversation | None = None
    message: ConversationMessage | None = None
    concerns: list[Concern] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    text: str = ""

    @property
    def saved(self) -> bool:
        return self.status == "sent"


class Refused(Exception):
    """An invite or a leave that cannot be done; ``message`` says why, in Japanese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


# --- who ------------------------------------------------------------------------------------


def may_write(user) -> bool:
    """Signed in, active, e-mail confirmed, not silenced, allowed to post at all."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and has(user, POST_CREATE)
        and not _silenced(user) and not _unconfirmed(user)
    )  # fmt: skip


def is_new_account(user: User) -> bool:
    """The site's one notion of a new account (``MODERATION_NEW_ACCOUNT_DAYS``); a verified role
    (a badge) or staff is never new."""
    if user.role.badge or has(user, "thread.moderate"):
        return False
    days = current_app.config["MODERATION_NEW_ACCOUNT_DAYS"]
    return utcnow() - user.created_at < timedelta(days=days)


def is_stranger(user: User, other: User) -> bool:
    """Whether ``user`` and ``other`` have nothing in common yet: not the same organisation
    (directory), never both written in one thread, never in one conversation together."""
    if user.organization_id is not None and user.organization_id == other.organization_id:
        return False
    mine, theirs = aliased(ConversationParticipant), aliased(ConversationParticipant)
    together = select(mine.conversation_id).join(
        theirs, theirs.conversation_id == mine.conversation_id
    ).where(mine.user_id == user.id, theirs.user_id == other.id)  # fmt: skip
    if db.session.scalar(select(exists(together))):
        return False
    a, b = aliased(Post), aliased(Post)
    shared = select(a.id).join(b, b.thread_id == a.thread_id).where(
        a.author_id == user.id, b.author_id == other.id, a.deleted_at.is_(None),
        b.deleted_at.is_(None),
    )  # fmt: skip
    return not db.session.scalar(select(exists(shared)))


def may_view_thread(user, thread: Thread) -> bool:
    return can(user, "thread.view", thread)


def max_participants() -> int:
    return current_app.config["CONVERSATION_MAX_PARTICIPANTS"]


def participant(conversation_id: int, user) -> ConversationParticipant | None:
    """The user's active participation, or None (then the conversation does not exist for
    them: pages answer 404)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(ConversationParticipant).where(
            ConversationParticipant.conversation_id == conversation_id,
            ConversationParticipant.user_id == user.id,
            ConversationParticipant.left_at.is_(None),
        )
    )


def get_for(user, conversation_id: int) -> Conversation | None:
    """The conversation if ``user`` takes part in it, else None."""
    mine = participant(conversation_id, user)
    return mine.conversation if mine is not None else None


def active_ids(conversation_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(ConversationParticipant.user_id).where(
                ConversationParticipant.conversation_id == conversation_id,
                ConversationParticipant.left_at.is_(None),
            )
        )
    )


def users_by_handle(handles: list[str]) -> tuple[list[User], list[str]]:
    """The accounts named, and the names that match none (one statement)."""
    if not handles:
        return [], []
    found = {
        u.handle.lower(): u
        for u in db.session.scalars(
            select(User).where(User.handle.in_(handles), User.erased_at.is_(None))
        )
    }
    return [found[h.lower()] for h in handles if h.lower() in found], [
        h for h in handles if h.lower() not in found
    ]


def organisation_handles(organization_id: int, *, exclude: int) -> list[str]:
    """Who 「この団体にメッセージを送る」 writes to: the accounts that speak for the organisation
    (at most a conversation's size)."""
    return list(
        db.session.scalars(
            select(User.handle)
            .where(User.organization_id == organization_id, User.erased_at.is_(None),
                   User.is_suspended.is_(False), User.id != exclude)
            .order_by(User.id)
            .limit(max_participants() - 1)
        )
    )  # fmt: skip


# --- writing --------------------------------------------------------------------------------


def _check_body(body: str, errors: dict) -> str:
    body = (body or "").strip()
    if not body:
        errors.setdefault("body", []).append(_("本文を入力してください。"))
    elif len(body) > MAX_BODY:
        errors.setdefault("body", []).append(
            _("本文は%(n)s文字以内で入力してください。", n=MAX_BODY)
        )
    return body


def _screen(author: User, body: str, confirmed: bool) -> tuple[str, Outcome | None, list]:
    body = screening.rewrite(author, body)
    concerns = screening.review(author, body)
    refusals = [c for c in concerns if c.action == REFUSE]
    if refusals:
        return body, Outcome("refused", concerns=refusals), []
    to_confirm = [c for c in concerns if c.action == CONFIRM]
    if to_confirm and not confirmed:
        return body, Outcome("needs_confirmation", concerns=to_confirm), []
    return body, None, concerns


def _write_message(conversation: Conversation, author: User, body: str, now) -> ConversationMessage:
    message = ConversationMessage(
        conversation_id=conversation.id, author_id=author.id, body_source=body,
        body_html=render_markdown(body), renderer_version=RENDERER_VERSION, created_at=now,
    )  # fmt: skip
    db.session.add(message)
    db.session.flush()
    # the counters change in one UPDATE: of two senders at once, both count, the newest wins
    newer = Conversation.last_message_id < message.id
    db.session.execute(
        update(Conversation).where(Conversation.id == conversation.id)
        .values(message_count=Conversation.message_count + 1,
                last_message_id=case((newer, message.id), else_=Conversation.last_message_id),
                last_message_at=case((newer, now), else_=Conversation.last_message_at))
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    for name, value in (("last_message_id", message.id), ("last_message_at", now)):
        set_committed_value(conversation, name, value)
    db.session.expire(conversation, ["message_count"])
    db.session.execute(
        update(ConversationParticipant)
        .where(ConversationParticipant.conversation_id == conversation.id,
               ConversationParticipant.user_id == author.id)
        .values(last_read_message_id=message.id)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return message


def _queue_sent(conversation: Conversation, message: ConversationMessage, author: User) -> None:
    signals.queue(
        signals.message_sent, conversation_id=conversation.id, message_id=message.id,
        author_id=author.id, recipient_ids=active_ids(conversation.id),
    )  # fmt: skip


def start_conversation(
    *, starter: User, participants: list[User], body: str, subject: str | None = None,
    challenge: Thread | None = None, offer_id: int | None = None, confirmed: bool = False,
) -> Outcome:  # fmt: skip
    """Open a conversation between ``starter`` and ``participants`` with a first message.

    ``challenge``: the local problem it is about (every participant must be able to read it);
    ``offer_id``: the partnership offer it belongs to. A new account (``is_new_account``) may
    only write to people it is not a stranger to (``is_stranger``)."""
    if not may_write(starter):
        return Outcome("forbidden", text=_("メッセージを送る権限がありません。"))
    errors: dict[str, list[str]] = {}
    others = list({u.id: u for u in participants if u.id != starter.id}.values())
    limit = current_app.config["CONVERSATION_MAX_PARTICIPANTS"]
    if not others:
        errors["participants"] = [_("宛先を1人以上選んでください。")]
    elif len(others) + 1 > limit:
        errors["participants"] = [_("参加者は%(n)s人までです。", n=limit)]
    elif any(not u.is_active or u.erased_at is not None for u in others):
        errors["participants"] = [_("この宛先にはメッセージを送れません。")]
    subject = (subject or "").strip()
    if len(subject) > MAX_SUBJECT:
        errors["subject"] = [_("件名は%(n)s文字以内で入力してください。", n=MAX_SUBJECT)]
    body = _check_body(body, errors)
    if challenge is not None and not all(
        can(u, "thread.view", challenge) for u in [starter, *others]
    ):
        errors.setdefault("challenge", []).append(
            _("この地域課題を読めない方が宛先に含まれています。")
        )
    if errors:
        return Outcome("invalid", errors=errors)
    if is_new_account(starter) and any(is_stranger(starter, u) for u in others):
        return Outcome("forbidden", text=_(
            "登録して間もないアカウントは、まだやりとりのない方とのメッセージを始められません。"
            "同じスレッドに投稿したことのある方や、同じ団体の方には送れます。"
        ))  # fmt: skip
    body, stop, concerns = _screen(starter, body, confirmed)
    if stop is not None:
        return stop
    now = utcnow()
    conversation = Conversation(
        subject=subject, starter_id=starter.id, thread_id=challenge.id if challenge else None,
        offer_id=offer_id, created_at=now, last_message_at=now,
    )  # fmt: skip
    db.session.add(conversation)
    db.session.flush()
    for user in [starter, *others]:
        db.session.add(ConversationParticipant(
            conversation_id=conversation.id, user_id=user.id, joined_at=now,
            invited_by_id=starter.id if user is not starter else None,
        ))  # fmt: skip
    db.session.flush()
    message = _write_message(conversation, starter, body, now)
    screening.after_send(message, concerns)
    _queue_sent(conversation, message, starter)
    return Outcome("sent", conversation=conversation, message=message)


def send_message(
    *, conversation: Conversation, author: User, body: str, confirmed: bool = False
) -> Outcome:
    if participant(conversation.id, author) is None:
        return Outcome("forbidden", text=_("このメッセージには参加していません。"))
    if not may_write(author):
        return Outcome("forbidden", text=_("メッセージを送る権限がありません。"))
    errors: dict[str, list[str]] = {}
    body = _check_body(body, errors)
    if errors:
        return Outcome("invalid", errors=errors)
    body, stop, concerns = _screen(author, body, confirmed)
    if stop is not None:
        return stop
    message = _write_message(conversation, author, body, utcnow())
    screening.after_send(message, concerns)
    _queue_sent(conversation, message, author)
    return Outcome("sent", conversation=conversation, message=message)


def invite(*, conversation: Conversation, actor: User, user: User) -> ConversationParticipant:
    """A participant adds someone. The rules of starting apply: a new account may not add a
    stranger. Someone who left may be added again."""
    if participant(conversation.id, actor) is None:
        raise Refused("forbidden", _("このメッセージには参加していません。"))
    if not may_write(actor):
        raise Refused("forbidden", _("メッセージを送る権限がありません。"))
    if not user.is_active or user.erased_at is not None:
        raise Refused("invalid", _("この方は招待できません。"))
    row = db.session.get(ConversationParticipant, (conversation.id, user.id))
    if row is not None and row.left_at is None:
        raise Refused("already", _("この方はすでに参加しています。"))
    if len(active_ids(conversation.id)) + 1 > current_app.config["CONVERSATION_MAX_PARTICIPANTS"]:
        raise Refused("full", _("参加者は%(n)s人までです。",
                                n=current_app.config["CONVERSATION_MAX_PARTICIPANTS"]))  # fmt: skip
    if is_new_account(actor) and is_stranger(actor, user):
        raise Refused("stranger", _(
            "登録して間もないアカウントは、まだやりとりのない方を招待できません。"
        ))  # fmt: skip
    if conversation.thread is not None and not can(user, "thread.view", conversation.thread):
        raise Refused("invalid", _("この方は、このメッセージの地域課題を読めません。"))
    now = utcnow()
    if row is None:
        row = ConversationParticipant(conversation_id=conversation.id, user_id=user.id)
        db.session.add(row)
    row.left_at, row.joined_at, row.invited_by_id = None, now, actor.id
    row.last_read_message_id = 0
    db.session.flush()
    signals.queue(signals.participants_changed, conversation_id=conversation.id,
                  recipient_ids=active_ids(conversation.id))  # fmt: skip
    signals.queue(signals.message_sent, conversation_id=conversation.id,
                  message_id=conversation.last_message_id, author_id=actor.id,
                  recipient_ids=[user.id], invited=True)  # fmt: skip
    return row


def leave(*, conversation: Conversation, user: User) -> None:
    row = participant(conversation.id, user)
    if row is None:
        raise Refused("forbidden", _("このメッセージには参加していません。"))
    row.left_at = utcnow()
    db.session.flush()
    signals.queue(signals.participants_changed, conversation_id=conversation.id,
                  recipient_ids=active_ids(conversation.id) + [user.id])  # fmt: skip


def mark_read(*, conversation: Conversation, user: User, up_to: int) -> None:
    """Move the reader's position forward (never back); one UPDATE, nothing when unchanged."""
    up_to = min(up_to, conversation.last_message_id)
    db.session.execute(
        update(ConversationParticipant)
        .where(ConversationParticipant.conversation_id == conversation.id,
               ConversationParticipant.user_id == user.id,
               ConversationParticipant.last_read_message_id < up_to)
        .values(last_read_message_id=up_to)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
