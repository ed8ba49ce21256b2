"""Threads through the API: create, read, list posts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db
from forum import posting
from forum.models import Board, Post
from tests.api.helpers import api_error, has_offset

NEW_THREAD = {"title": "移動販売の巡回ルート", "body": "**曜日ごと**に決めています。"}


def _first_post(thread) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 1))


def _board(slug: str = "zentai") -> Board:
    db.session.expire_all()
    return db.session.scalar(select(Board).where(Board.slug == slug))


# --- POST /boards/<slug>/threads --------------------------------------------------------------


def test_thread_create_returns_201_with_first_post(client, user, bearer):
    response = client.post("/api/v1/boards/zentai/threads", json=NEW_THREAD, headers=bearer(user))
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.get_json()
    assert {"id", "url", "post"} <= set(data)
    assert data["url"].endswith(f"/t/{data['id']}")
    assert response.headers["Location"] == data["url"]
    post = data["post"]
    assert {"id", "number", "html"} <= set(post)
    assert post["number"] == 1
    assert post["html"] == "<p><strong>曜日ごと</strong>に決めています。</p>"
    assert post["author"]["handle"] == user.handle
    assert has_offset(post["created_at"])


def test_thread_create_is_listed_and_counted(client, user, bearer):
    created = client.post(
        "/api/v1/boards/zentai/threads", json=NEW_THREAD, headers=bearer(user)
    ).get_json()
    listing = client.get("/api/v1/boards/zentai/threads").get_json()
    assert [t["id"] for t in listing["threads"]] == [created["id"]]
    assert listing["threads"][0]["title"] == NEW_THREAD["title"]
    assert _board().thread_count == 1
    thread = client.get(f"/api/v1/threads/{created['id']}").get_json()["thread"]
    assert thread["title"] == NEW_THREAD["title"]
    assert thread["board"] == "zentai"


def test_thread_create_validation_errors_are_japanese_422(client, user, bearer):
    response = client.post(
        "/api/v1/boards/zentai/threads", json={"title": "あ", "body": "   "}, headers=bearer(user)
    )
    error = api_error(response, 422, "validation")
    assert error["fields"] == {
        "title": ["タイトルは2文字以上120文字以内にしてください。"],
        "body": ["入力してください。"],
    }
    assert _board().thread_count == 0


def test_thread_create_missing_fields_are_422(client, user, bearer):
    response = client.post("/api/v1/boards/zentai/threads", json={}, headers=bearer(user))
    error = api_error(response, 422, "validation")
    assert error["fields"] == {"title": ["入力してください。"], "body": ["入力してください。"]}


def test_thread_create_non_string_fields_are_422(client, user, bearer):
    response = client.post(
        "/api/v1/boards/zentai/threads", json={"title": ["配列"], "body": 123}, headers=bearer(user)
    )
    error = api_error(response, 422, "validation")
    assert set(error["fields"]) == {"title", "body"}


@pytest.mark.parametrize("app_config", [{"MAX_POST_LENGTH": 10}], indirect=True)
def test_thread_create_body_over_max_post_length_is_422(client, user, bearer):
    response = client.post(
        "/api/v1/boards/zentai/threads",
        json={"title": "長すぎる本文", "body": "あ" * 11},
        headers=bearer(user),
    )
    error = api_error(response, 422, "validation")
    assert error["fields"] == {"body": ["本文は10文字以内にしてください（現在11文字）。"]}


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        pytest.param("title=abc&body=def", "application/x-www-form-urlencoded", id="form"),
        pytest.param('{"title": "壊れた', "application/json", id="broken-json"),
        pytest.param('["title", "body"]', "application/json", id="json-list"),
        pytest.param('"just a string"', "application/json", id="json-string"),
        pytest.param("", "application/json", id="empty"),
    ],
)
def test_thread_create_non_json_object_body_is_400(client, user, bearer, data, content_type):
    response = client.post(
        "/api/v1/boards/zentai/threads", data=data, content_type=content_type, headers=bearer(user)
    )
    api_error(response, 400, "bad_request")
    assert _board().thread_count == 0


def test_thread_create_on_unknown_board_is_404(client, user, bearer):
    response = client.post(
        "/api/v1/boards/no-such-board/threads", json=NEW_THREAD, headers=bearer(user)
    )
    api_error(response, 404, "not_found")


def test_thread_create_escapes_script_in_html(client, user, bearer):
    body = "<script>alert('xss')</script>\n\n<img src=x onerror=alert(1)>"
    response = client.post(
        "/api/v1/boards/zentai/threads",
        json={"title": "スクリプトの確認", "body": body},
        headers=bearer(user),
    )
    assert response.status_code == 201
    created = response.get_json()
    for html in (
        created["post"]["html"],
        client.get(f"/api/v1/threads/{created['id']}/posts").get_json()["posts"][0]["html"],
    ):
        assert "&lt;script&gt;" in html
        assert "<script" not in html
        assert "<img" not in html


# --- GET /threads/<id> ------------------------------------------------------------------------


def test_thread_get_returns_thread(client, thread_factory, user):
    thread = thread_factory(author=user, replies=2)
    response = client.get(f"/api/v1/threads/{thread.id}")
    assert response.status_code == 200
    data = response.get_json()["thread"]
    assert data["id"] == thread.id
    assert data["title"] == thread.title
    assert data["board"] == "zentai"
    assert data["author"]["handle"] == user.handle
    assert data["reply_count"] == 2
    assert data["last_number"] == 3
    assert has_offset(data["created_at"])
    assert has_offset(data["last_post_at"])


def test_thread_get_unknown_is_404(client):
    api_error(client.get("/api/v1/threads/999999"), 404, "not_found")


def test_thread_get_deleted_is_404_for_members_but_visible_to_moderators(
    client, thread, user, moderator, bearer
):
    posting.delete_post(post=_first_post(thread), actor=user)
    db.session.commit()
    api_error(client.get(f"/api/v1/threads/{thread.id}", headers=bearer(user)), 404)
    api_error(client.get(f"/api/v1/threads/{thread.id}/posts"), 404)
    response = client.get(f"/api/v1/threads/{thread.id}", headers=bearer(moderator))
    assert response.status_code == 200
    assert response.get_json()["thread"]["id"] == thread.id


# --- GET /threads/<id>/posts ------------------------------------------------------------------


def test_thread_posts_lists_every_post_in_order(client, thread_factory, user):
    thread = thread_factory(author=user, replies=5)
    response = client.get(f"/api/v1/threads/{thread.id}/posts")
    assert response.status_code == 200
    posts = response.get_json()["posts"]
    assert [p["number"] for p in posts] == [1, 2, 3, 4, 5, 6]
    assert posts[0]["html"] == "<p>移動販売の<strong>巡回ルート</strong>をどう決めていますか？</p>"
    assert posts[3]["html"] == "<p>返信その3</p>"
    for post in posts:
        assert {"id", "number", "html", "author", "created_at"} <= set(post)
        assert post["author"]["handle"] == user.handle
        assert post["is_deleted"] is False
        assert has_offset(post["created_at"])


def test_thread_posts_after_and_limit_select_a_window(client, thread_factory):
    thread = thread_factory(replies=5)

    def numbers(**query) -> list[int]:
        response = client.get(f"/api/v1/threads/{thread.id}/posts", query_string=query)
        assert response.status_code == 200
        return [p["number"] for p in response.get_json()["posts"]]

    assert numbers(after=2, limit=2) == [3, 4]
    assert numbers(after=4) == [5, 6]
    assert numbers(after=6) == []
    assert numbers(limit=1) == [1]
    assert numbers(after=-3, limit=2) == [1, 2]


def test_thread_posts_deleted_post_has_empty_html(client, thread_factory, user):
    thread = thread_factory(author=user, replies=2)
    second = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 2))
    posting.delete_post(post=second, actor=user)
    db.session.commit()
    posts = client.get(f"/api/v1/threads/{thread.id}/posts").get_json()["posts"]
    assert [p["number"] for p in posts] == [1, 2, 3]
    assert posts[1]["is_deleted"] is True
    assert posts[1]["html"] == ""
    assert posts[2]["is_deleted"] is False
    assert posts[2]["html"] == "<p>返信その2</p>"


def test_thread_posts_unknown_thread_is_404(client):
    api_error(client.get("/api/v1/threads/999999/posts"), 404, "not_found")


def test_thread_posts_query_count_is_independent_of_post_count(
    client, thread_factory, user_factory, count_queries
):
    thread = thread_factory(replies=1)
    with count_queries() as few:
        client.get(f"/api/v1/threads/{thread.id}/posts")
    for _ in range(8):
        posting.create_reply(thread=thread, author=user_factory(), body="別の人の返信")
    db.session.commit()
    with count_queries() as many:
        posts = client.get(f"/api/v1/threads/{thread.id}/posts").get_json()["posts"]
    assert len(posts) == 10
    assert many.count == few.count, str(many)
