"""Recording and reading the audit log (every moderator and admin action, append-only)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from audit.models import AuditEntry
from auth.models import User
from core.csvsafe import csv_cell
from core.extensions import db


def record_action(
    actor: User | None,
    action: str,
    target_kind: str,
    target_id: int | None,
    *,
    reason: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry (``actor`` None means the system, e.g. an automatic hide)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_kind=target_kind,
        target_id=target_id,
        reason=reason,
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry


def list_entries(
    *, action: str | None = None, actor_id: int | None = None, before_id: int | None = None,
    limit: int = 50,
) -> list[AuditEntry]:  # fmt: skip
    """Newest first, keyset-paginated by id."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    return list(db.session.scalars(query))


def export_csv(entries: Iterable[AuditEntry]) -> str:
    """The entries as CSV; every cell goes through ``core.csvsafe.csv_cell`` (reasons and the
    before/after values are typed by people, some of them not staff)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "created_at", "actor", "action", "target_kind", "target_id", "reason",
                     "before", "after"])  # fmt: skip
    for e in entries:
        row = [e.id, e.created_at.isoformat(), e.actor.handle if e.actor else "system", e.action,
               e.target_kind, e.target_id or "", e.reason, e.before or "", e.after or ""]  # fmt: skip
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()
