"""Class 7 of issue #13: the verification link must prove that the *requester* reads the
mailbox. Before: a member typed a municipal employee's lg.jp address, the employee opened the
mail's link without logging in, and the requester became a verified 市町村職員."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from auth.accounts import get_role
from core.extensions import db
from core.types import utcnow
from moderation.models import RoleRequest
from tests.fixtures.app import PASSWORD, Client

LINK = re.compile(r"http://localhost(/verify/\S+)")
VICTIM_ADDRESS = "sato.taro@city.yokote.lg.jp"


@pytest.fixture
def new_client(app):
    def make() -> Client:
        app.test_client_class = Client
        return app.test_client()

    return make


def _apply(client, work_email=VICTIM_ADDRESS, organisation="横手市 健康福祉部"):
    return client.post_form("/settings/verification", {
        "role_id": str(get_role("municipal_staff").id), "organisation": organisation,
        "prefecture_code": "05", "municipality": "横手市", "work_email": work_email})  # fmt: skip


def _role_of(user) -> str:
    db.session.expire_all()
    return user.role.slug


def _link(outbox) -> str:
    return LINK.search(outbox()[-1].get_content()).group(1)


def test_verification_link_opened_signed_out_grants_nothing(
    client, new_client, login, outbox, user
):
    login(user)
    assert _apply(client).status_code == 302
    path = _link(outbox)
    employee = new_client()  # the municipal employee's browser, never signed in here
    for response in (employee.get(path), employee.post_form(path)):
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _role_of(user) == "member"
    assert db.session.scalars(select(RoleRequest)).one().status == "email_pending"


def test_verification_link_opened_by_another_member_is_refused(
    client, new_client, login, outbox, user_factory
):
    attacker, employee = user_factory(), user_factory(email=VICTIM_ADDRESS)
    login(attacker)
    _apply(client)
    path = _link(outbox)
    browser = new_client()
    browser.post_form("/login", {"email": employee.email, "password": PASSWORD})
    for response in (browser.get(path), browser.post_form(path)):
        assert response.status_code == 403
        assert "別のアカウントの申請" in response.get_data(as_text=True)
    assert _role_of(attacker) == "member" and _role_of(employee) == "member"
    assert db.session.scalars(select(RoleRequest)).one().status == "email_pending"


def test_verification_requester_signs_in_from_the_link_and_confirms(client, outbox, user):
    client.post_form("/login", {"email": user.email, "password": PASSWORD})
    _apply(client, "me@city.yokote.lg.jp")
    path = _link(outbox)
    client.post_form("/logout")
    response = client.get(path)
    login_url = response.headers["Location"]
    assert response.status_code == 302 and "/login" in login_url
    response = client.post_form(login_url, {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == path  # back to the link after logging in
    page = client.get(path)
    assert page.status_code == 200 and "確認する" in page.get_data(as_text=True)
    assert _role_of(user) == "member"  # opening the link (GET) changes nothing
    assert client.post_form(path).status_code == 302
    assert _role_of(user) == "municipal_staff"


def test_verification_mail_carries_no_requester_text(client, login, outbox, user_factory):
    requester = user_factory(display_name="至急ご確認ください 総務課長")
    login(requester)
    _apply(client, organisation="こちらのURLからパスワードを入力 http://evil.example")
    body = outbox()[-1].get_content()
    assert "至急ご確認ください" not in body and "総務課長" not in body
    assert "evil.example" not in body and "パスワードを入力" not in body
    assert f"@{requester.handle}" in body


def test_verification_requests_limited_per_account_per_day(client, login, outbox, user):
    login(user)
    for n in range(3):
        assert _apply(client, f"staff{n}@city.yokote.lg.jp").status_code == 302
    response = _apply(client, "staff9@city.yokote.lg.jp")
    assert response.status_code == 422
    assert "1日に3回まで" in response.get_data(as_text=True)
    assert len(outbox()) == 3
    # a day later the account may ask again
    db.session.execute(
        update(RoleRequest).values(created_at=utcnow() - timedelta(days=1, minutes=1))
    )
    db.session.commit()
    assert _apply(client, "staff9@city.yokote.lg.jp").status_code == 302
    assert len(outbox()) == 4


def test_verification_requests_limited_per_target_address(
    client, new_client, login, outbox, user_factory
):
    first, second = user_factory(), user_factory()
    login(first)
    assert _apply(client).status_code == 302
    other = new_client()
    other.post_form("/login", {"email": second.email, "password": PASSWORD})
    response = _apply(other)  # another account mails the same address within the hour
    assert response.status_code == 422
    assert "1時間ほど待って" in response.get_data(as_text=True)
    assert len(outbox()) == 1
    db.session.execute(update(RoleRequest).values(created_at=utcnow() - timedelta(minutes=61)))
    db.session.commit()
    assert _apply(other).status_code == 302
