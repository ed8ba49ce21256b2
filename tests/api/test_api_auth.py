"""Who is calling: Bearer tokens, browser sessions with X-CSRFToken, or nobody."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from auth.models import ApiToken
from core.extensions import db
from core.types import utcnow
from forum.models import Post, Thread
from tests.api.helpers import api_error


def _first_post(thread: Thread) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 1))


def _last_number(thread: Thread) -> int:
    db.session.expire_all()
    return db.session.get(Thread, thread.id).last_number


def _write_requests(thread: Thread) -> list[tuple[str, str, dict]]:
    post_id = _first_post(thread).id
    return [
        ("POST", "/api/v1/boards/zentai/threads", {"title": "新しい話題", "body": "本文です"}),
        ("POST", f"/api/v1/threads/{thread.id}/posts", {"body": "返信です"}),
        ("PATCH", f"/api/v1/posts/{post_id}", {"body": "書き換え"}),
        ("DELETE", f"/api/v1/posts/{post_id}", {}),
    ]


WRITES = ["create-thread", "reply", "edit", "delete"]


# --- anonymous --------------------------------------------------------------------------------


def test_api_auth_reads_need_no_credentials(client, thread):
    for url in (
        "/api/v1/boards",
        "/api/v1/boards/zentai/threads",
        f"/api/v1/threads/{thread.id}",
        f"/api/v1/threads/{thread.id}/posts",
        f"/api/v1/posts/{_first_post(thread).id}",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("index", range(4), ids=WRITES)
def test_api_auth_write_without_credentials_is_401(client, thread, index):
    method, url, payload = _write_requests(thread)[index]
    response = client.open(url, method=method, json=payload)
    api_error(response, 401, "unauthorized")


def test_api_auth_write_without_credentials_changes_nothing(client, thread):
    for method, url, payload in _write_requests(thread):
        assert client.open(url, method=method, json=payload).status_code >= 400
    assert _last_number(thread) == 1
    db.session.expire_all()
    assert _first_post(thread).is_deleted is False
    assert db.session.scalar(select(db.func.count()).select_from(Thread)) == 1


# --- Bearer tokens ----------------------------------------------------------------------------


def test_api_auth_bearer_token_writes_without_csrf_token(client, thread, user_factory, bearer):
    author = user_factory()
    response = client.post(
        f"/api/v1/threads/{thread.id}/posts",
        json={"body": "トークンで投稿"},
        headers=bearer(author),
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["author"]["handle"] == author.handle


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Bearer kys_this-token-does-not-exist", id="unknown"),
        pytest.param("Bearer not-a-kyoso-token", id="wrong-prefix"),
        pytest.param("Bearer ", id="empty"),
    ],
)
def test_api_auth_invalid_token_is_401(client, thread, header):
    for method, url, payload in _write_requests(thread):
        response = client.open(url, method=method, json=payload, headers={"Authorization": header})
        api_error(response, 401)
    assert _last_number(thread) == 1


def test_api_auth_revoked_token_is_401(client, thread, user, bearer):
    headers = bearer(user)
    for token in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        token.revoked_at = utcnow()
    db.session.commit()
    response = client.post(
        f"/api/v1/threads/{thread.id}/posts", json={"body": "失効済み"}, headers=headers
    )
    api_error(response, 401)
    assert _last_number(thread) == 1


def test_api_auth_each_token_acts_as_its_own_user(client, thread, user, user_factory, bearer):
    other = user_factory()
    own, others = bearer(user), bearer(other)
    post_id = _first_post(thread).id
    api_error(client.patch(f"/api/v1/posts/{post_id}", json={"body": "他人"}, headers=others), 403)
    assert (
        client.patch(f"/api/v1/posts/{post_id}", json={"body": "本人"}, headers=own).status_code
        == 200
    )
    api_error(client.delete(f"/api/v1/posts/{post_id}", headers=others), 403)


# --- browser sessions -------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(4), ids=WRITES)
def test_api_auth_session_write_without_csrf_header_is_400(client, thread, user, login, index):
    login(user)
    method, url, payload = _write_requests(thread)[index]
    response = client.open(url, method=method, json=payload)
    api_error(response, 400)
    assert _last_number(thread) == 1
    db.session.expire_all()
    assert _first_post(thread).body_source == "移動販売の**巡回ルート**をどう決めていますか？"
    assert _first_post(thread).is_deleted is False


def test_api_auth_session_write_with_wrong_csrf_header_is_400(client, thread, user, login):
    login(user)
    response = client.post(
        f"/api/v1/threads/{thread.id}/posts", json={"body": "偽トークン"},
        headers={"X-CSRFToken": "forged-token"},
    )  # fmt: skip
    api_error(response, 400)
    assert _last_number(thread) == 1


@pytest.mark.parametrize("index", range(4), ids=WRITES)
def test_api_auth_session_write_with_csrf_header_succeeds(client, thread, user, login, index):
    login(user)
    method, url, payload = _write_requests(thread)[index]
    response = client.open(
        url, method=method, json=payload, headers={"X-CSRFToken": client.csrf_token()}
    )
    assert response.status_code == {"POST": 201, "PATCH": 200, "DELETE": 204}[method], (
        response.get_data(as_text=True)
    )
    if method == "POST":
        author = response.get_json().get("author") or response.get_json()["post"]["author"]
        assert author["handle"] == user.handle


def test_api_auth_session_reads_need_no_csrf_header(client, thread, user, login):
    login(user)
    assert client.get(f"/api/v1/threads/{thread.id}/posts").status_code == 200


def test_api_auth_session_with_invalid_bearer_token_is_401(client, thread, user, login):
    login(user)
    response = client.post(
        f"/api/v1/threads/{thread.id}/posts", json={"body": "CSRFなし"},
        headers={"Authorization": "Bearer kys_this-token-does-not-exist"},
    )  # fmt: skip
    api_error(response, 401)


def test_api_auth_bearer_token_decides_user_over_session(
    client, thread, user, user_factory, login, bearer
):
    other = user_factory()
    login(user)
    response = client.post(
        f"/api/v1/threads/{thread.id}/posts", json={"body": "トークンの持ち主として"},
        headers=bearer(other),
    )  # fmt: skip
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["author"]["handle"] == other.handle
