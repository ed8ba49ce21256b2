"""Structured threads: the typed facts of a case, event, policy or local problem.

A structured thread is an ordinary ``Thread`` (kind ``case`` | ``event`` | ``policy`` |
``challenge``) plus one ``ThreadDetail`` row. The columns that listings filter and sort on are
real, indexed columns; every other typed field lives in ``data`` (validated JSON values), and the
Markdown parts are rendered once on write into ``html``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, false, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.extensions import db
from core.types import UTCDateTime, utcnow
from forum.models import Redactable, Thread
from taxonomy.models import LifeDomain, PlayerField, Prefecture

thread_player_fields = Table(
    "thread_player_fields",
    db.metadata,
    Column("thread_id", Integer, ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True),
    Column("player_field_id", Integer, ForeignKey("player_fields.id"), primary_key=True),
    Index("ix_thread_player_fields_field", "player_field_id", "thread_id"),
)

thread_life_domains = Table(
    "thread_life_domains",
    db.metadata,
    Column("thread_id", Integer, ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True),
    Column("life_domain_id", Integer, ForeignKey("life_domains.id"), primary_key=True),
    Index("ix_thread_life_domains_domain", "life_domain_id", "thread_id"),
)


def _thread_board(context) -> int:
    """A new detail row's ``board_id``: its thread's (the copy is right from the insert on)."""
    thread_id = context.get_current_parameters()["thread_id"]
    return context.connection.scalar(select(Thread.board_id).where(Thread.id == thread_id))


class ThreadDetail(db.Model):
    __tablename__ = "thread_details"
    __table_args__ = (
        # newest first per kind (keyset on thread_id); population and funding ride along so
        # that those filters are checked in the index, not by reading each ~2 KB row
        Index("ix_thread_details_kind_id", "kind", "thread_id", "population", "funding_kind"),
        Index("ix_thread_details_kind_pref", "kind", "prefecture_code", "thread_id"),
        # events by start time (upcoming ascending, archive descending); the prefecture, the
        # thread's state and the event filters ride along so that the counts of upcoming or past
        # events read the index alone (migrations 0023, 0031)
        Index(
            "ix_thread_details_kind_start_state", "kind", "starts_at", "thread_id",
            "prefecture_code", "is_deleted", "is_hidden", "board_id", "status", "attendance_mode",
        ),
        Index("ix_thread_details_kind_status", "kind", "status", "thread_id"),
        Index("ix_thread_details_kind_fy", "kind", "fiscal_year", "thread_id"),
        # the ministry filter and its list of choices, with the thread's state (covering: no
        # table rows and no threads read; migration 0031)
        Index(
            "ix_thread_details_kind_ministry", "kind", "ministry", "is_deleted", "is_hidden",
            "board_id",
        ),
        # the counts (the prefecture map, a listing's 「N件」) from this index alone: the items of
        # a kind that are neither deleted nor hidden, in prefecture order, with their board for
        # the audience rule and the columns the listings filter on, the thread id last (for
        # PostgreSQL's index-only joins to a field's or domain's threads; migration 0031)
        # (and the start, so that the kept counts of a prefecture's events, counted per month of
        # their start, read it alone too: migration 0033)
        Index(
            "ix_thread_details_kind_state", "kind", "is_deleted", "is_hidden", "prefecture_code",
            "board_id", "status", "fiscal_year", "population", "funding_kind", "policy_kind",
            "ministry", "starts_at", "thread_id",
        ),
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    #: None only for an online event of national scope (shown as 「全国（オンライン）」; migration 0025)
    prefecture_code: Mapped[str | None] = mapped_column(ForeignKey("prefectures.code"))
    municipality_code: Mapped[str | None] = mapped_column(String(6))
    #: event: scheduled | cancelled | postponed; challenge: open | negotiating | partnered |
    #: closed; other kinds: ""
    status: Mapped[str] = mapped_column(String(20), default="")
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_mode: Mapped[str | None] = mapped_column(String(10))
    ministry: Mapped[str | None] = mapped_column(String(80))
    fiscal_year: Mapped[int | None] = mapped_column()
    policy_kind: Mapped[str | None] = mapped_column(String(20))
    funding_kind: Mapped[str | None] = mapped_column(String(30))
    population: Mapped[int | None] = mapped_column()
    #: every typed field's value (JSON types; dates as ISO 8601 strings)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: the Markdown fields rendered and sanitised on write
    html: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: copies of the thread's own columns, so that counts need not look the thread up
    #: (``structured.copies`` keeps them equal at every commit; migration 0031)
    is_deleted: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_hidden: Mapped[bool] = mapped_column(default=False, server_default=false())
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"), default=_thread_board)

    thread: Mapped[Thread] = relationship(lazy="select", backref=None)
    prefecture: Mapped[Prefecture | None] = relationship(lazy="joined")
    player_fields: Mapped[list[PlayerField]] = relationship(
        secondary=thread_player_fields,
        primaryjoin="ThreadDetail.thread_id == thread_player_fields.c.thread_id",
        order_by=PlayerField.position,
        lazy="selectin",
        viewonly=True,
    )
    life_domains: Mapped[list[LifeDomain]] = relationship(
        secondary=thread_life_domains,
        primaryjoin="ThreadDetail.thread_id == thread_life_domains.c.thread_id",
        order_by=LifeDomain.position,
        lazy="selectin",
        viewonly=True,
    )


class ThreadDetailRevision(Redactable, db.Model):
    """The typed fields a structured thread had before an edit."""

    __tablename__ = "thread_detail_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    #: the API representation (``serialize_fields``) of the previous values
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    editor: Mapped[User] = relationship(lazy="joined", foreign_keys=[editor_id])


class CaseOrigin(db.Model):
    """A case that was born on the platform: the local problem (kind ``challenge``) whose
    partnership it reports. Written by the co-creation package when a partnered problem's
    case is published; the case listing's 「このプラットフォームから生まれた事例」 filter reads
    it (here, beside the listing's other conditions, so that the pages, the API, the exports
    and the feed share that filter)."""

    __tablename__ = "case_origins"
    case_thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True
    )
    challenge_thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListingCount(db.Model):
    """How many visible items (neither deleted nor hidden) of a kind each board has in each
    prefecture, in all and per player field and life domain: the counts of the prefecture map
    and of a listing's 「N件」 read these few rows instead of every item (issue #18; migration
    0033). Kept exact in the transaction that changes an item by ``structured.counts``: the
    (kind, prefecture) groups touched are counted again from ``thread_details``.

    ``prefecture_code`` '' stands for none (an online event of national scope); ``field_id`` and
    ``domain_id`` 0 for "any" (a row has at most one of them set). Events are counted per month
    of their start, so that the upcoming/past window reads whole months from here."""

    __tablename__ = "listing_counts"
    __table_args__ = (Index("ix_listing_counts_group", "kind", "prefecture_code"),)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    field_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    domain_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: events: YYYYMM of the start in UTC (``structured.counts.utc_month``); other kinds: 0
    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    prefecture_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    board_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    items: Mapped[int] = mapped_column()
