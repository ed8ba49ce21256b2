"""Summary rows behind the heaviest statistics (issue #18 item 4), kept by :mod:`stats.summary`.

``stats_post_months``: per Tokyo month and author, the visible threads started and posts written,
at levels such that a viewer never counts a board they may not read: the whole site's public
boards (``space_id = 0, board_id = 0``), one platform's public boards (``space_id = S,
board_id = 0``), each closed board on its own (``board_id = B``), and for those who read every
board (site staff) all boards of the site (``space_id = 0, board_id = -1``).
``stats_post_years``: the same rows summed per fiscal year (all time reads four years' rows, not
37 months'). ``stats_first_replies``: per visible thread, when it started and when someone
else first replied, with its Tokyo month and the wait in microseconds (困りごと相談's medians need
each thread's wait, not a sum: read as integers, none is parsed or subtracted per request).
``stats_moderation_items``: the review queue's items with their Tokyo week and time to a decision
(モデレーション's medians). ``stats_summary_state``: how far the summary has read the change feed
(the search outbox), and the boards it was built for.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.types import UTCDateTime


class StatsPostMonth(db.Model):
    __tablename__ = "stats_post_months"
    __table_args__ = (
        # a level's rows of a fiscal year, covering what the statistics read; the board first,
        # so that each of a viewer's closed boards is one range, as is the public level
        Index("ix_stats_post_months_board", "board_id", "space_id", "fiscal_year", "month",
              "author_id", "threads", "posts"),
    )  # fmt: skip

    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # YYYYMM
    space_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    board_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    author_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    threads: Mapped[int] = mapped_column(Integer)
    posts: Mapped[int] = mapped_column(Integer)


class StatsPostYear(db.Model):
    """:class:`StatsPostMonth` summed per fiscal year, rebuilt from it with each touched year."""

    __tablename__ = "stats_post_years"
    __table_args__ = (
        # the board first: a viewer's closed boards are each one range, as is the public level
        Index("ix_stats_post_years_level", "board_id", "space_id", "fiscal_year", "author_id",
              "threads", "posts"),
    )  # fmt: skip

    board_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    space_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    author_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    threads: Mapped[int] = mapped_column(Integer)
    posts: Mapped[int] = mapped_column(Integer)


class StatsFirstReply(db.Model):
    __tablename__ = "stats_first_replies"
    __table_args__ = (
        # a board's questions of a fiscal year with their waits, covering what the medians read
        Index("ix_stats_first_replies_wait", "board_id", "fiscal_year", "month", "wait_us"),
        Index("ix_stats_first_replies_post", "first_reply_post_id"),
    )

    thread_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    board_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_reply_post_id: Mapped[int | None] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)  # the thread's Tokyo month, YYYYMM
    fiscal_year: Mapped[int] = mapped_column(Integer)
    #: first_reply_at − created_at in microseconds (None: no reply from someone else yet)
    wait_us: Mapped[int | None] = mapped_column(BigInteger)


class StatsModerationItem(db.Model):
    """One review queue item (``moderation_items``) as モデレーション：週ごと reads it: its Tokyo
    week's Monday (YYYYMMDD) and the time to its decision in microseconds (None: pending)."""

    __tablename__ = "stats_moderation_items"
    __table_args__ = (
        Index("ix_stats_moderation_items_created", "created_at", "week", "wait_us", "space_id",
              "board_id"),
    )  # fmt: skip

    item_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    week: Mapped[int] = mapped_column(Integer)
    space_id: Mapped[int | None] = mapped_column(Integer)
    board_id: Mapped[int | None] = mapped_column(Integer)
    wait_us: Mapped[int | None] = mapped_column(BigInteger)


class StatsSummaryState(db.Model):
    __tablename__ = "stats_summary_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # always 1
    #: every search outbox row up to this id is in the summary (and the ``gaps`` ids, once seen)
    outbox_mark: Mapped[int] = mapped_column(Integer, default=0)
    gaps: Mapped[list] = mapped_column(JSON, default=list)
    #: the boards (id, platform, closed) the rows were built for: another set means rebuild
    boards: Mapped[str] = mapped_column(String(64), default="")
    #: a full build: the next month to build (YYYYMM), or None when none is under way
    building_from: Mapped[int | None] = mapped_column(Integer)
    building_mark: Mapped[int] = mapped_column(Integer, default=0)
    built: Mapped[bool] = mapped_column(default=False)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StatsItemCount(db.Model):
    """Structured items (事例・イベント・地域課題) counted per board, month and prefecture, once per
    ``facet`` value: ``all``, ``domain``, ``field``, ``band`` (population), ``funding``, ``mode``
    (an event's 参加方法), ``status``, and ``days`` (a challenge's days to 連携成立, as text:
    the medians need the values). The fiscal year and month are the registration's (Tokyo), an
    event's the day it is held (0: none); only the facets read per month keep the month
    (``stats.item_summary.MONTHLY``), the others have one row per fiscal year (month 0).
    ``going``: the members who said they will come (events)."""

    __tablename__ = "stats_item_counts"
    __table_args__ = (
        Index("ix_stats_item_counts_facet", "kind", "facet", "fiscal_year", "board_id",
              "prefecture_code", "month", "value", "n", "going"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    facet: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(40))
    board_id: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    prefecture_code: Mapped[str] = mapped_column(String(2))  # "" when the item has none
    n: Mapped[int] = mapped_column(Integer)
    going: Mapped[int] = mapped_column(Integer)
