"""Read positions and the unread counts of tracked and watched threads ("新着 N").

A member's browser reports the highest post number it has shown them (``static/js/
readpos.js`` posts to the API; a GET never writes); replying or starting a thread moves the
position to one's own post (the worker, with the auto-watch). Positions only grow and never pass
``thread.last_number``. Counts show only for threads the member tracks or watches (a thread-level
level; auto-watch after starting or replying sets one), never for muted ones. The caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, and_, cast, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from core import cursors
from core.extensions import db
from core.types import UTCDateTime, utcnow
from forum.models import Thread
from notifications.models import TRACKING, WATCHING, ReadPosition, Watch

#: thread levels that show an unread count
COUNTED_LEVELS = (WATCHING, TRACKING)


def mark_read_up_to(user_id: int, thread: Thread, number: int) -> int:
    """Move the member's position in ``thread`` up to ``number`` (capped at the thread's last
    post; never backwards). One upsert statement; returns the number stored for this call."""
    number = min(int(number), thread.last_number)
    if number < 1:
        return 0
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(ReadPosition).values(
        user_id=user_id, thread_id=thread.id, last_read_number=number, updated_at=utcnow()
    )
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=[ReadPosition.user_id, ReadPosition.thread_id],
            set_={
                "last_read_number": insert.excluded.last_read_number,
                "updated_at": insert.excluded.updated_at,
            },
            where=ReadPosition.last_read_number < insert.excluded.last_read_number,
        )  # fmt: skip
    )
    return number


def _watched_threads(user_id: int):
    """The member's thread-level watches that count, joined to their read positions."""
    thread_id = cast(Watch.target_key, Integer)
    return (
        select(thread_id.label("thread_id"), ReadPosition.last_read_number)
        .select_from(Watch)
        .outerjoin(
            ReadPosition,
            and_(ReadPosition.user_id == Watch.user_id, ReadPosition.thread_id == thread_id),
        )
        .where(
            Watch.user_id == user_id,
            Watch.target_kind == "thread",
            Watch.level.in_(COUNTED_LEVELS),
        )
    )


def unread_counts(user_id: int | None, threads: Iterable[Thread]) -> dict[int, int]:
    """``{thread id: unread posts}`` for the listed threads the member tracks or watches and has
    not read to the end: one statement for a whole page (none for visitors or an empty page)."""
    threads = list(threads)
    if user_id is None or not threads:
        return {}
    by_id = {t.id: t for t in threads}
    rows = db.session.execute(
        _watched_threads(user_id).where(Watch.target_key.in_([str(i) for i in by_id]))
    )
    counts = {}
    for thread_id, last_read in rows:
        thread = by_id.get(thread_id)
        if thread is not None and thread.last_number > (last_read or 0):
            counts[thread_id] = thread.last_number - (last_read or 0)
    return counts


# --- the 追跡中のスレッド page ------------------------------------------------------------------


@dataclass
class TrackedThread:
    thread: Thread
    level: str
    unread: int


@dataclass
class TrackedPage:
    items: list[TrackedThread]
    next_cursor: str | None


def _encode(thread: Thread) -> str:
    return cursors.encode(thread.last_post_at, thread.id)


def _decode(cursor: str) -> tuple[datetime, int]:
    return cursors.decode(cursor, datetime, int)


def tracked_page(user_id: int, *, cursor: str | None = None, limit: int = 30) -> TrackedPage:
    """The member's tracked and watched threads, newest activity first (keyset on
    ``(last_post_at, id)``): one statement for threads, levels and positions, one for boards.
    Deleted and hidden threads are left out; the caller checks ``thread.view``."""
    thread_id = cast(Watch.target_key, Integer)
    query = (
        select(Thread, Watch.level, ReadPosition.last_read_number)
        .select_from(Watch)
        .join(Thread, Thread.id == thread_id)
        .outerjoin(
            ReadPosition,
            and_(ReadPosition.user_id == Watch.user_id, ReadPosition.thread_id == Thread.id),
        )
        .where(
            Watch.user_id == user_id,
            Watch.target_kind == "thread",
            Watch.level.in_(COUNTED_LEVELS),
            Thread.is_deleted.is_(False),
            Thread.is_hidden.is_(False),
        )
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .options(selectinload(Thread.board))
        .limit(limit + 1)
    )
    if cursor:
        when, ident = _decode(cursor)
        bound = db.literal(when, UTCDateTime())
        query = query.where(
            or_(Thread.last_post_at < bound,
                and_(Thread.last_post_at == bound, Thread.id < ident))
        )  # fmt: skip
    rows = db.session.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        TrackedThread(thread, level, max(thread.last_number - (last_read or 0), 0))
        for thread, level, last_read in rows
    ]
    return TrackedPage(items, _encode(rows[-1][0]) if more and rows else None)
