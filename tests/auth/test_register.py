from auth.models import User
from core.extensions import db

VALID = {
    "display_name": "山田 花子",
    "handle": "Hanako_Y",
    "email": "Hanako@Example.lg.jp",
    "password": "a-long-password",
    "password_confirm": "a-long-password",
}


def test_register_creates_member_and_mails_confirmation(client, outbox):
    response = client.post_form("/register", VALID)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    user = db.session.scalars(db.select(User)).one()
    assert (user.handle, user.email, user.display_name) == (
        "hanako_y",
        "hanako@example.lg.jp",
        "山田 花子",
    )
    assert user.role.slug == "member"
    assert user.password_hash != VALID["password"]
    assert user.email_confirmed_at is None
    (mail,) = outbox()
    assert mail["To"] == "hanako@example.lg.jp" and "/confirm-email/" in mail.get_content()


def test_register_then_confirm_and_log_in(client, register):
    user = register(VALID)
    assert user.email_confirmed_at is not None
    html = client.get("/").get_data(as_text=True)
    assert "山田 花子" in html and "ログアウト" in html
    assert "確認メールを再送" not in html


def test_register_errors_are_japanese_and_keep_input(client):
    data = {**VALID, "handle": "山田", "password": "short", "password_confirm": "other"}
    response = client.post_form("/register", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "半角英数字とアンダースコア（_）で3〜30文字にしてください。" in html
    assert "パスワードは10文字以上128文字以下にしてください。" in html
    assert "パスワードが一致しません。" in html
    assert 'value="山田 花子"' in html and 'value="Hanako@Example.lg.jp"' in html
    assert 'value="short"' not in html  # passwords are never echoed back
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_register_refuses_taken_handle_and_email(client, user_factory):
    user_factory(handle="hanako_y")
    html = client.post_form("/register", VALID).get_data(as_text=True)
    assert "このハンドル名はすでに使われています。" in html
    user_factory(email="hanako@example.lg.jp", handle="other")
    response = client.post_form("/register", {**VALID, "handle": "fresh"})
    assert response.status_code == 302  # the same answer as a new address (no enumeration)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 2


def test_register_refuses_reserved_handle(client):
    html = client.post_form("/register", {**VALID, "handle": "admin"}).get_data(as_text=True)
    assert "このハンドル名は使えません。" in html


def test_register_without_csrf_is_refused(client):
    assert client.post("/register", data=VALID).status_code == 400
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
