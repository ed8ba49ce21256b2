"""An author's moderation history, shown beside each queue item (bulk-loaded per page)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from core.extensions import db
from moderation.models import APPROVED, ModerationItem


def author_histories(items: Iterable[ModerationItem]) -> dict[int, dict[str, int]]:
    """user id → {"items": earlier queue items, "upheld": items decided against them}."""
    user_ids = {i.subject_user_id for i in items if i.subject_user_id}
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(
            ModerationItem.subject_user_id,
            func.count(ModerationItem.id),
            func.count(ModerationItem.id).filter(ModerationItem.status == APPROVED),
        )
        .where(ModerationItem.subject_user_id.in_(user_ids))
        .group_by(ModerationItem.subject_user_id)
    )
    return {uid: {"items": total, "upheld": upheld} for uid, total, upheld in rows}
