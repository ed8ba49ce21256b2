"""A local problem's status (募集中 → 調整中 → 連携成立 → 終了): the one function that changes
it. The structured edit form and API (through :func:`structured.details.save_details`), the
co-creation actions (accepting or partnering an offer) and the status buttons all end here, so
every change is checked, audited and announced the same way. The caller owns the transaction.

``status_changed(thread_id, before, after, actor_id)`` is queued for after the commit (ids and
slugs only); the co-creation package turns it into notifications for the problem's watchers and
offerers.
"""

from __future__ import annotations

from blinker import Namespace
from flask_babel import gettext as _

from audit.log import record_action
from auth.models import User
from auth.permissions import can
from core.extensions import db
from forum.models import Thread
from forum.signals import queue_after_commit
from structured.models import ThreadDetail
from structured.schema import CHALLENGE_STATUSES

_signals = Namespace()
status_changed = _signals.signal("challenge-status-changed")


class StatusRefused(ValueError):
    """``message`` is for the member (Japanese); ``code`` for the API (forbidden | invalid)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def may_change_status(user, thread: Thread) -> bool:
    """The problem's author (while they may still post) and the board's moderators."""
    if not getattr(user, "is_authenticated", False):
        return False
    if can(user, "thread.moderate", thread):
        return True
    return user.id == thread.author_id and not getattr(user, "is_silenced", False)


def change_status(
    *, actor: User, thread: Thread, detail: ThreadDetail, status: str, reason: str = "",
    authorised: bool = False,
) -> bool:  # fmt: skip
    """Set a local problem's status; returns whether it changed. ``authorised``: the caller has
    already checked a permission at least as strong (the edit of the problem's first post)."""
    if detail.kind != "challenge":
        raise StatusRefused("invalid", _("状況を変えられるのは地域課題だけです。"))
    if status not in CHALLENGE_STATUSES:
        raise StatusRefused("invalid", _("状況の値が正しくありません。"))
    if not authorised and not may_change_status(actor, thread):
        raise StatusRefused("forbidden", _("この地域課題の状況を変える権限がありません。"))
    before = detail.status
    if before == status:
        return False
    detail.status = status
    data = dict(detail.data or {})
    if "status" in data:
        data["status"] = status
        detail.data = data
    record_action(actor, "challenge.status", "thread", thread.id, reason=reason[:500],
                  before={"status": before}, after={"status": status})  # fmt: skip
    queue_after_commit(db.session, status_changed, thread_id=thread.id, before=before,
                       after=status, actor_id=actor.id)  # fmt: skip
    return True
