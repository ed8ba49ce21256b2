"""Class 3 of issue #13: sessions that outlived their credentials. Each test steals the cookie
jar (session and remember cookies) of a real test client, then does what should end it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from auth import accounts
from auth.models import ApiToken, UserSession
from core.extensions import db
from core.types import utcnow
from tests.fixtures.app import PASSWORD, Client

PROTECTED = "/settings/security"
COOKIES = ("session", "remember_token")


@pytest.fixture
def new_client(app):
    def make() -> Client:
        app.test_client_class = Client
        return app.test_client()

    return make


def _log_in(client, user, *, remember: bool = True) -> None:
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post_form("/login", data)
    assert response.status_code == 302, response.get_data(as_text=True)


def _steal(victim, thief, names=COOKIES) -> None:
    for name in names:
        cookie = victim.get_cookie(name)
        assert cookie is not None, f"victim has no {name} cookie"
        thief.set_cookie(name, cookie.value)


def _signed_in(client) -> bool:
    return client.get(PROTECTED).status_code == 200


def _thieves(victim, new_client):
    """A copy of the whole jar, and a copy of the remember cookie alone."""
    full, remember_only = new_client(), new_client()
    _steal(victim, full)
    _steal(victim, remember_only, names=("remember_token",))
    assert _signed_in(full) and _signed_in(remember_only)  # the theft works at first
    return full, remember_only


def test_sessions_copied_cookies_die_on_logout(client, new_client, user):
    _log_in(client, user)
    full, remember_only = _thieves(client, new_client)
    client.post_form("/logout")
    assert not _signed_in(client)
    assert not _signed_in(full)
    assert not _signed_in(remember_only)


def test_sessions_password_reset_ends_stolen_session_and_remember_cookie(client, new_client, user):
    _log_in(client, user)
    full, remember_only = _thieves(client, new_client)
    owner = new_client()  # the owner resets the password from another browser
    token = accounts.make_reset_token(user)
    new_password = "a-brand-new-password"
    response = owner.post_form(
        f"/password/reset/{token}", {"password": new_password, "password_confirm": new_password}
    )
    assert response.status_code == 302
    assert not _signed_in(full)
    assert not _signed_in(remember_only)
    assert not _signed_in(client)
    response = owner.post_form("/login", {"email": user.email, "password": new_password})
    assert response.status_code == 302 and _signed_in(owner)


def test_sessions_password_changed_after_login_is_checked(client, user):
    """Even a login row that survived (e.g. a password set outside the reset flow) is refused
    when it is older than the password."""
    _log_in(client, user)
    db.session.execute(
        update(UserSession).values(created_at=utcnow() - timedelta(minutes=5))
    )  # fmt: skip
    user.password_changed_at = utcnow()
    db.session.commit()
    assert not _signed_in(client)


def test_sessions_logout_everywhere_ends_other_browsers_and_tokens(client, new_client, user):
    token = accounts.create_api_token(user, "集計")
    db.session.commit()
    laptop, phone = new_client(), new_client()
    _log_in(laptop, user)
    _log_in(phone, user)
    full, remember_only = _thieves(phone, new_client)
    assert (
        laptop.get("/api/v1/me/tokens", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    response = laptop.post_form(f"{PROTECTED}/logout-everywhere")
    assert response.status_code == 302
    for browser in (laptop, phone, full, remember_only):
        assert not _signed_in(browser)
    response = client.get("/api/v1/me/tokens", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_sessions_logout_everywhere_button_is_in_settings(client, user):
    _log_in(client, user)
    html = client.get(PROTECTED).get_data(as_text=True)
    assert "ログアウト（すべての端末）" in html


def test_sessions_suspension_ends_logins_and_tokens(client, new_client, user, moderator):
    from moderation.actions import suspend_user

    token = accounts.create_api_token(user)
    db.session.commit()
    _log_in(client, user)
    full, remember_only = _thieves(client, new_client)
    suspend_user(user, actor=moderator, until=utcnow() + timedelta(hours=1), reason="荒らし")
    db.session.commit()
    # the suspension ends; the old cookies and token must not come back to life
    user.suspended_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    for browser in (client, full, remember_only):
        assert not _signed_in(browser)
    response = client.get("/api/v1/me/tokens", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_sessions_remember_cookie_is_new_on_every_login_and_lasts_30_days(client, user):
    _log_in(client, user)
    first = client.get_cookie("remember_token")
    client.post_form("/logout")
    response = client.post_form(
        "/login", {"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    header = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")
    )
    second = client.get_cookie("remember_token")
    assert first.value != second.value
    expires = second.expires
    assert expires is not None
    assert timedelta(days=29) < expires - utcnow() <= timedelta(days=30, minutes=1), header


def test_sessions_login_ends_after_login_max_days(client, user):
    _log_in(client, user)
    db.session.execute(update(UserSession).values(created_at=utcnow() - timedelta(days=31)))
    db.session.commit()
    assert not _signed_in(client)


def test_sessions_cookie_without_a_login_is_refused(client, user):
    """The old cookie format ("<user id>" alone) and a forged nonce load nobody."""
    for forged in (str(user.id), f"{user.id}:", f"{user.id}:sforged", f"{user.id}:t999"):
        with client.session_transaction() as session:
            session["_user_id"] = forged
            session["_fresh"] = True
        assert not _signed_in(client), forged


def test_sessions_settings_list_and_end_another_login(client, new_client, user):
    other = new_client()
    _log_in(client, user)
    _log_in(other, user)
    html = client.get(PROTECTED).get_data(as_text=True)
    assert "（この端末）" in html and html.count("この端末のログインを終了") == 1
    rows = list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)))
    assert len(rows) == 2
    others = max(rows, key=lambda r: r.id)  # ``other`` logged in last
    response = client.post_form(f"{PROTECTED}/logins/{others.id}/end")
    assert response.status_code == 302
    assert _signed_in(client) and not _signed_in(other)


def test_sessions_cannot_end_someone_elses_login(client, new_client, user_factory):
    alice, bob = user_factory(), user_factory()
    bobs_browser = new_client()
    _log_in(bobs_browser, bob)
    _log_in(client, alice)
    bobs_login = db.session.scalars(select(UserSession).where(UserSession.user_id == bob.id)).one()
    client.post_form(f"{PROTECTED}/logins/{bobs_login.id}/end")
    assert _signed_in(bobs_browser)


# --- API tokens: list, create (shown once), revoke — on the web and through the API ---------


def test_tokens_created_on_the_web_are_shown_once_and_listed_without_secret(client, login, user):
    login(user)
    html = client.post_form(f"{PROTECTED}/tokens", {"name": "集計スクリプト"}).get_data(
        as_text=True
    )
    secret = html.split('class="new-token">', 1)[1].split("<", 1)[0]
    assert secret.startswith("kys_")
    assert (
        client.get("/api/v1/me/tokens", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )
    listing = client.get(PROTECTED).get_data(as_text=True)
    assert "集計スクリプト" in listing and secret not in listing
    row = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert row.last_used_at is not None  # recorded after the request above


def test_tokens_revoked_on_the_web_stop_working(client, login, user):
    token = accounts.create_api_token(user, "古い連携")
    db.session.commit()
    row = db.session.scalars(select(ApiToken)).one()
    login(user)
    assert client.post_form(f"{PROTECTED}/tokens/{row.id}/revoke").status_code == 302
    response = client.get("/api/v1/me/tokens", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_tokens_api_lists_and_revokes_own_tokens(client, user_factory):
    alice, bob = user_factory(), user_factory()
    keep = accounts.create_api_token(alice, "残す")
    drop = accounts.create_api_token(alice, "消す")
    bobs = accounts.create_api_token(bob, "ボブ")
    db.session.commit()
    auth = {"Authorization": f"Bearer {keep}"}
    data = client.get("/api/v1/me/tokens", headers=auth).get_json()
    assert sorted(t["name"] for t in data["tokens"]) == ["残す", "消す"]
    assert all(set(t) == {"id", "name", "created_at", "last_used_at"} for t in data["tokens"])
    drop_id = next(t["id"] for t in data["tokens"] if t["name"] == "消す")
    bobs_id = db.session.scalars(select(ApiToken.id).where(ApiToken.user_id == bob.id)).one()
    response = client.delete(f"/api/v1/me/tokens/{bobs_id}", headers=auth)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert (
        client.get("/api/v1/me/tokens", headers={"Authorization": f"Bearer {bobs}"}).status_code
        == 200
    )
    assert client.delete(f"/api/v1/me/tokens/{drop_id}", headers=auth).status_code == 204
    response = client.get("/api/v1/me/tokens", headers={"Authorization": f"Bearer {drop}"})
    assert response.status_code == 401
    assert [
        t["name"] for t in client.get("/api/v1/me/tokens", headers=auth).get_json()["tokens"]
    ] == ["残す"]


def test_tokens_api_needs_a_user(client):
    response = client.get("/api/v1/me/tokens")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
    assert client.delete("/api/v1/me/tokens/1").status_code == 401


def test_tokens_survive_a_password_reset(client, user):
    """Decided: a password change ends browser logins, not API tokens (scripts keep working);
    logout-everywhere and suspension revoke them (tests above)."""
    token = accounts.create_api_token(user)
    accounts.set_password(user, "another-long-password")
    db.session.commit()
    response = client.get("/api/v1/me/tokens", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_tokens_socket_connection_loses_its_user_with_the_token(
    socket_client, thread_factory, user
):
    """A socket opened with a token stays that user only while the token lives."""
    thread = thread_factory(author=user)
    thread.is_hidden = True  # only its author (and moderators) may follow it
    token = accounts.create_api_token(user)
    db.session.commit()
    sc = socket_client(auth={"token": token})
    assert sc.emit("join_thread", {"thread_id": thread.id}, callback=True)["ok"]
    row = db.session.scalars(select(ApiToken)).one()
    accounts.revoke_api_token(user, row.id)
    db.session.commit()
    assert sc.emit("join_thread", {"thread_id": thread.id}, callback=True) == {
        "ok": False,
        "error": "forbidden",
    }
    assert not socket_client(auth={"token": token}).is_connected()


def _past_grace() -> None:
    db.session.execute(update(UserSession).values(rotated_at=utcnow() - timedelta(minutes=2)))
    db.session.commit()


def test_sessions_remember_cookie_rotates_each_time_it_restores_a_login(client, new_client, user):
    _log_in(client, user)
    old = client.get_cookie("remember_token").value
    restarted = new_client()  # the same browser after a restart: only the remember cookie left
    restarted.set_cookie("remember_token", old)
    assert _signed_in(restarted)
    new = restarted.get_cookie("remember_token").value
    assert new != old
    _past_grace()
    thief = new_client()
    thief.set_cookie("remember_token", old)
    assert not _signed_in(thief)  # the replaced cookie is dead
    assert _signed_in(restarted)
    again = new_client()
    again.set_cookie("remember_token", new)
    assert _signed_in(again)


def test_sessions_stolen_remember_cookie_dies_when_the_owner_uses_theirs(client, new_client, user):
    _log_in(client, user)
    stolen = client.get_cookie("remember_token").value
    owner = new_client()
    owner.set_cookie("remember_token", stolen)
    assert _signed_in(owner)  # the owner's browser restores (and rotates) the login
    _past_grace()
    thief = new_client()
    thief.set_cookie("remember_token", stolen)
    assert not _signed_in(thief)
    assert _signed_in(owner)


def test_sessions_replaced_remember_cookie_works_briefly_for_parallel_requests(
    client, new_client, user
):
    _log_in(client, user)
    old = client.get_cookie("remember_token").value
    first, second = new_client(), new_client()
    first.set_cookie("remember_token", old)
    second.set_cookie("remember_token", old)
    assert _signed_in(first) and _signed_in(second)  # second arrives right after the rotation
