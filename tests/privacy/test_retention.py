"""Retention with a frozen clock: each kind is removed once it is older than its setting, and not a
day before."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from auth.models import ApiToken, ErasedAddress, UserSession
from core.extensions import db
from forum.models import Board
from moderation.models import REJECTED, HeldPost, ModerationItem
from notifications.models import JOB_DONE, JOB_PENDING, NotificationJob, ReadPosition
from pages.contact import submit_contact
from pages.models import ContactMessage
from privacy import retention
from tests.privacy.conftest import held_post_of

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def _days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def _reject(held: HeldPost, days: float) -> None:
    item = db.session.scalar(select(ModerationItem).where(ModerationItem.held_post_id == held.id))
    item.status, item.decided_at = REJECTED, _days_ago(days)


def test_purge_with_a_frozen_clock(app, user, thread_factory):
    board = db.session.scalar(select(Board).where(Board.slug == "zentai"))
    live, gone = thread_factory(author=user), thread_factory(author=user)
    gone.is_deleted = True
    old_held = held_post_of(user, board, live, "却下された古い本文")
    new_held = held_post_of(user, board, live, "却下されたばかりの本文")
    _reject(old_held, 31)
    _reject(new_held, 29)
    db.session.add_all([
        NotificationJob(event="x", payload={"user_id": user.id}, status=JOB_DONE,
                        done_at=_days_ago(8)),
        NotificationJob(event="y", payload={}, status=JOB_DONE, done_at=_days_ago(6)),
        NotificationJob(event="z", payload={}, status=JOB_PENDING, created_at=_days_ago(30)),
        ReadPosition(user_id=user.id, thread_id=live.id, last_read_number=1),
        ReadPosition(user_id=user.id, thread_id=gone.id, last_read_number=1),
        ApiToken(user_id=user.id, token_hash="a" * 64, revoked_at=_days_ago(91)),
        ApiToken(user_id=user.id, token_hash="b" * 64, revoked_at=_days_ago(10)),
        UserSession(user_id=user.id, nonce_hash="c" * 64, created_at=_days_ago(31)),
        UserSession(user_id=user.id, nonce_hash="d" * 64, created_at=_days_ago(1)),
        ErasedAddress(address_key="e" * 64, blocked_until=_days_ago(1)),
        ErasedAddress(address_key="f" * 64, blocked_until=NOW + timedelta(days=1)),
        ErasedAddress(address_key="0" * 64, blocked_until=None),
    ])  # fmt: skip
    db.session.commit()
    outbox = Path(app.config["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    for name, days in (("old.eml", 15), ("new.eml", 13)):
        (outbox / name).write_text("To: a@example.jp\n\nbody")
        stamp = _days_ago(days).timestamp()
        os.utime(outbox / name, (stamp, stamp))

    for days, decided in ((366, True), (366, False), (364, True)):
        outcome = submit_contact(sender=None, name="問い合わせ 太郎", email="t@example.jp",
                                 category="other", body=f"{days}日前の問い合わせ {decided}")  # fmt: skip
        outcome.message.created_at = _days_ago(days)
        if decided:
            outcome.message.item.status = REJECTED
    db.session.commit()

    done = retention.purge(now=NOW)
    db.session.commit()
    assert done == {
        "contact_messages": 1,
        "rejected_held_posts": 1, "notification_jobs": 1, "deleted_thread_read_positions": 1,
        "revoked_api_tokens": 1, "expired_logins": 1, "ended_address_blocks": 1,
        "mail_outbox_files": 1,
    }  # fmt: skip
    db.session.expire_all()
    assert db.session.get(HeldPost, old_held.id).body_source == ""
    assert db.session.get(HeldPost, new_held.id).body_source == "却下されたばかりの本文"
    assert {j.event for j in db.session.scalars(select(NotificationJob))} >= {"y", "z"}
    assert [p.thread_id for p in db.session.scalars(select(ReadPosition))] == [live.id]
    assert [t.token_hash[0] for t in db.session.scalars(select(ApiToken))] == ["b"]
    assert [s.nonce_hash[0] for s in db.session.scalars(select(UserSession))] == ["d"]
    assert sorted(a.address_key[0] for a in db.session.scalars(select(ErasedAddress))) == ["0", "f"]
    assert sorted(p.name for p in outbox.glob("*.eml")) == ["new.eml"]
    # a year on, a message dealt with is gone; one still waiting for an answer is kept
    assert sorted(m.body for m in db.session.scalars(select(ContactMessage))) == [
        "364日前の問い合わせ True", "366日前の問い合わせ False"]  # fmt: skip
    # a second run finds nothing more
    assert set(retention.purge(now=NOW).values()) == {0}


def test_purge_one_day_later_takes_the_next_ones(app, user, thread_factory):
    db.session.add(NotificationJob(event="y", payload={}, status=JOB_DONE, done_at=_days_ago(6)))
    db.session.commit()
    assert retention.purge(now=NOW)["notification_jobs"] == 0
    assert retention.purge(now=NOW + timedelta(days=1, seconds=1))["notification_jobs"] == 1


def test_settings_change_the_periods(app, user):
    app.config["PRIVACY_RETAIN_REVOKED_TOKENS_DAYS"] = 5
    db.session.add(ApiToken(user_id=user.id, token_hash="b" * 64, revoked_at=_days_ago(10)))
    db.session.commit()
    assert retention.purge(now=NOW)["revoked_api_tokens"] == 1


def test_the_purge_command(app):
    result = app.test_cli_runner().invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "notification_jobs 0" in result.output


def test_the_notification_worker_runs_the_purge(app, user, thread_factory):
    from notifications import worker

    gone = thread_factory(author=user)
    gone.is_deleted = True
    db.session.add(ReadPosition(user_id=user.id, thread_id=gone.id, last_read_number=1))
    db.session.commit()
    app.config["PRIVACY_PURGE_EVERY_MINUTES"] = 60
    worker._last_housekeeping.pop("privacy.purge", None)
    worker.run_once()
    db.session.expire_all()
    assert db.session.scalars(select(ReadPosition)).all() == []
