"""Query budgets of the write paths (issue #11): a reply ≤ 8 statements, a new thread ≤ 10, an
edit ≤ 8 — through the API and the web form alike, on SQLite and PostgreSQL. The counts are
pinned exactly, so a new statement on a write path shows up here first.

What a reply costs: who is asking (token or login, with role, permissions and boards: one
statement), the thread with its board, the duplicate check, the thread's counters (UPDATE …
RETURNING), the board's counters, the post, its search outbox row and its notification job.
Watched words are read once per process (``WATCHED_WORDS_CACHE_SECONDS``), so a warm-up request
comes first.
"""

from __future__ import annotations

import pytest

from core.extensions import db
from forum.models import Board

BUDGET = {"reply": 8, "thread": 10, "edit": 8}


@pytest.fixture
def app_config():
    return {"MODERATION_DUPLICATE_MINUTES": 10}  # as in production: the duplicate check runs


def _count(count_queries, call):
    with count_queries() as log:
        response = call()
    assert response.status_code in (200, 201, 302), response.get_data(as_text=True)
    return log


def test_write_budgets_through_the_api(client, bearer, user, thread, count_queries):
    headers = bearer(user)
    slug = db.session.get(Board, thread.board_id).slug
    client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "準備"}, headers=headers)
    reply = _count(count_queries, lambda: client.post(
        f"/api/v1/threads/{thread.id}/posts", json={"body": "返信です"}, headers=headers))  # fmt: skip
    assert reply.count == 8 <= BUDGET["reply"], str(reply)
    created = _count(count_queries, lambda: client.post(
        f"/api/v1/boards/{slug}/threads", json={"title": "新しい話題", "body": "本文です"},
        headers=headers))  # fmt: skip
    assert created.count == 9 <= BUDGET["thread"], str(created)
    post_id = client.get(f"/api/v1/threads/{thread.id}/posts").get_json()["posts"][-1]["id"]
    edit = _count(count_queries, lambda: client.patch(
        f"/api/v1/posts/{post_id}", json={"body": "直しました"}, headers=headers))  # fmt: skip
    assert edit.count == 6 <= BUDGET["edit"], str(edit)


def test_write_budgets_through_the_web(client, login, user, thread, count_queries):
    login(user)
    slug = db.session.get(Board, thread.board_id).slug
    token = client.csrf_token(f"/t/{thread.id}")
    client.post(f"/t/{thread.id}/reply", data={"body": "準備", "csrf_token": token})
    reply = _count(count_queries, lambda: client.post(
        f"/t/{thread.id}/reply", data={"body": "返信です", "csrf_token": token}))  # fmt: skip
    assert reply.count == 8 <= BUDGET["reply"], str(reply)
    created = _count(count_queries, lambda: client.post(
        f"/b/{slug}/new", data={"title": "新しい話題", "body": "本文です", "csrf_token": token}))  # fmt: skip
    assert created.count == 9 <= BUDGET["thread"], str(created)
    post_id = client.get(f"/api/v1/threads/{thread.id}/posts").get_json()["posts"][-1]["id"]
    edit = _count(count_queries, lambda: client.post(
        f"/p/{post_id}/edit", data={"body": "直しました", "csrf_token": token}))  # fmt: skip
    assert edit.count == 6 <= BUDGET["edit"], str(edit)
