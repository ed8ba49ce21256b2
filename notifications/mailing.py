"""E-mail: one message per notification for kinds set to "immediately" (sent after
NOTIFICATION_EMAIL_DELAY_SECONDS, only if still unread and still visible, with the post's text
as it is then), and daily / weekly digests. Japanese, plain text and HTML, with a signed,
expiring one-click unsubscribe link (``List-Unsubscribe`` / ``List-Unsubscribe-Post``).

A message that fails to send stays pending and is retried with backoff; after MAX_ATTEMPTS it
is marked failed — the notification itself is never deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from auth.models import User
from conversations import service as conversation_service
from core.extensions import db
from core.mail import send_mail
from core.types import utcnow
from core.urls import absolute_path, absolute_url, site_url
from forum.models import Post, Thread
from notifications import kinds
from notifications.fanout import may_see
from notifications.kinds import DAILY, WEEKLY
from notifications.models import (
    EMAIL_DIGEST,
    EMAIL_FAILED,
    EMAIL_PENDING,
    EMAIL_SENT,
    EMAIL_SKIPPED,
    Notification,
    NotificationSettings,
)
from notifications.presenting import present
from notifications.watching import email_mode

SALT = "kyoso.notify-unsubscribe"
ALL_KINDS = "all"
MAX_ATTEMPTS = 10
EXCERPT_CHARS = 400


# --- unsubscribe tokens ----------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_unsubscribe_token(user_id: int, kind: str = ALL_KINDS) -> str:
    return _serializer().dumps({"u": user_id, "k": kind})


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """``(user_id, kind)`` for a valid token, None for a tampered or expired one."""
    try:
        data = _serializer().loads(
            token, max_age=current_app.config["NOTIFICATION_UNSUBSCRIBE_MAX_AGE"]
        )
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    kind = data.get("k")
    if kind != ALL_KINDS and kind not in kinds.KINDS:
        return None
    return data["u"], kind


def unsubscribe(user_id: int, kind: str) -> None:
    """Set e-mail for ``kind`` (or every kind) to "never"; the caller commits."""
    row = db.session.get(NotificationSettings, user_id)
    if row is None:
        row = NotificationSettings(user_id=user_id, email_modes={})
        db.session.add(row)
    modes = dict(row.email_modes or {})
    for k in kinds.KINDS if kind == ALL_KINDS else (kind,):
        modes[k] = kinds.NEVER
    row.email_modes = modes
    row.updated_at = utcnow()


# --- rendering -------------------------------------------------------------------------------


@contextmanager
def mail_context() -> Iterator[None]:
    """Absolute links and Japanese text outside a request (worker thread, CLI)."""
    with current_app.test_request_context("/", base_url=site_url()), force_locale("ja"):
        yield


def _headers(unsubscribe_url: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _excerpt(post: Post | None) -> str:
    if post is None:
        return ""
    text = post.body_source.strip()
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"


def _send(user: User, subject: str, template: str, unsubscribe_kind: str, **context) -> None:
    token = make_unsubscribe_token(user.id, unsubscribe_kind)
    unsubscribe_url = absolute_url("notifications.unsubscribe", token=token)
    context.update(
        user=user, unsubscribe_url=unsubscribe_url,
        settings_url=absolute_url("notifications.settings"),
        centre_url=absolute_url("notifications.centre"),
    )  # fmt: skip
    text = render_template(f"notifications/email/{template}.txt", **context)
    html = render_template(f"notifications/email/{template}.html", **context)
    send_mail(user.email, subject, text, html, headers=_headers(unsubscribe_url))


def _still_worth_sending(n: Notification, user: User) -> tuple[bool, Post | None]:
    if n.read_at is not None:  # seen on the site meanwhile: not away
        return False, None
    if n.kind == kinds.MESSAGE:  # a private message: only while they are still in it
        conversation_id = (n.data or {}).get("conversation_id")
        if not conversation_id or conversation_service.participant(conversation_id, user) is None:
            return False, None
    post = db.session.get(Post, n.post_id) if n.post_id else None
    thread = db.session.get(Thread, n.thread_id) if n.thread_id else None
    if n.post_id and post is None:
        return False, None
    if not may_see(user, post, thread):  # deleted, hidden, suspended since
        return False, None
    return True, post


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(6 * 3600, 60 * 2 ** (attempts - 1)))


# --- immediate -------------------------------------------------------------------------------


def send_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send the e-mails whose delay has passed; returns how many were sent."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.email_state == EMAIL_PENDING, Notification.email_due_at <= now)
            .order_by(Notification.email_due_at, Notification.id)
            .limit(limit)
        )
    )
    sent = 0
    for n in due:
        user = db.session.get(User, n.user_id)
        settings = db.session.get(NotificationSettings, n.user_id)
        worth, post = _still_worth_sending(n, user)
        if not worth or email_mode(settings, n.kind) != kinds.IMMEDIATE:
            n.email_state = EMAIL_SKIPPED
            db.session.commit()
            continue
        try:
            with mail_context():
                shown = present([n])[0]
                _send(user, _("[共創] %(text)s", text=shown.text), "notification", n.kind,
                      shown=shown, excerpt=_excerpt(post),
                      url=absolute_url("forum.permalink", post_id=post.id)
                      if post is not None else absolute_path(shown.url))  # fmt: skip
        except Exception:  # noqa: BLE001 - retried with backoff, never dropped
            current_app.logger.exception("notification e-mail %s failed", n.id)
            n.email_attempts += 1
            if n.email_attempts >= MAX_ATTEMPTS:
                n.email_state = EMAIL_FAILED
            else:
                n.email_due_at = now + _backoff(n.email_attempts)
            db.session.commit()
            continue
        n.email_state, n.emailed_at = EMAIL_SENT, utcnow()
        db.session.commit()
        sent += 1
    return sent


# --- digests ---------------------------------------------------------------------------------

PERIODS = {DAILY: timedelta(days=1), WEEKLY: timedelta(days=7)}


def send_digests(*, now: datetime | None = None) -> int:
    """One digest per member and period (daily, weekly) that is due: everything of the kinds
    set to that period that arrived since the last one and is still unread and visible. Two
    queries decide who is due; only they are read further."""
    now = now or utcnow()
    firsts = dict(
        db.session.execute(
            select(Notification.user_id, func.min(Notification.created_at))
            .where(Notification.email_state == EMAIL_DIGEST)
            .group_by(Notification.user_id)
        ).all()
    )
    settings: dict[int, NotificationSettings] = {}
    ids = list(firsts)
    for start in range(0, len(ids), 5000):
        for row in db.session.scalars(
            select(NotificationSettings).where(
                NotificationSettings.user_id.in_(ids[start : start + 5000])
            )
        ):
            settings[row.user_id] = row
    sent = 0
    for user_id, first in firsts.items():
        row = settings.get(user_id)
        for period in (DAILY, WEEKLY):
            last = getattr(row, f"last_{period}_digest_at") if row is not None else None
            if now - (last or first) < PERIODS[period]:
                continue
            try:
                sent += _digest_for(user_id, period, now)
            except Exception:  # noqa: BLE001 - the rows stay in "digest": tried next round
                db.session.rollback()
                current_app.logger.exception("digest for user %s failed", user_id)
    return sent


def _digest_for(user_id: int, period: str, now: datetime) -> int:
    user = db.session.get(User, user_id)
    settings = db.session.get(NotificationSettings, user_id)
    period_kinds = [k for k in kinds.KINDS if email_mode(settings, k) == period]
    rows = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.email_state == EMAIL_DIGEST)
            .order_by(Notification.created_at, Notification.id)
        )
    )
    if not rows:
        return 0
    last = getattr(settings, f"last_{period}_digest_at", None) if settings else None
    since = last or min(n.created_at for n in rows)
    if now - since < PERIODS[period]:
        return 0
    mine = [n for n in rows if n.kind in period_kinds]
    keep = []
    for n in mine:
        worth, _post = _still_worth_sending(n, user)
        if worth:
            keep.append(n)
        else:
            n.email_state = EMAIL_SKIPPED
    if settings is None:
        settings = NotificationSettings(user_id=user_id, email_modes={})
        db.session.add(settings)
    setattr(settings, f"last_{period}_digest_at", now)
    if not keep:
        db.session.commit()
        return 0
    with mail_context():
        shown = present(keep)
        threads = [s for s in shown if s.kind == kinds.NEW_THREAD]
        replies = [s for s in shown if s.kind in (kinds.POSTED, kinds.REPLIED)]
        others = [s for s in shown if s not in threads and s not in replies]
        subject = (
            _("[共創] 今日のお知らせ（%(n)s件）", n=len(shown)) if period == DAILY
            else _("[共創] 今週のお知らせ（%(n)s件）", n=len(shown))
        )  # fmt: skip
        _send(user, subject, "digest", ALL_KINDS, period=period, threads=threads,
              replies=replies, others=others, external=absolute_path)  # fmt: skip
    for n in keep:
        n.email_state, n.emailed_at = EMAIL_SENT, now
    db.session.commit()
    return 1


# --- status ----------------------------------------------------------------------------------


def figures(now: datetime | None = None) -> dict[str, int]:
    """``flask status`` and ``/metrics``: immediate e-mails waiting to be sent, and those that
    failed within the last day — still being retried, or given up (their ``email_due_at`` is
    then the due time of the last try). Two counts on the e-mail index."""
    now = now or utcnow()
    pending = db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.email_state == EMAIL_PENDING)
    )  # fmt: skip
    failed = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.email_state.in_((EMAIL_PENDING, EMAIL_FAILED)),
            Notification.email_due_at >= now - timedelta(days=1),
            Notification.email_attempts > 0,
        )
    )
    return {"pending": pending or 0, "failures_last_day": failed or 0}
