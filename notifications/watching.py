"""Watch levels, user mutes and notification settings. The caller owns the transaction."""

from __future__ import annotations

from sqlalchemy import delete, select

from auth.models import User
from core.extensions import db
from core.types import utcnow
from notifications.kinds import DEFAULT_EMAIL_MODES, EMAIL_MODES
from notifications.models import (
    NORMAL,
    TAG_LEVELS,
    TARGET_KINDS,
    THREAD_LEVELS,
    NotificationSettings,
    UserMute,
    Watch,
)


def levels_for(target_kind: str) -> tuple[str, ...]:
    return THREAD_LEVELS if target_kind == "thread" else TAG_LEVELS


def get_level(user: User, target_kind: str, target_key: object) -> str:
    """The level ``user`` chose for the target (``normal`` when none)."""
    level = db.session.scalar(
        select(Watch.level).where(
            Watch.user_id == user.id,
            Watch.target_kind == target_kind,
            Watch.target_key == str(target_key),
        )
    )
    return level or NORMAL


def set_level(user: User, target_kind: str, target_key: object, level: str) -> None:
    """Set (or, with ``normal``, forget) the user's level for a target."""
    if target_kind not in TARGET_KINDS or level not in levels_for(target_kind):
        raise ValueError(f"bad watch {target_kind}/{level}")
    key = str(target_key)
    watch = db.session.scalar(
        select(Watch).where(
            Watch.user_id == user.id, Watch.target_kind == target_kind, Watch.target_key == key
        )
    )
    if level == NORMAL:
        if watch is not None:
            db.session.delete(watch)
        return
    if watch is None:
        db.session.add(Watch(user_id=user.id, target_kind=target_kind, target_key=key, level=level))
    else:
        watch.level = level


def auto_watch(user_id: int, thread_id: int, level: str) -> None:
    """After starting or replying: set the thread's level unless the member chose one."""
    if level == NORMAL:
        return
    exists = db.session.scalar(
        select(Watch.id).where(
            Watch.user_id == user_id, Watch.target_kind == "thread",
            Watch.target_key == str(thread_id),
        )
    )  # fmt: skip
    if exists is None:
        db.session.add(
            Watch(user_id=user_id, target_kind="thread", target_key=str(thread_id), level=level)
        )


def settings_for(user_id: int) -> NotificationSettings:
    """The member's settings row, or an unsaved one with the defaults."""
    row = db.session.get(NotificationSettings, user_id)
    if row is None:
        row = NotificationSettings(
            user_id=user_id, email_modes={}, auto_watch_start="watching",
            auto_watch_reply="tracking",
        )  # fmt: skip
    return row


def email_mode(settings: NotificationSettings | None, kind: str) -> str:
    """The member's e-mail mode for ``kind`` (``settings`` None: the defaults)."""
    mode = (settings.email_modes or {}).get(kind) if settings is not None else None
    return mode if mode in EMAIL_MODES else DEFAULT_EMAIL_MODES[kind]


def save_settings(
    user: User, *, email_modes: dict[str, str], auto_watch_start: str, auto_watch_reply: str
) -> NotificationSettings:
    row = db.session.get(NotificationSettings, user.id)
    if row is None:
        row = NotificationSettings(user_id=user.id)
        db.session.add(row)
    row.email_modes = {k: v for k, v in email_modes.items() if k in DEFAULT_EMAIL_MODES}
    row.auto_watch_start = auto_watch_start
    row.auto_watch_reply = auto_watch_reply
    row.updated_at = utcnow()
    return row


def muted_user_ids(user: User) -> list[int]:
    return list(
        db.session.scalars(select(UserMute.muted_user_id).where(UserMute.user_id == user.id))
    )


def list_mutes(user: User) -> list[UserMute]:
    return list(
        db.session.scalars(
            select(UserMute).where(UserMute.user_id == user.id).order_by(UserMute.created_at)
        )
    )


def mute_user(user: User, other: User) -> None:
    if other.id == user.id:
        raise ValueError("cannot mute oneself")
    if db.session.get(UserMute, (user.id, other.id)) is None:
        db.session.add(UserMute(user_id=user.id, muted_user_id=other.id))


def unmute_user(user: User, other_id: int) -> None:
    db.session.execute(
        delete(UserMute).where(UserMute.user_id == user.id, UserMute.muted_user_id == other_id)
    )
