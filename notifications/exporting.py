"""A member's own notification data as one JSON-ready document (issue #7, item 7): settings,
watches, mutes, RSVPs, read positions and notifications. Only the member's rows; other people
appear only as the id and handle of an actor or a muted account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from auth.models import User
from core.extensions import db
from core.jsonapi import iso
from core.types import utcnow
from notifications.kinds import KINDS
from notifications.models import EventRsvp, Notification, ReadPosition, UserMute, Watch
from notifications.watching import email_mode, settings_for

FORMAT_VERSION = 1


def _person(user_id: int | None, handle: str | None) -> dict[str, Any] | None:
    return {"id": user_id, "handle": handle} if user_id is not None else None


def export_for(user: User, *, now: datetime | None = None) -> dict[str, Any]:
    """Six statements whatever the amounts (settings, watches, mutes, RSVPs, positions,
    notifications with their actors)."""
    uid = user.id
    row = settings_for(uid)
    watches = db.session.execute(
        select(Watch.target_kind, Watch.target_key, Watch.level, Watch.created_at)
        .where(Watch.user_id == uid)
        .order_by(Watch.target_kind, Watch.target_key)
    )
    mutes = db.session.execute(
        select(UserMute.muted_user_id, User.handle, UserMute.created_at)
        .join(User, User.id == UserMute.muted_user_id)
        .where(UserMute.user_id == uid)
        .order_by(UserMute.created_at)
    )
    rsvps = db.session.execute(
        select(EventRsvp.thread_id, EventRsvp.status, EventRsvp.created_at)
        .where(EventRsvp.user_id == uid)
        .order_by(EventRsvp.thread_id)
    )
    positions = db.session.execute(
        select(ReadPosition.thread_id, ReadPosition.last_read_number, ReadPosition.updated_at)
        .where(ReadPosition.user_id == uid)
        .order_by(ReadPosition.thread_id)
    )
    actor = aliased(User)
    notifications = db.session.execute(
        select(
            Notification.id, Notification.kind, Notification.thread_id, Notification.post_id,
            Notification.actor_id, actor.handle, Notification.count, Notification.is_quiet,
            Notification.created_at, Notification.updated_at, Notification.read_at,
        )
        .outerjoin(actor, actor.id == Notification.actor_id)
        .where(Notification.user_id == uid)
        .order_by(Notification.id)
        .execution_options(yield_per=1000)
    )  # fmt: skip
    return {
        "format_version": FORMAT_VERSION,
        "exported_at": iso(now or utcnow()),
        "user": {"id": uid, "handle": user.handle},
        "settings": {
            "email": {kind: email_mode(row, kind) for kind in KINDS},
            "auto_watch_start": row.auto_watch_start,
            "auto_watch_reply": row.auto_watch_reply,
            "last_daily_digest_at": iso(row.last_daily_digest_at),
            "last_weekly_digest_at": iso(row.last_weekly_digest_at),
        },
        "watches": [
            {"target_kind": kind, "target_id": key, "level": level, "created_at": iso(at)}
            for kind, key, level, at in watches
        ],
        "muted_users": [
            {"user": _person(mid, handle), "muted_at": iso(at)} for mid, handle, at in mutes
        ],
        "rsvps": [
            {"thread_id": tid, "status": status, "created_at": iso(at)} for tid, status, at in rsvps
        ],
        "read_positions": [
            {"thread_id": tid, "last_read_number": number, "updated_at": iso(at)}
            for tid, number, at in positions
        ],
        "notifications": [
            {
                "id": n.id,
                "kind": n.kind,
                "thread_id": n.thread_id,
                "post_id": n.post_id,
                "actor": _person(n.actor_id, n.handle),
                "count": n.count,
                "is_quiet": n.is_quiet,
                "is_read": n.read_at is not None,
                "created_at": iso(n.created_at),
                "updated_at": iso(n.updated_at),
                "read_at": iso(n.read_at),
            }  # fmt: skip
            for n in notifications
        ],
    }
