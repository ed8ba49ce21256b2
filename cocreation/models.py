"""Offers to partner on a local problem (連携の申し出). Thin rows: operations live in
``cocreation.service``.

An offer is made by a verified member for their organisation; one organisation has at most one
live offer (open, accepted for discussion, or partnered) per problem — a partial unique index
says so to the database too. The message is stored as Markdown source and sanitised HTML
(rendered once, on write, by the posts' renderer).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.extensions import db
from core.types import UTCDateTime, utcnow
from directory.models import Organization

OPEN, ACCEPTED, PARTNERED, DECLINED, WITHDRAWN = (
    "open", "accepted", "partnered", "declined", "withdrawn",
)  # fmt: skip
STATUSES = (OPEN, ACCEPTED, PARTNERED, DECLINED, WITHDRAWN)
#: the statuses of a live offer (one per organisation and problem)
LIVE = (OPEN, ACCEPTED, PARTNERED)
_LIVE_SQL = "status IN ('open', 'accepted', 'partnered')"


class Offer(db.Model):
    __tablename__ = "offers"
    __table_args__ = (
        Index("ix_offers_thread_id", "thread_id", "id"),
        Index(
            "uq_offers_live_per_organization",
            "thread_id",
            "organization_id",
            unique=True,
            sqlite_where=text(_LIVE_SQL),
            postgresql_where=text(_LIVE_SQL),
        ),  # fmt: skip
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    message_source: Mapped[str] = mapped_column(Text)
    message_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organization: Mapped[Organization] = relationship(lazy="joined")
    author: Mapped[User] = relationship(lazy="joined", foreign_keys=[author_id])

    @property
    def is_live(self) -> bool:
        return self.status in LIVE
