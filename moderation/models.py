"""Moderation records: flags, held posts, the review queue, notes, audit log, watched words,
board-scoped moderators. Thin models; operations live in moderation/*.py services."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import Role, User
from auth.spaces import Space
from conversations.models import ConversationMessage
from core.extensions import db
from core.types import UTCDateTime, utcnow
from forum.models import Board, Post, Thread
from taxonomy.models import Prefecture

FLAG_REASONS = ("spam", "inappropriate", "off_topic", "personal_info", "illegal", "other")
#: ``contact``: a message sent through the contact form (pages.contact), for the secretariat
#: ``flagged_message``: a flagged message of a private conversation (``message_id``)
ITEM_KINDS = (
    "flagged_post", "held_post", "account", "role_request", "space_join", "contact",
    "flagged_message",
)  # fmt: skip
PENDING, APPROVED, REJECTED, IGNORED, DELETED = (
    "pending",
    "approved",
    "rejected",
    "ignored",
    "deleted",
)
ITEM_STATES = (PENDING, APPROVED, REJECTED, IGNORED, DELETED)
WATCH_ACTIONS = ("block", "censor", "require_approval", "flag")


class Flag(db.Model):
    __tablename__ = "flags"
    __table_args__ = (
        UniqueConstraint("post_id", "user_id", name="uq_flags_post_user"),
        Index("ix_flags_user_created", "user_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the outcome, once a moderator decided (agreed / disagreed / ignored)
    outcome: Mapped[str | None] = mapped_column(String(20))
    #: the flagger's trust when flagging (``moderation.trust.flag_weight``); open flags' weights
    #: add up towards FLAG_HIDE_WEIGHT
    weight: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")

    user: Mapped[User] = relationship(lazy="joined")
    post: Mapped[Post] = relationship(lazy="select")


class MessageFlag(db.Model):
    """A flag on a message of a private conversation, by one of its participants."""

    __tablename__ = "message_flags"
    __table_args__ = (
        UniqueConstraint("message_id", "user_id", name="uq_message_flags_message_user"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("conversation_messages.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(20))


class HeldPost(db.Model):
    """A draft kept for review before publication. Published intact on approval."""

    __tablename__ = "held_posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # thread | reply | edit
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(120))
    #: a new thread's kind and typed fields (API representation), kept intact for publication
    thread_kind: Mapped[str] = mapped_column(
        String(20), default="discussion", server_default="discussion"
    )
    details: Mapped[dict | None] = mapped_column(JSON)
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    #: for a held edit: the post's version the edit was written against (approval of an edit
    #: whose base is no longer current is refused, so a newer correction is never overwritten)
    base_version: Mapped[int | None] = mapped_column()

    author: Mapped[User] = relationship(lazy="joined")
    board: Mapped[Board] = relationship(lazy="joined")
    thread: Mapped[Thread | None] = relationship(lazy="select")


class ModerationItem(db.Model):
    """One entry of the review queue. ``version`` is the optimistic lock: a decision names the
    version it saw; a stale one is refused (409)."""

    __tablename__ = "moderation_items"
    __table_args__ = (Index("ix_moderation_items_queue", "status", "kind", "score", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    version: Mapped[int] = mapped_column(default=1)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"), index=True)
    held_post_id: Mapped[int | None] = mapped_column(ForeignKey("held_posts.id"))
    #: a flagged message of a private conversation (kind ``flagged_message``)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation_messages.id", ondelete="SET NULL"), index=True
    )
    role_request_id: Mapped[int | None] = mapped_column(ForeignKey("role_requests.id"))
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id"))
    #: a join request to this space (kind ``space_join``): its moderators decide
    space_id: Mapped[int | None] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(default=0)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str | None] = mapped_column(String(30))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    post: Mapped[Post | None] = relationship(lazy="select")
    held_post: Mapped[HeldPost | None] = relationship(lazy="select")
    message: Mapped[ConversationMessage | None] = relationship(lazy="select")
    role_request: Mapped[RoleRequest | None] = relationship(lazy="select")
    subject_user: Mapped[User | None] = relationship(foreign_keys=[subject_user_id], lazy="select")
    board: Mapped[Board | None] = relationship(lazy="select")
    space: Mapped[Space | None] = relationship(lazy="select")
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id], lazy="select")
    notes: Mapped[list[ModerationNote]] = relationship(
        lazy="select", order_by="ModerationNote.id", cascade="all, delete-orphan"
    )


class ModerationNote(db.Model):
    __tablename__ = "moderation_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("moderation_items.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")


class WatchedWord(db.Model):
    __tablename__ = "watched_words"
    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(100), unique=True)
    action: Mapped[str] = mapped_column(String(20))  # block | censor | require_approval | flag
    #: a regular expression instead of a plain word (matched on NFKC-normalised, casefolded text)
    is_regex: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoleRequest(db.Model):
    """A member asks for a verified role. The work e-mail is confirmed first; a trusted domain
    (e.g. lg.jp for municipal staff) then grants the role at once, others go to the queue."""

    __tablename__ = "role_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
    organisation: Mapped[str] = mapped_column(String(100))
    prefecture_code: Mapped[str | None] = mapped_column(ForeignKey("prefectures.code"))
    municipality: Mapped[str] = mapped_column(String(50), default="")
    work_email: Mapped[str] = mapped_column(String(254))
    #: email_pending → (auto) approved | in_review → approved | rejected
    status: Mapped[str] = mapped_column(String(20), default="email_pending")
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    role: Mapped[Role] = relationship(lazy="joined")
    #: shown by name in the queue (「地域：長野県 長野市」), never as its code
    prefecture: Mapped[Prefecture | None] = relationship(lazy="joined")
