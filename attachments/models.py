"""Files attached to cases, events and policies (flyers, manuals)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.extensions import db
from core.types import UTCDateTime, utcnow
from forum.models import Thread

#: content type -> the short name people know it by
KIND_LABELS = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/webp": "WebP",
}


class Attachment(db.Model):
    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_thread", "thread_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: the name shown and offered for download (sanitised)
    filename: Mapped[str] = mapped_column(String(200))
    #: detected from the content: application/pdf, image/png, image/jpeg, image/webp
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    #: path relative to ATTACHMENTS_DIR
    storage_key: Mapped[str] = mapped_column(String(120), unique=True)
    width: Mapped[int | None] = mapped_column()
    height: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    uploader: Mapped[User] = relationship(lazy="joined")
    thread: Mapped[Thread] = relationship(lazy="select")

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.content_type, self.content_type)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
