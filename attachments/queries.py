"""Reading attachments: one statement each (the uploader comes joined)."""

from __future__ import annotations

from sqlalchemy import func, select

from attachments.models import Attachment
from core.extensions import db


def list_for_thread(thread_id: int) -> list[Attachment]:
    """The thread's files that are not removed, oldest first (one SQL statement)."""
    query = (
        select(Attachment)
        .where(Attachment.thread_id == thread_id, Attachment.deleted_at.is_(None))
        .order_by(Attachment.id)
    )
    return list(db.session.scalars(query))


def count_for_thread(thread_id: int) -> int:
    query = select(func.count()).where(
        Attachment.thread_id == thread_id, Attachment.deleted_at.is_(None)
    )
    return db.session.scalar(query) or 0


def get_attachment(attachment_id: int) -> Attachment | None:
    return db.session.get(Attachment, attachment_id)
