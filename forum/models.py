"""Boards, threads, posts and post revisions. Counters are denormalised and kept by the
service functions in the same transaction as the post that changes them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from auth.spaces import NATIONAL_SPACE_ID, Space
from core.extensions import db
from core.types import UTCDateTime, utcnow
from taxonomy.models import PlayerField

BOARD_KINDS = ("cross", "field")
THREAD_KINDS = ("discussion", "case", "event", "policy", "challenge")
STRUCTURED_KINDS = THREAD_KINDS[1:]


class Board(db.Model):
    __tablename__ = "boards"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="cross")
    position: Mapped[int] = mapped_column(default=0)
    player_field_id: Mapped[int | None] = mapped_column(ForeignKey("player_fields.id"))
    thread_count: Mapped[int] = mapped_column(default=0)
    post_count: Mapped[int] = mapped_column(default=0)
    last_post_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: every new post waits for a moderator (e.g. 困りごと相談)
    is_premoderated: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: the thread kind its "new thread" form starts with (e.g. the events board: event)
    default_kind: Mapped[str] = mapped_column(
        String(20), default="discussion", server_default="discussion"
    )

    #: the platform the board belongs to (``auth.spaces``; 1 = national)
    space_id: Mapped[int] = mapped_column(
        ForeignKey("spaces.id"), default=NATIONAL_SPACE_ID, server_default="1", index=True
    )
    #: who may read it: ``public`` | ``members`` (of its space) | ``roles`` (``audience_roles``)
    audience: Mapped[str] = mapped_column(String(20), default="public", server_default="public")
    #: role slugs, comma-separated, when the audience is ``roles`` (e.g. 行政職員限定)
    audience_roles: Mapped[str] = mapped_column(String(200), default="", server_default="")

    player_field: Mapped[PlayerField | None] = relationship(lazy="select")
    space: Mapped[Space] = relationship(lazy="select")

    @property
    def audience_role_slugs(self) -> frozenset[str]:
        return frozenset(r for r in self.audience_roles.split(",") if r)

    @property
    def is_public(self) -> bool:
        return self.audience == "public"


class Thread(db.Model):
    __tablename__ = "threads"
    __table_args__ = (
        # Keyset pagination of a board: pinned first, newest activity first.
        Index("ix_threads_board_listing", "board_id", "is_pinned", "last_post_at", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), default="discussion")
    is_pinned: Mapped[bool] = mapped_column(default=False)
    is_locked: Mapped[bool] = mapped_column(default=False)
    is_deleted: Mapped[bool] = mapped_column(default=False)
    #: the first post is hidden by moderation: the thread is out of listings
    is_hidden: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_poster_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: highest post number given so far (numbers are never reused)
    last_number: Mapped[int] = mapped_column(default=0)
    #: visible replies (posts other than #1 that are not deleted)
    reply_count: Mapped[int] = mapped_column(default=0)

    board: Mapped[Board] = relationship(lazy="select")
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="select")
    last_poster: Mapped[User | None] = relationship(foreign_keys=[last_poster_id], lazy="select")
    #: a discussion's tags as ``facet:value`` words (forum.tags), so that a page of threads shows
    #: them without a statement; ``tags`` holds the same as rows, which filters use
    tag_words: Mapped[str | None] = mapped_column(String(400))
    #: a discussion's tags (forum.tags): its prefecture, life-support domains, player fields
    tags: Mapped[list[ThreadTag]] = relationship(
        lazy="select", order_by="(ThreadTag.facet, ThreadTag.value)", cascade="all, delete-orphan"
    )


class ThreadTag(db.Model):
    """One tag of a discussion (#14 item 5): ``facet`` is ``prefecture`` (a JIS code),
    ``domain`` (a life-support domain's slug) or ``field`` (a player field's slug). The index
    serves a board filtered by a tag: the threads carrying it, by id."""

    __tablename__ = "thread_tags"
    __table_args__ = (Index("ix_thread_tags_facet_value", "facet", "value", "thread_id"),)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True
    )
    facet: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(40), primary_key=True)


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("thread_id", "number", name="uq_posts_thread_number"),
        # an author's recent posts (duplicate check, first-posts hold, profiles)
        Index("ix_posts_author_created", "author_id", "created_at"),
        # the statistics' posts per month (issue #18): a range of creation times, covering the
        # columns they read, so a month is counted without reading the posts' bodies
        Index(
            "ix_posts_created",
            "created_at",
            "thread_id",
            "author_id",
            "number",
            "deleted_at",
            "hidden_at",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"))
    number: Mapped[int] = mapped_column()
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    renderer_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revision_count: Mapped[int] = mapped_column(default=0)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: hidden by moderation (flags or a moderator): collapsed for everyone but its author and
    #: moderators until a moderator decides
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: optimistic concurrency: every saved edit increments it; an edit names the version it saw
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: who saved the current text last (None: the author, never edited)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    thread: Mapped[Thread] = relationship(lazy="select")
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="select")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def status(self) -> str:
        """``visible`` | ``hidden`` | ``deleted`` (held posts are not posts yet: see moderation)."""
        if self.deleted_at is not None:
            return "deleted"
        return "hidden" if self.hidden_at is not None else "visible"


class Redactable:
    """An earlier version a moderator can hide (e.g. it names a resident): kept for the audit
    trail, shown to nobody (``forum.actions.redact_revision``)."""

    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    redacted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def is_redacted(self) -> bool:
        return self.redacted_at is not None


class PostRevision(Redactable, db.Model):
    """The text a post had before an edit (edits within the grace period make none)."""

    __tablename__ = "post_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    editor: Mapped[User] = relationship(lazy="joined", foreign_keys=[editor_id])
