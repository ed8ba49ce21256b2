"""退会: every inventory row erased, emptied or pseudonymised; threads still render with the others'
replies; search no longer finds erased bodies; audit keeps a pseudonymous id; the same service
from settings, the API and the CLI; sanctioned members cannot come back with the same address
within the sanction period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from audit.models import AuditEntry
from auth import accounts
from auth.models import ApiToken, BoardModerator, ErasedAddress, User, UserSession
from auth.spaces import SpaceMember
from core.extensions import db
from core.types import utcnow
from forum.models import Post, PostRevision
from moderation.models import Flag, HeldPost, RoleRequest
from notifications.models import (
    EventRsvp,
    Notification,
    NotificationSettings,
    ReadPosition,
    UserMute,
    Watch,
)
from privacy import erasure
from privacy.erasure import ERASED_NAME, ErasureRefused
from tests.fixtures.app import PASSWORD


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _assert_erased(world, *, bodies_erased: bool) -> None:
    db.session.expire_all()
    uid = world.member.id
    user = db.session.get(User, uid)
    assert user.is_erased and user.display_name == ERASED_NAME
    assert user.email.endswith("@erased.invalid") and user.handle.startswith("erased_")
    assert user.bio == user.affiliation == "" and user.player_fields == []
    assert accounts.authenticate("hanako@example.jp", PASSWORD) is None
    for model, column in [(ApiToken, ApiToken.user_id), (UserSession, UserSession.user_id),
                          (Watch, Watch.user_id), (Notification, Notification.user_id),
                          (NotificationSettings, NotificationSettings.user_id),
                          (EventRsvp, EventRsvp.user_id), (ReadPosition, ReadPosition.user_id),
                          (SpaceMember, SpaceMember.user_id),
                          (BoardModerator, BoardModerator.user_id)]:  # fmt: skip
        assert _count(model, column == uid) == 0, model
    assert _count(UserMute, (UserMute.user_id == uid) | (UserMute.muted_user_id == uid)) == 0
    request = db.session.scalar(select(RoleRequest).where(RoleRequest.user_id == uid))
    assert request.work_email == "" and request.organisation == ""
    assert all(h.body_source == "" for h in db.session.scalars(
        select(HeldPost).where(HeldPost.author_id == uid)))  # fmt: skip
    # the other member's rows are untouched
    assert _count(ApiToken, ApiToken.user_id == world.other.id) == 1
    assert _count(Notification, Notification.user_id == world.other.id) == 1
    # flags and the audit trail keep the pseudonymous id
    assert _count(Flag, Flag.user_id == uid) == 1
    assert _count(AuditEntry, AuditEntry.action == "user.silence", AuditEntry.target_id == uid) == 1
    erase_entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.erase"))
    assert erase_entry.target_id == uid
    reply = db.session.get(Post, world.reply.id)
    opener = db.session.scalars(
        select(Post).where(Post.thread_id == world.structured.id, Post.number == 1)
    ).one()
    assert opener.body_source == "詳しくは本文で。"  # an organisation's event stays
    if bodies_erased:
        assert reply.body_source == "" and "退会" in reply.body_html
        assert _count(PostRevision, PostRevision.post_id == reply.id) == 0
    else:
        assert reply.body_source == "私の返信ＡＢＣ（訂正）"
    assert db.session.get(Post, world.other_reply.id).body_source == "返信：ルートは曜日で"


def test_leaving_from_settings_keeps_posts_as_a_former_member(client, login, world):
    login(world.member)
    client.post_form("/logout")
    login(world.member)
    page = client.post_form("/settings/privacy/leave", {"password": PASSWORD, "confirm": "y"})
    assert page.status_code == 302
    _assert_erased(world, bodies_erased=False)
    # the thread still renders, with the other member's reply and the former member's name
    html = client.get(f"/t/{world.own_thread.id}").get_data(as_text=True)
    assert ERASED_NAME in html and "返信：ルートは曜日で" in html and "巡回ルートの決め方" in html
    assert client.get("/settings/privacy").status_code == 302  # logged out


def test_leaving_refuses_a_wrong_password_or_no_confirmation(client, login, world):
    login(world.member)
    for data in ({"password": "wrong-password-123", "confirm": "y"}, {"password": PASSWORD}):
        page = client.post_form("/settings/privacy/leave", data)
        assert page.status_code == 422
        text = page.get_data(as_text=True)
        assert "パスワードが正しくありません" in text or "確認するチェック" in text
    db.session.expire_all()
    assert not db.session.get(User, world.member.id).is_erased


def test_leaving_through_the_api_with_post_bodies(client, bearer, world, find):
    assert find("私の返信ＡＢＣ").total >= 1
    headers = bearer(world.member)
    wrong = client.delete("/api/v1/me", json={"password": "nope-nope-nope", "confirm": True},
                          headers=headers)  # fmt: skip
    assert wrong.status_code == 403 and wrong.get_json()["error"]["code"] == "wrong_password"
    unconfirmed = client.delete("/api/v1/me", json={"password": PASSWORD}, headers=headers)
    assert unconfirmed.status_code == 422
    response = client.delete(
        "/api/v1/me", json={"password": PASSWORD, "confirm": True, "erase_posts": True},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 204
    _assert_erased(world, bodies_erased=True)
    assert find("私の返信ＡＢＣ").total == 0  # the erased body left the index
    assert find("曜日").total >= 1  # the other member's reply is still found
    assert client.get("/api/v1/me/export", headers=headers).status_code == 401  # token gone


def test_an_administrator_erases_on_a_written_request(app, world, admin):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["accounts", "erase", "--email", "hanako@example.jp",
                                 "--admin", admin.handle, "--reason", "書面 No.12", "--yes"])  # fmt: skip
    assert result.exit_code == 0, result.output
    _assert_erased(world, bodies_erased=False)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.erase"))
    assert entry.actor_id == admin.id and entry.reason == "書面 No.12"
    again = runner.invoke(args=["accounts", "erase", "--email", "nobody@example.jp", "--yes"])
    assert again.exit_code != 0 and "ありません" in again.output


def test_a_silenced_member_cannot_come_back_with_the_same_address(app, client, world, outbox):
    erasure.erase_account(world.member, by=None)
    db.session.commit()
    (row,) = db.session.scalars(select(ErasedAddress))
    assert "hanako" not in row.address_key and len(row.address_key) == 64
    with pytest.raises(accounts.AccountError):
        accounts.register_user(email="Hanako@Example.jp ", handle="hanako2",
                               display_name="花子", password=PASSWORD)  # fmt: skip
    db.session.rollback()
    response = client.post_form("/register", {
        "email": "hanako@example.jp", "handle": "hanako3", "display_name": "花子",
        "password": PASSWORD, "password_confirm": PASSWORD, "accept": "y",
    })  # fmt: skip
    assert response.status_code == 302
    assert accounts.find_user_by_handle("hanako3") is None
    assert "登録の申し込みについて" in outbox()[-1]["Subject"]
    # once the sanction has ended, the address may register again
    row.blocked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert accounts.register_user(email="hanako@example.jp", handle="hanako4",
                                  display_name="花子", password=PASSWORD)  # fmt: skip


def test_a_member_in_good_standing_may_register_again(app, user_factory):
    member = user_factory(email="again@example.jp")
    erasure.erase_account(member, by=None)
    db.session.commit()
    assert _count(ErasedAddress) == 0
    assert accounts.register_user(email="again@example.jp", handle="again2",
                                  display_name="再登録", password=PASSWORD)  # fmt: skip


def test_the_only_administrator_cannot_leave(app, admin):
    with pytest.raises(ErasureRefused) as refused:
        erasure.erase_account(admin, by=admin, password=PASSWORD, confirmed=True)
    assert refused.value.code == "last_admin"
