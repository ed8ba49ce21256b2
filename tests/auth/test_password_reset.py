import re

from itsdangerous import URLSafeTimedSerializer

from auth import accounts
from core.extensions import db
from tests.fixtures.app import PASSWORD

LINK = re.compile(r"http://localhost(/password/reset/\S+)")


def _request_reset(client, outbox, email):
    response = client.post_form("/password/forgot", {"email": email})
    assert response.status_code == 302
    mails = outbox()
    return mails, (LINK.search(mails[-1].get_content()).group(1) if mails else None)


def test_password_reset_full_flow(client, outbox, user):
    mails, path = _request_reset(client, outbox, user.email)
    assert len(mails) == 1
    assert mails[0]["To"] == user.email and "パスワードの再設定" in mails[0]["Subject"]
    assert client.get(path).status_code == 200
    response = client.post_form(
        path, {"password": "brand-new-secret", "password_confirm": "brand-new-secret"}
    )
    assert response.status_code == 302
    assert (
        client.post_form("/login", {"email": user.email, "password": PASSWORD}).status_code == 422
    )
    assert (
        client.post_form(
            "/login", {"email": user.email, "password": "brand-new-secret"}
        ).status_code
        == 302
    )


def test_password_reset_link_works_only_once(client, outbox, user):
    _, path = _request_reset(client, outbox, user.email)
    client.post_form(path, {"password": "brand-new-secret", "password_confirm": "brand-new-secret"})
    response = client.get(path)
    assert response.status_code == 302 and "/password/forgot" in response.headers["Location"]


def test_password_reset_link_expires(client, app, user):
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=accounts.RESET_SALT)
    token = accounts.make_reset_token(user)
    assert accounts.user_for_reset_token(token).id == user.id
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    assert accounts.user_for_reset_token(token) is None
    forged = serializer.dumps({"u": user.id, "p": "0" * 16})
    app.config["PASSWORD_RESET_MAX_AGE"] = 3600
    assert accounts.user_for_reset_token(forged) is None
    assert accounts.user_for_reset_token(token + "x") is None


def test_password_reset_unknown_address_sends_nothing_but_same_answer(client, outbox):
    response = client.post_form(
        "/password/forgot", {"email": "nobody@example.jp"}, follow_redirects=True
    )
    assert "登録されていれば、再設定用のメールを送りました" in response.get_data(as_text=True)
    assert outbox() == []


def test_password_reset_new_password_validation(client, outbox, user):
    _, path = _request_reset(client, outbox, user.email)
    response = client.post_form(path, {"password": "short", "password_confirm": "short"})
    assert response.status_code == 422
    assert "パスワードは10文字以上128文字以下にしてください。" in response.get_data(as_text=True)
    db.session.expire_all()
    assert accounts.authenticate(user.email, PASSWORD) is not None
