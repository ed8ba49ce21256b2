from tests.fixtures.app import PASSWORD


def test_login_and_logout(client, user):
    response = client.post_form("/login", {"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert user.display_name in client.get("/").get_data(as_text=True)
    client.post_form("/logout")
    assert "ログイン" in client.get("/").get_data(as_text=True)
    assert user.display_name not in client.get("/").get_data(as_text=True)


def test_login_wrong_password_is_japanese_error_and_keeps_email(client, user):
    response = client.post_form("/login", {"email": user.email, "password": "wrong-password"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "メールアドレスまたはパスワードが正しくありません。" in html
    assert f'value="{user.email}"' in html


def test_login_unknown_email_gives_same_error(client):
    html = client.post_form(
        "/login", {"email": "nobody@example.jp", "password": "x" * 12}
    ).get_data(as_text=True)
    assert "メールアドレスまたはパスワードが正しくありません。" in html


def test_login_suspended_account_is_refused(client, user_factory):
    user = user_factory(is_suspended=True)
    html = client.post_form("/login", {"email": user.email, "password": PASSWORD}).get_data(
        as_text=True
    )
    assert "このアカウントは利用停止中です。" in html


def test_login_next_only_allows_local_paths(client, user):
    ok = client.post_form("/login?next=/b/zentai", {"email": user.email, "password": PASSWORD})
    assert ok.headers["Location"] == "/b/zentai"
    client.post_form("/logout")
    evil = client.post_form(
        "/login?next=https://evil.example/", {"email": user.email, "password": PASSWORD}
    )
    assert evil.headers["Location"] == "/"


def test_logout_requires_post_with_csrf(client, login, user):
    login(user)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert user.display_name in client.get("/").get_data(as_text=True)
