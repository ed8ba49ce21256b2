"""Issue #13 class 11 (parts): input that used to answer 500 or break a mail header.

A thread title with CR/LF broke every e-mail about its thread; ``next=`` with CR/LF, a huge id,
a NUL character or JSON nested 10,000 deep answered 500. (The route-by-route walk is
test_param_fuzz.py.)
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from auth.accounts import create_api_token
from core.extensions import db
from core.mail import build_message, header_value
from core.types import utcnow
from forum import posting
from notifications import worker
from tests.fixtures.app import PASSWORD

HUGE = "99999999999999999999999"


def test_malformed_title_with_line_breaks_cannot_add_mail_headers(app, thread_factory,
                                                                  user_factory, outbox):  # fmt: skip
    me = user_factory(handle="mail_me")
    thread = thread_factory(title="見守り\r\nBcc: attacker@example.com\r\n\r\n偽の本文")
    posting.create_reply(thread=thread, author=user_factory(), body="@mail_me ご確認ください")
    db.session.commit()
    worker.run_once()
    worker.run_once(now=utcnow() + timedelta(days=1))
    [mail] = [m for m in outbox() if m["To"] == me.email]
    assert mail["Bcc"] is None
    assert "\n" not in mail["Subject"] and "\r" not in mail["Subject"]
    assert "見守り Bcc: attacker@example.com 偽の本文" in mail["Subject"]


def test_malformed_header_values_are_one_line(app):
    msg = build_message("a@example.jp\r\nBcc: b@example.jp", "件名\u2028X-Evil: 1\x00",
                        "本文", headers={"List-Id": "x\ny"})  # fmt: skip
    assert msg["Bcc"] is None and msg["X-Evil"] is None
    assert "\n" not in str(msg["To"]) and b"\nBcc" not in msg.as_bytes()
    assert msg["Subject"] == "件名 X-Evil: 1" and msg["List-Id"] == "x y"
    assert header_value("  a\t\tb\r\n c ") == "a b c"


def test_malformed_next_after_login_falls_back_safely(client, user):
    for target in ("/\r\nSet-Cookie: evil=1", "/%0d%0aSet-Cookie:evil", "//evil.example",
                   "/ok\x00", "https://evil.example/", "/[", "x" * 5000):  # fmt: skip
        token = client.csrf_token("/login")
        response = client.post("/login", query_string={"next": target},
                               data={"csrf_token": token, "email": user.email,
                                     "password": PASSWORD})  # fmt: skip
        assert response.status_code in (302, 400), target
        if response.status_code == 302:
            location = response.headers["Location"]
            assert urlsplit(location).netloc in ("", "localhost"), location
            assert "\r" not in location and "\n" not in location
            assert "evil" not in str(response.headers.getlist("Set-Cookie"))
        client.post("/logout", data={"csrf_token": client.csrf_token()})


def test_malformed_huge_ids_are_404_not_500(client):
    for url in (f"/t/{HUGE}", f"/p/{HUGE}", f"/api/v1/threads/{HUGE}", f"/t/1/{HUGE}",
                f"/t/{2**40}", f"/p/{2**31}"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert client.get(f"/api/v1/posts/{HUGE}").get_json()["error"]["code"] == "not_found"


def test_malformed_numbers_in_parameters_are_ignored_or_refused(client, login, thread,
                                                                moderator):  # fmt: skip
    assert client.get(f"/api/v1/threads/{thread.id}/posts?after={HUGE}").status_code == 200
    assert client.get(f"/cases?cursor={HUGE}").status_code == 400
    assert client.get("/events?cursor=" + "9" * 30 + ".1").status_code == 400
    login(moderator)
    assert client.get(f"/t/{thread.id}/reply?quote={HUGE}").status_code == 200
    assert client.get(f"/moderation/queue?older_than={HUGE}").status_code == 200
    assert client.get(f"/api/v1/moderation/queue?older_than=-{HUGE}").status_code == 200


def test_malformed_deeply_nested_json_is_a_japanese_400(client, user, thread):
    token = create_api_token(user)
    db.session.commit()
    deep = "[" * 10_000 + "]" * 10_000
    for body in (deep, '{"body": ' + deep + "}", '{"body": "' + "[" * 50_000 + '"}'):
        response = client.post(f"/api/v1/threads/{thread.id}/posts", data=body,
                               content_type="application/json",
                               headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        error = response.get_json()["error"]
        if body.startswith('{"body": "'):  # brackets inside a string are text, not nesting
            assert response.status_code == 422, response.get_json()
            continue
        assert response.status_code == 400 and error["code"] == "bad_request"
        assert "JSON" in error["message"]


def test_malformed_nul_characters_are_a_400(client, user, thread):
    token = create_api_token(user)
    db.session.commit()
    assert client.get("/search?q=a%00b").status_code == 400
    assert client.get("/u/a%00b").status_code == 400
    response = client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "a\x00b"},
                           headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert response.status_code == 400
    assert "NUL" in response.get_json()["error"]["message"]
    assert client.get(f"/api/v1/threads/{thread.id}").get_json()["thread"]["last_number"] == 1


def test_malformed_json_numbers_beyond_64_bits_are_a_400(client, user, thread):
    token = create_api_token(user)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    for body in ('{"ids": [' + HUGE + "]}", '{"ids": [1e999999]}', '{"ids": [NaN]}'):
        response = client.post("/api/v1/notifications/read", data=body, headers=headers,
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 400, body
        assert "数値" in response.get_json()["error"]["message"]
    big = client.post("/api/v1/notifications/read", json={"ids": [2**40]}, headers=headers)
    assert big.status_code == 422  # beyond any id (32-bit on PostgreSQL)
    ok = client.post("/api/v1/notifications/read", json={"ids": [2**31 - 1]}, headers=headers)
    assert ok.status_code == 200
