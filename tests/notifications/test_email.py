"""E-mail: the delayed path (edited and deleted posts), unread-only, digests, unsubscribe tokens,
retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from core.extensions import db
from core.types import utcnow
from forum import posting
from notifications import inbox, mailing, watching
from notifications.models import Notification

DELAY = 600


def _body(msg, subtype):
    return msg.get_body(preferencelist=(subtype,)).get_content()


def _mention(thread, author, handle, text="ご確認ください"):
    post = posting.create_reply(thread=thread, author=author, body=f"@{handle} {text}")
    db.session.commit()
    return post


def to(outbox, user):
    return [m for m in outbox() if m["To"] == user.email]


def later(seconds=DELAY + 1):
    return utcnow() + timedelta(seconds=seconds)


def test_email_is_sent_after_the_delay_with_the_current_text(app, thread_factory, user_factory,
                                                             process, outbox):  # fmt: skip
    me = user_factory(handle="mail_me", email="mail_me@example.jp")
    thread = thread_factory(title="見守りの工夫")
    post = _mention(thread, user_factory(display_name="田中"), "mail_me", "古い本文")
    process()
    assert outbox() == []  # not before the delay
    posting.edit_post(post=post, editor=post.author, body="@mail_me 直した本文")
    db.session.commit()
    process(now=later())
    [msg] = to(outbox, me)
    assert msg["To"] == "mail_me@example.jp"
    assert "田中さんが「見守りの工夫」であなたをメンションしました。" in msg["Subject"]
    text, html = _body(msg, "plain"), _body(msg, "html")
    assert "直した本文" in text and "古い本文" not in text
    assert "直した本文" in html and f"/p/{post.id}" in html
    assert (
        msg["List-Unsubscribe"].startswith("<http")
        and "/notifications/unsubscribe/" in (msg["List-Unsubscribe"])
    )
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    process(now=later(2 * DELAY))
    assert len(to(outbox, me)) == 1  # sent once


def test_email_deleted_post_is_not_mailed(thread_factory, user_factory, process, outbox):
    me = user_factory(handle="del_me")
    post = _mention(thread_factory(), user_factory(), "del_me")
    process()
    posting.delete_post(post=post, actor=post.author)
    db.session.commit()
    process(now=later())
    assert to(outbox, me) == []


def test_email_hidden_post_is_not_mailed(thread_factory, user_factory, moderator, process, outbox,
                                         notes):  # fmt: skip
    from moderation import actions

    me = user_factory(handle="hid_me")
    post = _mention(thread_factory(), user_factory(), "hid_me")
    process()
    assert notes(me)[0].email_state == "pending"
    actions.hide_post(post, actor=moderator)
    db.session.commit()
    process(now=later())
    assert to(outbox, me) == []


def test_email_read_notifications_are_not_mailed(thread_factory, user_factory, process, outbox,
                                                 notes):  # fmt: skip
    me = user_factory(handle="seen_me")
    _mention(thread_factory(), user_factory(), "seen_me")
    process()
    inbox.mark_all_read(me.id)
    db.session.commit()
    process(now=later())
    assert to(outbox, me) == [] and notes(me)[0].email_state == "skipped"


def test_email_mode_never_and_daily(thread_factory, user_factory, process, outbox, notes):
    me = user_factory(handle="never_me")
    watching.save_settings(me, email_modes={"mentioned": "never"}, auto_watch_start="watching",
                           auto_watch_reply="tracking")  # fmt: skip
    db.session.commit()
    _mention(thread_factory(), user_factory(), "never_me")
    process(now=later())
    assert to(outbox, me) == [] and notes(me)[0].email_state == "none"


def test_email_failure_is_retried_with_backoff_and_not_lost(app, thread_factory, user_factory,
                                                            process, outbox, notes,
                                                            monkeypatch):  # fmt: skip
    me = user_factory(handle="retry_me")
    _mention(thread_factory(), user_factory(), "retry_me")
    process()

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(mailing, "send_mail", broken)
    process(now=later())
    [n] = notes(me)
    assert n.email_state == "pending" and n.email_attempts == 1
    assert n.email_due_at > later()  # backed off
    monkeypatch.undo()
    process(now=later())
    assert to(outbox, me) == []  # not due yet
    process(now=later(DELAY + 3600))
    assert len(to(outbox, me)) == 1 and notes(me)[0].email_state == "sent"


def test_email_daily_digest_summarises_threads_and_replies(board, thread_factory, user_factory,
                                                           process, outbox, watch):  # fmt: skip
    me = user_factory(email="digest@example.jp")
    watch(me, "board", board.id, "watching")
    author = user_factory(display_name="山本")
    thread = thread_factory(author=author, title="移動販売の新ルート")
    other = thread_factory(author=author, title="買い物ツアーの報告")
    posting.create_reply(
        thread=other, author=user_factory(display_name="鈴木"), body="参加しました"
    )
    db.session.commit()
    process()
    process(now=later(3600))
    assert to(outbox, me) == []  # a daily digest waits a day
    process(now=later(86400 + 60))
    [msg] = to(outbox, me)
    assert msg["To"] == "digest@example.jp" and "今日のお知らせ（3件）" in msg["Subject"]
    text = _body(msg, "plain")
    assert "■ 新しいスレッド" in text and "移動販売の新ルート" in text
    assert "■ 新しい返信" in text and "鈴木さんが「買い物ツアーの報告」に投稿しました。" in text
    assert "/p/" in text and msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    process(now=later(86400 + 120))
    assert len(to(outbox, me)) == 1  # nothing new: no second digest
    assert thread.id


def test_email_weekly_digest(board, thread_factory, user_factory, process, outbox, watch):
    me = user_factory()
    watching.save_settings(me, email_modes={"new_thread": "weekly"}, auto_watch_start="watching",
                           auto_watch_reply="tracking")  # fmt: skip
    db.session.commit()
    watch(me, "board", board.id, "watching_first_post")
    thread_factory(title="週のまとめ対象")
    process(now=later(86400 * 2))
    assert to(outbox, me) == []
    process(now=later(86400 * 7 + 60))
    [msg] = to(outbox, me)
    assert "今週のお知らせ（1件）" in msg["Subject"] and "週のまとめ対象" in _body(msg, "plain")


def test_email_unsubscribe_token_one_click(client, app, user_factory):
    me = user_factory()
    token = mailing.make_unsubscribe_token(me.id, "mentioned")
    page = client.get(f"/notifications/unsubscribe/{token}")
    assert page.status_code == 200 and "メンションされたとき" in page.get_data(as_text=True)
    assert watching.email_mode(watching.settings_for(me.id), "mentioned") == "immediate"  # GET
    # RFC 8058: the mail client posts without a CSRF token
    response = client.post(f"/notifications/unsubscribe/{token}",
                           data={"List-Unsubscribe": "One-Click"})  # fmt: skip
    assert response.status_code == 200
    db.session.expire_all()
    assert watching.email_mode(watching.settings_for(me.id), "mentioned") == "never"
    assert watching.email_mode(watching.settings_for(me.id), "replied") == "immediate"
    all_token = mailing.make_unsubscribe_token(me.id)
    client.post(f"/notifications/unsubscribe/{all_token}")
    db.session.expire_all()
    assert watching.email_mode(watching.settings_for(me.id), "replied") == "never"


@pytest.mark.parametrize("how", ["tampered", "expired", "other_salt"])
def test_email_unsubscribe_refuses_bad_tokens(client, app, user_factory, how):
    me = user_factory()
    token = mailing.make_unsubscribe_token(me.id, "mentioned")
    if how == "tampered":
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    elif how == "expired":
        app.config["NOTIFICATION_UNSUBSCRIBE_MAX_AGE"] = -1
    else:
        token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="kyoso.password-reset").dumps(
            {"u": me.id, "k": "mentioned"}
        )
    assert client.get(f"/notifications/unsubscribe/{token}").status_code == 400
    assert client.post(f"/notifications/unsubscribe/{token}").status_code == 400
    db.session.expire_all()
    assert watching.email_mode(watching.settings_for(me.id), "mentioned") == "immediate"


def test_email_all_pending_rows_survive_a_worker_round(thread_factory, user_factory, process):
    """Never lose a notification: the row stays whatever happens to its e-mail."""
    me = user_factory(handle="keep_me")
    _mention(thread_factory(), user_factory(), "keep_me")
    process(now=later())
    assert db.session.scalar(select(Notification).where(Notification.user_id == me.id))
