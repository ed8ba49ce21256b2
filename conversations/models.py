"""Private conversations (個別メッセージ): a conversation, its participants and its messages.

Thin models; operations live in :mod:`conversations.service`. Nothing here is public: no
listing, search index, feed or profile reads these tables (``tests/conversations/test_leaks.py``).

``offer_id`` names the partnership offer (issue #16 item 1) a conversation was opened for
(``cocreation.service`` opens one with each offer; migration 0030 added the foreign key).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.extensions import db
from core.types import UTCDateTime, utcnow
from forum.models import Thread


class Conversation(db.Model):
    __tablename__ = "conversations"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(120), default="")
    starter_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: the local problem (地域課題) it is about, if any
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL"), index=True
    )
    #: the offer it was opened for (no foreign key yet: see the module docstring)
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("offers.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_id: Mapped[int] = mapped_column(default=0)
    message_count: Mapped[int] = mapped_column(default=0)

    starter: Mapped[User | None] = relationship(lazy="select")
    thread: Mapped[Thread | None] = relationship(lazy="select")
    participants: Mapped[list[ConversationParticipant]] = relationship(
        lazy="select", back_populates="conversation", order_by="ConversationParticipant.joined_at"
    )


class ConversationParticipant(db.Model):
    """A member in a conversation. ``left_at`` set: they left (they no longer read it, and are
    told nothing more). ``last_read_message_id``: the newest message they have seen."""

    __tablename__ = "conversation_participants"
    __table_args__ = (Index("ix_conversation_participants_user", "user_id", "left_at"),)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_read_message_id: Mapped[int] = mapped_column(default=0)

    conversation: Mapped[Conversation] = relationship(back_populates="participants")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.left_at is None


class ConversationMessage(db.Model):
    """One message: the Markdown source and its sanitised HTML (rendered once, on write, by the
    forum's renderer; ``renderer_version`` says which)."""

    __tablename__ = "conversation_messages"
    __table_args__ = (Index("ix_conversation_messages_conv", "conversation_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    renderer_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: hidden by a moderator after a flag (participants see that it was hidden)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User | None] = relationship(lazy="select")
    conversation: Mapped[Conversation] = relationship(lazy="select")
