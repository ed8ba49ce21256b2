"""Recording content changes for the indexer, in the same transaction as the change.

A ``after_flush`` listener on every SQLAlchemy session looks at the posts and threads the flush
wrote and, when an indexed column changed (:data:`WATCHED`), inserts outbox rows on the same
connection: they commit or roll back with the content. Nothing in ``forum`` has to call search.
Bulk ``UPDATE`` statements bypass this; code that changes an indexed column that way calls
:func:`record` itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, event, func, inspect, or_, select
from sqlalchemy.orm import Session

from core.extensions import db
from core.types import utcnow
from forum.models import Post, Thread
from search.models import POST, THREAD, SearchOutbox

#: the columns whose change changes a search document (or whether it may be in the index)
WATCHED: dict[type, tuple[str, tuple[str, ...]]] = {
    Post: (POST, ("body_html", "deleted_at", "hidden_at", "thread_id", "author_id", "number")),
    Thread: (THREAD, ("title", "is_deleted", "is_hidden", "board_id", "kind")),
}


def _changed(obj, columns: tuple[str, ...]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in columns)


def _targets(session: Session) -> set[tuple[str, int]]:
    targets: set[tuple[str, int]] = set()
    for obj in (*session.new, *session.deleted):
        watched = WATCHED.get(type(obj))
        if watched is not None and obj.id is not None:
            targets.add((watched[0], obj.id))
    for obj in session.dirty:
        watched = WATCHED.get(type(obj))
        if watched is not None and _changed(obj, watched[1]):
            targets.add((watched[0], obj.id))
    return targets


def _after_flush(session: Session, _flush_context) -> None:
    targets = _targets(session)
    if targets:
        record(session, sorted(targets))


def record(session: Session, targets: Iterable[tuple[str, int]]) -> None:
    """Insert outbox rows for ``(kind, id)`` targets in the session's current transaction."""
    now = utcnow()
    rows = [{"kind": kind, "target_id": target, "created_at": now} for kind, target in targets]
    if rows:
        session.connection().execute(SearchOutbox.__table__.insert(), rows)


def install() -> None:
    """Listen to every session's flushes (once per process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


# --- reading -----------------------------------------------------------------------------------


def read_batch(*, after: int, gaps: Iterable[int] = (), limit: int = 500) -> list[SearchOutbox]:
    """Rows with an id above ``after`` (oldest first, at most ``limit``), plus any of ``gaps``
    that have appeared since."""
    gaps = list(gaps)
    condition = SearchOutbox.id > after
    if gaps:
        condition = or_(condition, SearchOutbox.id.in_(gaps))
    query = select(SearchOutbox).where(condition).order_by(SearchOutbox.id).limit(limit)
    return list(db.session.scalars(query))


def high_water() -> int:
    return db.session.scalar(select(func.max(SearchOutbox.id))) or 0


def last_id_before(when: datetime) -> int:
    query = select(func.max(SearchOutbox.id)).where(SearchOutbox.created_at < when)
    return db.session.scalar(query) or 0


def count_after(after: int) -> int:
    query = select(func.count()).select_from(SearchOutbox).where(SearchOutbox.id > after)
    return db.session.scalar(query) or 0


def oldest_after(after: int) -> datetime | None:
    query = select(func.min(SearchOutbox.created_at)).where(SearchOutbox.id > after)
    return db.session.scalar(query)


def prune(*, before: datetime, keep_after: int) -> int:
    """Delete rows older than ``before`` that this indexer has applied; returns the count."""
    result = db.session.execute(
        delete(SearchOutbox).where(SearchOutbox.created_at < before, SearchOutbox.id <= keep_after)
    )
    return result.rowcount or 0
