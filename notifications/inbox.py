"""Reading one's notifications: the unread count, the lists (keyset pagination on
``(updated_at, id)``), marking read. The caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, false, func, or_, select, update

from core import cursors
from core.extensions import db
from core.types import utcnow
from notifications.models import Notification

#: the badge counts up to this and then says "99+"
COUNT_CAP = 100


def unread_count(user_id: int) -> int:
    """One indexed COUNT over at most COUNT_CAP rows (ix_notifications_user_unread)."""
    inner = (
        select(Notification.id)
        .where(Notification.user_id == user_id, Notification.is_quiet == false(),
               Notification.read_at.is_(None))
        .limit(COUNT_CAP)
        .subquery()
    )  # fmt: skip
    return db.session.scalar(select(func.count()).select_from(inner)) or 0


def encode_cursor(n: Notification) -> str:
    return cursors.encode(n.updated_at, n.id)


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    return cursors.decode(cursor, datetime, int)


@dataclass
class Page:
    items: list[Notification]
    next_cursor: str | None


def list_page(
    user_id: int, *, unread_only: bool = False, read_only: bool = False,
    cursor: str | None = None, limit: int = 30,
) -> Page:  # fmt: skip
    """Newest activity first. ``unread_only`` / ``read_only`` split the centre's two lists."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if read_only:
        query = query.where(Notification.read_at.is_not(None))
    if cursor:
        when, ident = decode_cursor(cursor)
        query = query.where(
            or_(Notification.updated_at < when,
                and_(Notification.updated_at == when, Notification.id < ident))
        )  # fmt: skip
    query = query.order_by(Notification.updated_at.desc(), Notification.id.desc()).limit(limit + 1)
    rows = list(db.session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1]) if more and rows else None)


def mark_read(user_id: int, ids: list[int]) -> int:
    if not ids:
        return 0
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.id.in_(ids),
               Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return result.rowcount or 0


def mark_all_read(user_id: int) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
