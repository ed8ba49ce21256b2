"""Notification records: watches, notifications, per-user settings, mutes, event RSVPs, read
positions and the job queue that carries forum and moderation events from the posting request to the worker.
Thin models; operations live in the other modules of this package."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.extensions import db
from core.types import UTCDateTime, utcnow

#: what a watch can point at; ``target_key`` is the id (or the prefecture code) as text
TARGET_KINDS = ("thread", "board", "player_field", "life_domain", "prefecture")
WATCHING, TRACKING, NORMAL, MUTED, WATCHING_FIRST_POST = (
    "watching",
    "tracking",
    "normal",
    "muted",
    "watching_first_post",
)
THREAD_LEVELS = (WATCHING, TRACKING, NORMAL, MUTED)
#: boards and tags may also be watched for their new threads only
TAG_LEVELS = (WATCHING, WATCHING_FIRST_POST, TRACKING, NORMAL, MUTED)

#: e-mail states of a notification
EMAIL_NONE, EMAIL_PENDING, EMAIL_SENT, EMAIL_SKIPPED, EMAIL_DIGEST, EMAIL_FAILED = (
    "none",
    "pending",
    "sent",
    "skipped",
    "digest",
    "failed",
)
#: job states
JOB_PENDING, JOB_DONE, JOB_FAILED = "pending", "done", "failed"
RSVP_STATUSES = ("going", "interested")


class Watch(db.Model):
    __tablename__ = "notification_watches"
    __table_args__ = (
        UniqueConstraint("user_id", "target_kind", "target_key", name="uq_watches_user_target"),
        # the watchers of one target, by level (fan-out)
        Index("ix_watches_target_level", "target_kind", "target_key", "level"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_kind: Mapped[str] = mapped_column(String(20))
    target_key: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(db.Model):
    """One thing to tell one person. Kinds that collapse (new posts in a watched thread, replies
    to one's thread, queue items) keep one unread row per ``collapse_key`` and count up."""

    __tablename__ = "notifications"
    __table_args__ = (
        # the header badge: one indexed COUNT
        Index("ix_notifications_user_unread", "user_id", "is_quiet", "read_at"),
        # the notification centre and the API, newest activity first (keyset)
        Index("ix_notifications_user_updated", "user_id", "updated_at", "id"),
        # at most one unread row per collapse key (the worker updates it instead)
        Index(
            "uq_notifications_unread_key",
            "user_id",
            "collapse_key",
            unique=True,
            sqlite_where=text("read_at IS NULL"),
            postgresql_where=text("read_at IS NULL"),
        ),
        Index("ix_notifications_user_key", "user_id", "collapse_key"),
        Index("ix_notifications_email_due", "email_state", "email_due_at"),
        Index("ix_notifications_post", "post_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    #: the first post this notification is about (links go here)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    #: the id of the latest source (post, thread, queue item …) counted into it; which sources
    #: were counted is :class:`NotificationSource` (jobs may run in any order)
    last_source_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    count: Mapped[int] = mapped_column(default=1)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    collapse_key: Mapped[str] = mapped_column(String(80))
    #: counted in the centre only (tracking level): no badge, no toast, no e-mail
    is_quiet: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_state: Mapped[str] = mapped_column(String(10), default=EMAIL_NONE)
    email_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_attempts: Mapped[int] = mapped_column(default=0)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="select")


class NotificationSource(db.Model):
    """Each source (post, thread, queue item …) counted into a notification, once. Jobs do not
    run in id order — one re-run after a worker crash or a database error lands after later
    posts' jobs — so "already counted" cannot be read off the highest id counted so far; this
    set makes a late job count once and a re-run count nothing (the primary key refuses a
    second row even from two workers at once)."""

    __tablename__ = "notification_sources"
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )


class NotificationSettings(db.Model):
    """A member's choices; no row means the defaults (``notifications.kinds``)."""

    __tablename__ = "notification_settings"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    #: kind → immediate | daily | weekly | never (missing kinds: the default)
    email_modes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: the level a thread gets when the member starts it / replies to it
    auto_watch_start: Mapped[str] = mapped_column(String(20), default=WATCHING)
    auto_watch_reply: Mapped[str] = mapped_column(String(20), default=TRACKING)
    last_daily_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_weekly_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UserMute(db.Model):
    """A member hides everything another member does from their notifications."""

    __tablename__ = "notification_user_mutes"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    muted_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    muted_user: Mapped[User] = relationship(foreign_keys=[muted_user_id], lazy="joined")


class EventRsvp(db.Model):
    __tablename__ = "event_rsvps"
    __table_args__ = (Index("ix_event_rsvps_thread_status", "thread_id", "status"),)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReadPosition(db.Model):
    """How far a member has read a thread: the highest post number their browser reported seeing
    (or their own latest post). It only grows; the unread count of a tracked or watched thread
    is ``thread.last_number - last_read_number``."""

    __tablename__ = "thread_read_positions"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    last_read_number: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationJob(db.Model):
    """One forum or moderation event, written in the transaction that caused it; the worker
    turns it into notifications after commit."""

    __tablename__ = "notification_jobs"
    __table_args__ = (
        Index("ix_notification_jobs_pending", "status", "run_after", "id"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    event: Mapped[str] = mapped_column(String(30))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default=JOB_PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(500))
