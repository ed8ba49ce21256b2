"""Replies, edits and deletions through the API, and who may do them."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from forum.models import Board, Post, Thread
from tests.api.helpers import api_error, has_offset


def _post(thread: Thread, number: int) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == number))


def _reload(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


# --- POST /threads/<id>/posts -----------------------------------------------------------------


def test_post_reply_returns_201(client, thread, user_factory, bearer):
    replier = user_factory()
    response = client.post(
        f"/api/v1/threads/{thread.id}/posts", json={"body": "うちでも*試して*みます。"},
        headers=bearer(replier),
    )  # fmt: skip
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.get_json()
    assert {"id", "number", "html"} <= set(data)
    assert data["number"] == 2
    assert data["html"] == "<p>うちでも<em>試して</em>みます。</p>"
    assert data["author"]["handle"] == replier.handle
    assert has_offset(data["created_at"])
    assert response.headers["Location"] == data["url"]


def test_post_reply_updates_thread_and_listing(client, thread, user, bearer):
    headers = bearer(user)
    for body in ("一つ目の返信", "二つ目の返信"):
        assert (
            client.post(
                f"/api/v1/threads/{thread.id}/posts", json={"body": body}, headers=headers
            ).status_code
            == 201
        )
    data = client.get(f"/api/v1/threads/{thread.id}").get_json()["thread"]
    assert data["reply_count"] == 2
    assert data["last_number"] == 3
    posts = client.get(f"/api/v1/threads/{thread.id}/posts?after=1").get_json()["posts"]
    assert [(p["number"], p["html"]) for p in posts] == [
        (2, "<p>一つ目の返信</p>"),
        (3, "<p>二つ目の返信</p>"),
    ]


def test_post_reply_escapes_script_in_html(client, thread, user, bearer):
    response = client.post(
        f"/api/v1/threads/{thread.id}/posts",
        json={"body": '<script>alert("xss")</script> と <b onclick="x()">太字</b>'},
        headers=bearer(user),
    )
    assert response.status_code == 201
    html = response.get_json()["html"]
    assert "&lt;script&gt;" in html
    assert "<script" not in html
    assert "<b>太字</b>" in html
    assert "onclick" not in html


def test_post_reply_drops_javascript_links(client, thread, user, bearer):
    response = client.post(
        f"/api/v1/threads/{thread.id}/posts", json={"body": "[押して](javascript:alert(1))"},
        headers=bearer(user),
    )  # fmt: skip
    assert response.status_code == 201
    assert "javascript:" not in response.get_json()["html"]


def test_post_reply_to_locked_thread_is_403(client, thread_factory, user, bearer):
    locked = thread_factory(is_locked=True)
    response = client.post(
        f"/api/v1/threads/{locked.id}/posts", json={"body": "返信したい"}, headers=bearer(user)
    )
    api_error(response, 403, "forbidden")
    assert _reload(locked).last_number == 1


def test_post_reply_to_locked_thread_by_moderator_is_201(client, thread_factory, moderator, bearer):
    locked = thread_factory(is_locked=True)
    response = client.post(
        f"/api/v1/threads/{locked.id}/posts", json={"body": "管理者からの補足"},
        headers=bearer(moderator),
    )  # fmt: skip
    assert response.status_code == 201
    assert response.get_json()["number"] == 2


def test_post_reply_to_unknown_thread_is_404(client, user, bearer):
    response = client.post(
        "/api/v1/threads/999999/posts", json={"body": "どこへ"}, headers=bearer(user)
    )
    api_error(response, 404, "not_found")


def test_post_reply_empty_body_is_422(client, thread, user, bearer):
    for payload in ({}, {"body": ""}, {"body": " \n "}):
        response = client.post(
            f"/api/v1/threads/{thread.id}/posts", json=payload, headers=bearer(user)
        )
        error = api_error(response, 422, "validation")
        assert error["fields"] == {"body": ["入力してください。"]}
    assert _reload(thread).last_number == 1


def test_post_reply_non_json_body_is_400(client, thread, user, bearer):
    response = client.post(
        f"/api/v1/threads/{thread.id}/posts", data="body=返信", headers=bearer(user),
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    api_error(response, 400, "bad_request")


# --- GET /posts/<id> --------------------------------------------------------------------------


def test_post_get_returns_post(client, thread, user):
    first = _post(thread, 1)
    response = client.get(f"/api/v1/posts/{first.id}")
    assert response.status_code == 200
    data = response.get_json()
    assert data["id"] == first.id
    assert data["number"] == 1
    assert data["author"]["handle"] == user.handle


def test_post_get_unknown_is_404(client):
    api_error(client.get("/api/v1/posts/999999"), 404, "not_found")


# --- PATCH /posts/<id> ------------------------------------------------------------------------


def test_post_edit_by_author_updates_html(client, thread_factory, user, bearer):
    thread = thread_factory(author=user, replies=1)
    reply = _post(thread, 2)
    response = client.patch(
        f"/api/v1/posts/{reply.id}", json={"body": "**訂正**しました"}, headers=bearer(user)
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert data["id"] == reply.id
    assert data["html"] == "<p><strong>訂正</strong>しました</p>"
    assert has_offset(data["edited_at"])
    listed = client.get(f"/api/v1/threads/{thread.id}/posts?after=1").get_json()["posts"][0]
    assert listed["html"] == "<p><strong>訂正</strong>しました</p>"


def test_post_edit_by_other_member_is_403(client, thread, user_factory, bearer):
    first = _post(thread, 1)
    response = client.patch(
        f"/api/v1/posts/{first.id}", json={"body": "乗っ取り"}, headers=bearer(user_factory())
    )
    api_error(response, 403, "forbidden")
    assert "乗っ取り" not in _reload(first).body_html


def test_post_edit_by_moderator_is_200(client, thread, moderator, bearer):
    first = _post(thread, 1)
    response = client.patch(
        f"/api/v1/posts/{first.id}", json={"body": "個人情報を削除しました。"},
        headers=bearer(moderator),
    )  # fmt: skip
    assert response.status_code == 200
    assert response.get_json()["html"] == "<p>個人情報を削除しました。</p>"
    assert _reload(first).body_source == "個人情報を削除しました。"


def test_post_edit_first_post_title_renames_thread(client, thread, user, bearer):
    first = _post(thread, 1)
    response = client.patch(
        f"/api/v1/posts/{first.id}", json={"title": "新しいタイトル", "body": "本文も更新"},
        headers=bearer(user),
    )  # fmt: skip
    assert response.status_code == 200
    assert client.get(f"/api/v1/threads/{thread.id}").get_json()["thread"]["title"] == (
        "新しいタイトル"
    )


def test_post_edit_short_title_is_422(client, thread, user, bearer):
    first = _post(thread, 1)
    response = client.patch(
        f"/api/v1/posts/{first.id}", json={"title": " あ ", "body": "本文"}, headers=bearer(user)
    )
    error = api_error(response, 422, "validation")
    assert error["fields"] == {"title": ["タイトルは2文字以上120文字以内にしてください。"]}
    assert _reload(thread).title == "買い物支援の進め方について"


def test_post_edit_empty_body_is_422(client, thread, user, bearer):
    first = _post(thread, 1)
    response = client.patch(f"/api/v1/posts/{first.id}", json={"body": ""}, headers=bearer(user))
    error = api_error(response, 422, "validation")
    assert error["fields"] == {"body": ["入力してください。"]}


def test_post_edit_unknown_is_404(client, user, bearer):
    response = client.patch("/api/v1/posts/999999", json={"body": "なし"}, headers=bearer(user))
    api_error(response, 404, "not_found")


# --- DELETE /posts/<id> -----------------------------------------------------------------------


def test_post_delete_by_author_is_204_and_listed_as_deleted(client, thread_factory, user, bearer):
    thread = thread_factory(author=user, replies=2)
    reply = _post(thread, 2)
    response = client.delete(f"/api/v1/posts/{reply.id}", headers=bearer(user))
    assert response.status_code == 204
    assert response.get_data() == b""
    posts = client.get(f"/api/v1/threads/{thread.id}/posts").get_json()["posts"]
    assert [p["number"] for p in posts] == [1, 2, 3]
    assert posts[1]["is_deleted"] is True
    assert posts[1]["html"] == ""
    assert client.get(f"/api/v1/threads/{thread.id}").get_json()["thread"]["reply_count"] == 1


def test_post_delete_by_other_member_is_403(client, thread_factory, user, user_factory, bearer):
    thread = thread_factory(author=user, replies=1)
    reply = _post(thread, 2)
    response = client.delete(f"/api/v1/posts/{reply.id}", headers=bearer(user_factory()))
    api_error(response, 403, "forbidden")
    assert _reload(reply).is_deleted is False


def test_post_delete_by_moderator_is_204(client, thread_factory, moderator, bearer):
    thread = thread_factory(replies=1)
    reply = _post(thread, 2)
    response = client.delete(f"/api/v1/posts/{reply.id}", headers=bearer(moderator))
    assert response.status_code == 204
    assert _reload(reply).is_deleted is True


def test_post_delete_first_post_removes_thread(client, thread, user, bearer):
    first = _post(thread, 1)
    assert client.delete(f"/api/v1/posts/{first.id}", headers=bearer(user)).status_code == 204
    api_error(client.get(f"/api/v1/threads/{thread.id}"), 404, "not_found")
    assert client.get("/api/v1/boards/zentai/threads").get_json()["threads"] == []
    db.session.expire_all()
    board = db.session.scalar(select(Board).where(Board.slug == "zentai"))
    assert board.thread_count == 0


def test_post_delete_unknown_is_404(client, user, bearer):
    api_error(client.delete("/api/v1/posts/999999", headers=bearer(user)), 404, "not_found")
