"""The API's error shape for framework-level errors: 404, 405, 413, 429."""

from __future__ import annotations

import pytest

from core.extensions import db
from forum.models import Thread
from tests.api.helpers import api_error


def _last_number(thread: Thread) -> int:
    db.session.expire_all()
    return db.session.get(Thread, thread.id).last_number


def test_api_errors_unknown_route_is_json_404(client):
    api_error(client.get("/api/v1/no-such-endpoint"), 404, "not_found")


def test_api_errors_wrong_method_is_json_405(client):
    api_error(client.put("/api/v1/boards", json={}), 405, "method_not_allowed")


def test_api_errors_validation_error_lists_fields(client, thread, user, bearer):
    response = client.post(f"/api/v1/threads/{thread.id}/posts", json={}, headers=bearer(user))
    error = api_error(response, 422, "validation")
    assert error["message"] == "入力内容を確認してください。"
    assert error["fields"] == {"body": ["入力してください。"]}


def test_api_errors_forbidden_has_no_fields(client, thread_factory, user, bearer):
    locked = thread_factory(is_locked=True)
    response = client.post(
        f"/api/v1/threads/{locked.id}/posts", json={"body": "返信"}, headers=bearer(user)
    )
    assert "fields" not in api_error(response, 403, "forbidden")


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 1024}], indirect=True)
def test_api_errors_request_larger_than_max_content_length_is_413(client, thread, user, bearer):
    headers = bearer(user)
    ok = client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "短い"}, headers=headers)
    assert ok.status_code == 201
    response = client.post(
        f"/api/v1/threads/{thread.id}/posts", json={"body": "長" * 2000}, headers=headers
    )
    api_error(response, 413, "too_large")
    assert _last_number(thread) == 2


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 1024}], indirect=True)
def test_api_errors_session_request_larger_than_max_content_length_is_413(
    client, thread, user, login
):
    login(user)
    response = client.post(
        f"/api/v1/threads/{thread.id}/posts", json={"body": "長" * 2000},
        headers={"X-CSRFToken": client.csrf_token()},
    )  # fmt: skip
    api_error(response, 413, "too_large")
    assert _last_number(thread) == 1


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_api_errors_too_many_writes_is_429(client, thread, user, bearer):
    headers = bearer(user)
    url = f"/api/v1/threads/{thread.id}/posts"
    for i in range(20):
        response = client.post(url, json={"body": f"返信{i + 1}"}, headers=headers)
        assert response.status_code == 201, (i, response.get_data(as_text=True))
    api_error(client.post(url, json={"body": "多すぎる"}, headers=headers), 429, "rate_limited")
    assert _last_number(thread) == 21
    assert client.get(f"/api/v1/threads/{thread.id}/posts").status_code == 200
