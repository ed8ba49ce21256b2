"""Recording content changes for the indexer, in the same transaction as the change.

:mod:`core.events` collects the posts and threads whose indexed columns (:data:`WATCHED`) a
transaction changed; just before it commits, :func:`_record_changes` inserts outbox rows on the
same connection: they commit or roll back with the content. Nothing in ``forum`` has to call
search. Bulk ``UPDATE`` statements bypass this; code that changes an indexed column that way
calls ``core.events.touch``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from core import events
from core.extensions import db
from core.types import utcnow
from forum.models import Post, Thread
from search.models import POST, THREAD, SearchOutbox

log = logging.getLogger(__name__)

#: the columns whose change changes a search document (or whether it may be in the index)
WATCHED: dict[type, tuple[str, tuple[str, ...]]] = {
    Post: (POST, ("body_html", "deleted_at", "hidden_at", "thread_id", "author_id", "number")),
    Thread: (THREAD, ("title", "is_deleted", "is_hidden", "board_id", "kind")),
}


def _record_changes(session: Session, batch: events.Batch) -> None:
    targets = [(kind, target) for kind in (POST, THREAD)
               for target in sorted(batch.changes.get(kind, ()))]  # fmt: skip
    record(session, targets)


def record(session: Session, targets: Iterable[tuple[str, int]]) -> None:
    """Insert outbox rows for ``(kind, id)`` targets in the session's current transaction."""
    now = utcnow()
    rows = [{"kind": kind, "target_id": target, "created_at": now} for kind, target in targets]
    if rows:
        session.connection().execute(SearchOutbox.__table__.insert(), rows)
        # the outbox has no column for it: the line carries the request id (LOG_FORMAT=json)
        log.info("search outbox: %d rows recorded", len(rows))


def install() -> None:
    """Watch the indexed columns and record the changed rows at commit (once per process)."""
    for model, (kind, columns) in WATCHED.items():
        events.watch(model, kind, columns)
    events.add_recorder(_record_changes)


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
