"""The brief cache of whole pages for anonymous visitors (core/pagecache.py): only for visitors
who are not signed in, never sharing a CSRF token or a session cookie, dropped by any write."""

import re

import pytest

from core import events, pagecache
from core.extensions import db
from forum import posting
from moderation.actions import hide_post

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def url(thread_factory):
    return f"/t/{thread_factory(replies=2).id}"


def test_a_second_anonymous_visit_is_served_from_the_cache(app, client, url, count_queries):
    first = client.get(url)
    with count_queries() as log:
        second = client.get(url)
    assert log.count == 0, str(log)
    assert second.status_code == 200 and second.mimetype == "text/html"
    same = CSRF.sub("-", first.get_data(as_text=True))
    assert CSRF.sub("-", second.get_data(as_text=True)) == same

    def headers(response):
        # the cookie and the request id are each request's own
        per_request = ("Set-Cookie", "Content-Length", "X-Request-ID")
        return {k: v for k, v in response.headers if k not in per_request}

    assert headers(second) == headers(first)  # Content-Type, Vary: Cookie, CSP, …


def test_every_visitor_gets_their_own_token_and_session(app, client, url):
    pages, cookies = [], []
    for _ in range(2):
        visitor = app.test_client()  # the fixture's Client: each request in its own app context
        response = visitor.get(url)
        pages.append(CSRF.search(response.get_data(as_text=True)).group(1))
        cookies.append(response.headers.get("Set-Cookie"))
        # the token works for this visitor's session: the language switch accepts it
        switch = visitor.post("/lang", data={"lang": "en", "next": url, "csrf_token": pages[-1]})
        assert switch.status_code == 302
    assert pages[0] != pages[1]
    assert cookies[0] and cookies[1] and cookies[0] != cookies[1]
    assert pagecache._TOKEN not in "".join(pages)


def test_signed_in_members_are_never_served_or_stored(app, client, login, url, user,
                                                       count_queries):  # fmt: skip
    client.get(url)  # an anonymous page is kept
    login(user)
    for _ in range(2):
        with count_queries() as log:
            html = client.get(url).get_data(as_text=True)
        assert log.count > 0
        assert user.display_name in html and "ログインすると返信できます" not in html
    client.post_form("/logout")
    anonymous = app.test_client().get(url).get_data(as_text=True)
    assert user.display_name not in anonymous and "ログインすると返信できます" in anonymous


def test_writes_show_at_once(client, url, user_factory, moderator):
    thread_id = int(url.rsplit("/", 1)[1])
    from forum.models import Post, Thread

    client.get(url)
    thread = db.session.get(Thread, thread_id)
    reply = posting.create_reply(thread=thread, author=user_factory(), body="新しい返信です")
    db.session.commit()
    assert "新しい返信です" in client.get(url).get_data(as_text=True)
    hide_post(db.session.get(Post, reply.id), actor=moderator, reason="確認")
    db.session.commit()
    assert "新しい返信です" not in client.get(url).get_data(as_text=True)


def test_a_bulk_statement_drops_the_cache_too(client, url, count_queries):
    from sqlalchemy import update

    from forum.models import Thread

    client.get(url)
    db.session.execute(update(Thread).values(title="一括で変えた題名"))
    db.session.commit()
    assert "一括で変えた題名" in client.get(url).get_data(as_text=True)


def test_quiet_bookkeeping_keeps_the_cache(client, url, user, count_queries):
    from auth.models import UserSession

    client.get(url)
    assert UserSession in events._quiet
    db.session.add(UserSession(user_id=user.id, nonce_hash="x" * 64))
    db.session.commit()
    with count_queries() as log:
        client.get(url)
    assert log.count == 0


def test_pages_expire(app, client, url, count_queries, monkeypatch):
    client.get(url)
    later = pagecache.time.monotonic() + app.config["ANON_PAGE_CACHE_SECONDS"] + 1
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: later)
    with count_queries() as log:
        client.get(url)
    assert log.count > 0


def test_language_query_and_flash_are_kept_apart(client, url, count_queries):
    japanese = client.get(url).get_data(as_text=True)
    client.set_cookie("lang", "en")
    english = client.get(url).get_data(as_text=True)
    assert '<html lang="en">' in english and '<html lang="ja">' in japanese
    client.delete_cookie("lang")

    with count_queries() as log:
        client.get(url + "?page=1")  # another URL: made, then kept under its own key
    assert log.count > 0
    with count_queries() as log:
        client.get(url + "?x=1")  # a parameter the page does not know: never kept
        client.get(url + "?x=1")
    assert log.count > 0

    with client.session_transaction() as session:
        session["_flashes"] = [("success", "ログアウトしました。")]
    flashed = client.get(url).get_data(as_text=True)
    assert "ログアウトしました。" in flashed
    assert "ログアウトしました。" not in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"ANON_PAGE_CACHE_SECONDS": 0}], indirect=True)
def test_zero_seconds_turns_it_off(client, url, count_queries):
    client.get(url)
    with count_queries() as log:
        client.get(url)
    assert log.count > 0
