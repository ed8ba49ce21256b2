"""The search outbox: one row per content change, written in the same transaction as the change.

A row says "the search documents of this post (or of every post of this thread) may have
changed". The indexer re-reads the current database state for it, so applying a row twice, or
applying an old row after a newer one, gives the same index (see ``search.indexer``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.types import UTCDateTime, utcnow

#: target kinds
POST = "post"
THREAD = "thread"


class SearchOutbox(db.Model):
    __tablename__ = "search_outbox"
    # AUTOINCREMENT on SQLite: ids are never reused after old rows are pruned, so an indexer's
    # "last applied id" stays meaningful.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
