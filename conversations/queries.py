"""Reading conversations: a member's inbox with unread counts, a conversation's messages. Each
reads in bulk (a fixed number of statements per page, pinned by tests)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from auth.models import User
from conversations.models import Conversation, ConversationMessage, ConversationParticipant
from core.extensions import db

INBOX_LIMIT = 50
PAGE_MESSAGES = 200


@dataclass
class InboxRow:
    conversation: Conversation
    unread: int
    others: list[User]


def inbox(user: User, *, before_id: int | None = None, limit: int = INBOX_LIMIT) -> list[InboxRow]:
    """The member's conversations, the newest activity first, with the number of messages by
    others they have not read. Three statements whatever the page holds."""
    mine = ConversationParticipant
    query = (
        select(Conversation, mine.last_read_message_id)
        .join(mine, and_(mine.conversation_id == Conversation.id, mine.user_id == user.id))
        .where(mine.left_at.is_(None))
        .order_by(Conversation.last_message_id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(Conversation.last_message_id < before_id)
    rows = db.session.execute(query).all()
    if not rows:
        return []
    ids = [c.id for c, _read in rows]
    counts = db.session.execute(
        select(ConversationMessage.conversation_id, func.count(ConversationMessage.id))
        .join(mine, and_(mine.conversation_id == ConversationMessage.conversation_id,
                         mine.user_id == user.id))
        .where(ConversationMessage.conversation_id.in_(ids),
               ConversationMessage.id > mine.last_read_message_id,
               ConversationMessage.author_id != user.id)
        .group_by(ConversationMessage.conversation_id)
    ).all()  # fmt: skip
    unread = dict(counts)
    people: dict[int, list[User]] = {}
    for conversation_id, person in db.session.execute(
        select(ConversationParticipant.conversation_id, User)
        .join(User, User.id == ConversationParticipant.user_id)
        .where(ConversationParticipant.conversation_id.in_(ids),
               ConversationParticipant.left_at.is_(None), User.id != user.id)
        .order_by(ConversationParticipant.joined_at)
    ).all():  # fmt: skip
        people.setdefault(conversation_id, []).append(person)
    return [InboxRow(c, unread.get(c.id, 0), people.get(c.id, [])) for c, _read in rows]


def unread_total(user_id: int) -> int:
    """Unread messages over all the member's conversations (the header's badge)."""
    mine = ConversationParticipant
    return db.session.scalar(
        select(func.count(ConversationMessage.id))
        .join(mine, and_(mine.conversation_id == ConversationMessage.conversation_id,
                         mine.user_id == user_id))
        .where(mine.left_at.is_(None), ConversationMessage.id > mine.last_read_message_id,
               ConversationMessage.author_id != user_id)
    ) or 0  # fmt: skip


def messages(
    conversation: Conversation, *, after: int = 0, limit: int = PAGE_MESSAGES
) -> list[ConversationMessage]:
    """Messages with an id above ``after``, oldest first, with their authors."""
    return list(
        db.session.scalars(
            select(ConversationMessage)
            .where(ConversationMessage.conversation_id == conversation.id,
                   ConversationMessage.id > after)
            .order_by(ConversationMessage.id)
            .limit(limit)
            .options(selectinload(ConversationMessage.author))
        )
    )  # fmt: skip


def last_messages(
    conversation: Conversation, *, limit: int = PAGE_MESSAGES
) -> list[ConversationMessage]:
    """The newest ``limit`` messages, oldest first (the conversation page)."""
    rows = list(
        db.session.scalars(
            select(ConversationMessage)
            .where(ConversationMessage.conversation_id == conversation.id)
            .order_by(ConversationMessage.id.desc())
            .limit(limit)
            .options(selectinload(ConversationMessage.author))
        )
    )
    rows.reverse()
    return rows


def people(conversation: Conversation) -> list[ConversationParticipant]:
    """The active participants with their accounts (one statement)."""
    return list(
        db.session.scalars(
            select(ConversationParticipant)
            .where(ConversationParticipant.conversation_id == conversation.id,
                   ConversationParticipant.left_at.is_(None))
            .order_by(ConversationParticipant.joined_at)
        )
    )  # fmt: skip


def context_of(
    message: ConversationMessage,
) -> tuple[ConversationMessage | None, ConversationMessage | None]:
    """The message just before and just after ``message`` in its conversation (what a moderator
    sees around a flagged message)."""
    base = select(ConversationMessage).where(
        ConversationMessage.conversation_id == message.conversation_id
    )
    before = db.session.scalar(
        base.where(ConversationMessage.id < message.id)
        .order_by(ConversationMessage.id.desc())
        .limit(1)
    )
    after = db.session.scalar(
        base.where(ConversationMessage.id > message.id).order_by(ConversationMessage.id).limit(1)
    )
    return before, after


def offer_conversations(user_id: int, offer_ids: list[int]) -> dict[int, int]:
    """Offer id → the conversation opened for it, among those ``user_id`` takes part in (one
    statement; a problem page links each offer to its conversation, for its participants)."""
    if not offer_ids:
        return {}
    rows = db.session.execute(
        select(Conversation.offer_id, Conversation.id)
        .join(ConversationParticipant,
              and_(ConversationParticipant.conversation_id == Conversation.id,
                   ConversationParticipant.user_id == user_id,
                   ConversationParticipant.left_at.is_(None)))
        .where(Conversation.offer_id.in_(offer_ids))
    )  # fmt: skip
    return {offer_id: conversation_id for offer_id, conversation_id in rows}
