"""Moderation actions on posts and users. The caller owns the transaction; each action is
written to the audit log."""

from __future__ import annotations

from datetime import datetime

from audit.log import record_action
from auth.accounts import log_out_everywhere
from auth.models import User
from core.extensions import db
from core.types import utcnow
from forum import posting, signals
from forum.models import Post

FOREVER = datetime(9999, 12, 31, tzinfo=utcnow().tzinfo)


def hide_post(post: Post, *, actor: User | None, reason: str = "") -> None:
    """Collapse a post for everyone but its author and moderators (not a deletion)."""
    if post.hidden_at is not None:
        return
    post.hidden_at = utcnow()
    if post.number == 1:
        post.thread.is_hidden = True  # seen at the flush: search, the structured details' copies
    record_action(actor, "post.hide", "post", post.id, reason=reason)
    signals.queue_after_commit(
        db.session, signals.post_hidden, thread_id=post.thread_id, post_id=post.id,
        number=post.number,
    )  # fmt: skip


def restore_post(post: Post, *, actor: User | None, reason: str = "") -> None:
    if post.hidden_at is None:
        return
    post.hidden_at = None
    if post.number == 1:
        post.thread.is_hidden = False
    record_action(actor, "post.restore", "post", post.id, reason=reason)
    signals.queue_after_commit(
        db.session, signals.post_edited, thread_id=post.thread_id, post_id=post.id,
        number=post.number,
    )  # fmt: skip


def delete_post(post: Post, *, actor: User, reason: str = "") -> None:
    before = {"body": post.body_source}
    posting.delete_post(post=post, actor=actor)
    record_action(actor, "post.delete", "post", post.id, reason=reason, before=before)


def suspend_user(user: User, *, actor: User, until: datetime | None, reason: str) -> None:
    """Cannot log in until ``until`` (None: indefinitely). The reason is shown at login. Every
    login and API token of the account ends now (they would work again once it expires)."""
    before = _sanctions(user)
    log_out_everywhere(user)
    user.is_suspended = True
    user.suspended_until = until
    user.sanction_reason = reason
    record_action(actor, "user.suspend", "user", user.id, reason=reason, before=before,
                  after=_sanctions(user))  # fmt: skip


def silence_user(user: User, *, actor: User, until: datetime | None, reason: str) -> None:
    """Can read, cannot post, until ``until`` (None: indefinitely)."""
    before = _sanctions(user)
    user.silenced_until = until or FOREVER
    user.sanction_reason = reason
    record_action(actor, "user.silence", "user", user.id, reason=reason, before=before,
                  after=_sanctions(user))  # fmt: skip


def lift_sanctions(user: User, *, actor: User, reason: str = "") -> None:
    before = _sanctions(user)
    user.is_suspended = False
    user.suspended_until = None
    user.silenced_until = None
    user.sanction_reason = ""
    record_action(actor, "user.lift", "user", user.id, reason=reason, before=before,
                  after=_sanctions(user))  # fmt: skip


def _sanctions(user: User) -> dict:
    def iso(value):
        return value.isoformat() if value else None

    return {"suspended": user.is_suspended, "suspended_until": iso(user.suspended_until),
            "silenced_until": iso(user.silenced_until)}  # fmt: skip
