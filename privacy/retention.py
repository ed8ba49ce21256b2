"""Retention enforced (保存期間): ``purge(now=…)`` deletes or empties what has been kept long
enough, per the settings below (days; 0 turns a kind off). ``flask --app app privacy purge`` runs
it; tests give it a frozen ``now``.

    PRIVACY_RETAIN_REJECTED_HELD_DAYS      rejected / deleted held posts' text          30
    PRIVACY_RETAIN_NOTIFICATION_JOBS_DAYS  finished notification jobs                    7
    PRIVACY_RETAIN_MAIL_OUTBOX_DAYS        .eml files in MAIL_OUTBOX_DIR                14
    PRIVACY_RETAIN_DELETED_READ_DAYS       read positions of deleted threads             0 (at once)
    PRIVACY_RETAIN_REVOKED_TOKENS_DAYS     revoked API tokens                           90
    PRIVACY_RETAIN_CONTACT_DAYS            messages to the secretariat (お問い合わせ) that
                                           have been dealt with, from their arrival     365
    PRIVACY_RETAIN_IP_DAYS                 IP addresses (none are stored in the database:
                                           rate-limit counters expire with their window) 90

Expired logins (older than LOGIN_MAX_DAYS) and address blocks whose sanction has ended are
deleted too. The caller commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select, update

from auth.models import ApiToken, ErasedAddress, UserSession
from core.extensions import db
from core.types import utcnow
from forum.models import Thread
from moderation.models import DELETED, PENDING, REJECTED, HeldPost, ModerationItem
from notifications.models import JOB_DONE, JOB_FAILED, NotificationJob, ReadPosition
from pages.models import ContactMessage

DEFAULTS = {
    "PRIVACY_RETAIN_REJECTED_HELD_DAYS": 30,
    "PRIVACY_RETAIN_NOTIFICATION_JOBS_DAYS": 7,
    "PRIVACY_RETAIN_MAIL_OUTBOX_DAYS": 14,
    "PRIVACY_RETAIN_DELETED_READ_DAYS": 0,
    "PRIVACY_RETAIN_REVOKED_TOKENS_DAYS": 90,
    "PRIVACY_RETAIN_CONTACT_DAYS": 365,
    "PRIVACY_RETAIN_IP_DAYS": 90,
}


def _days(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def _count(result) -> int:
    return max(result.rowcount or 0, 0)


def purge(*, now: datetime | None = None) -> dict[str, int]:
    """Apply every retention rule once; returns how many rows (files) each rule removed."""
    now = now or utcnow()
    done: dict[str, int] = {}

    days = _days("PRIVACY_RETAIN_REJECTED_HELD_DAYS")
    if days:
        cutoff = now - timedelta(days=days)
        refused = select(ModerationItem.held_post_id).where(
            ModerationItem.held_post_id.is_not(None),
            ModerationItem.status.in_((REJECTED, DELETED)),
            ModerationItem.decided_at < cutoff,
        )
        done["rejected_held_posts"] = _count(
            db.session.execute(
                update(HeldPost)
                .where(HeldPost.id.in_(refused), HeldPost.published_post_id.is_(None),
                       HeldPost.body_source != "")  # fmt: skip
                .values(title=None, details=None, body_source="", body_html="")
                .execution_options(synchronize_session=False)
            )
        )

    days = _days("PRIVACY_RETAIN_NOTIFICATION_JOBS_DAYS")
    if days:
        cutoff = now - timedelta(days=days)
        done["notification_jobs"] = _count(
            db.session.execute(
                delete(NotificationJob).where(
                    ((NotificationJob.status == JOB_DONE) & (NotificationJob.done_at < cutoff))
                    | ((NotificationJob.status == JOB_FAILED)
                       & (NotificationJob.created_at < cutoff))  # fmt: skip
                )
            )
        )

    days = _days("PRIVACY_RETAIN_DELETED_READ_DAYS")
    deleted_threads = select(Thread.id).where(Thread.is_deleted.is_(True))
    condition = ReadPosition.thread_id.in_(deleted_threads)
    if days:
        condition = condition & (ReadPosition.updated_at < now - timedelta(days=days))
    done["deleted_thread_read_positions"] = _count(
        db.session.execute(delete(ReadPosition).where(condition))
    )

    days = _days("PRIVACY_RETAIN_REVOKED_TOKENS_DAYS")
    if days:
        done["revoked_api_tokens"] = _count(
            db.session.execute(
                delete(ApiToken).where(ApiToken.revoked_at < now - timedelta(days=days))
            )
        )

    days = _days("PRIVACY_RETAIN_CONTACT_DAYS")
    if days:
        # a message still waiting in the queue is kept, however old: it has not been answered
        waiting = select(ModerationItem.id).where(ModerationItem.status == PENDING)
        done["contact_messages"] = _count(
            db.session.execute(
                delete(ContactMessage).where(
                    ContactMessage.created_at < now - timedelta(days=days),
                    ContactMessage.item_id.is_(None) | ContactMessage.item_id.not_in(waiting),
                )
            )
        )

    login_days = int(current_app.config.get("LOGIN_MAX_DAYS", 30))
    done["expired_logins"] = _count(
        db.session.execute(
            delete(UserSession).where(UserSession.created_at < now - timedelta(days=login_days))
        )
    )

    done["ended_address_blocks"] = _count(
        db.session.execute(
            delete(ErasedAddress).where(
                ErasedAddress.blocked_until.is_not(None), ErasedAddress.blocked_until <= now
            )
        )
    )

    days = _days("PRIVACY_RETAIN_MAIL_OUTBOX_DAYS")
    if days:
        done["mail_outbox_files"] = _purge_outbox(now - timedelta(days=days))
    return done


def _purge_outbox(cutoff: datetime) -> int:
    folder = current_app.config.get("MAIL_OUTBOX_DIR")
    if not folder or not Path(folder).is_dir():
        return 0
    limit = cutoff.timestamp()
    removed = 0
    for path in Path(folder).glob("*.eml"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed

