"""The notification API: list, read, watches, settings."""

from __future__ import annotations

from core.extensions import db
from forum import posting
from tests.api.helpers import api_error, has_offset


def test_api_lists_and_reads_notifications(client, bearer, user_factory, thread_factory, process):
    me = user_factory(handle="api_me")
    headers = bearer(me)
    thread = thread_factory()
    for i in range(3):
        posting.create_reply(thread=thread, author=user_factory(), body=f"@api_me その{i}")
        db.session.commit()
    process()
    body = client.get("/api/v1/notifications?unread=1&limit=2", headers=headers).get_json()
    assert body["unread_count"] == 3 and len(body["notifications"]) == 2
    first = body["notifications"][0]
    assert first["kind"] == "mentioned" and has_offset(first["created_at"])
    assert first["url"].startswith("/p/") and not first["is_read"]
    rest = client.get(f"/api/v1/notifications?unread=1&limit=2&cursor={body['next_cursor']}",
                      headers=headers).get_json()  # fmt: skip
    assert len(rest["notifications"]) == 1 and rest["next_cursor"] is None
    ids = {n["id"] for n in body["notifications"] + rest["notifications"]}
    assert len(ids) == 3
    read = client.post("/api/v1/notifications/read", json={"ids": [first["id"]]}, headers=headers)
    assert read.get_json() == {"updated": 1, "unread_count": 2}
    read = client.post("/api/v1/notifications/read", json={"all": True}, headers=headers)
    assert read.get_json()["unread_count"] == 0
    body = client.get("/api/v1/notifications", headers=headers).get_json()
    assert len(body["notifications"]) == 3 and all(n["is_read"] for n in body["notifications"])


def test_api_notifications_errors(client, bearer, user):
    api_error(client.get("/api/v1/notifications"), 401, "unauthorized")
    headers = bearer(user)
    api_error(client.get("/api/v1/notifications?cursor=zzz", headers=headers), 400, "bad_cursor")
    api_error(client.post("/api/v1/notifications/read", json={"ids": "1"}, headers=headers), 422)
    api_error(client.post("/api/v1/notifications/read", json={"ids": [1]}), 401)


def test_api_watches(client, bearer, user, thread, board):
    headers = bearer(user)
    got = client.get(f"/api/v1/watches/thread/{thread.id}", headers=headers).get_json()
    assert got["level"] == "normal" and "watching_first_post" not in got["levels"]
    put = client.put(f"/api/v1/watches/thread/{thread.id}", json={"level": "watching"},
                     headers=headers)  # fmt: skip
    assert put.status_code == 200 and put.get_json()["level"] == "watching"
    put = client.put("/api/v1/watches/board/zentai", json={"level": "watching_first_post"},
                     headers=headers)  # fmt: skip
    assert put.get_json()["id"] == str(board.id)
    got = client.get(f"/api/v1/watches/board/{board.id}", headers=headers).get_json()
    assert got["level"] == "watching_first_post"
    put = client.put("/api/v1/watches/prefecture/28", json={"level": "watching_first_post"},
                     headers=headers)  # fmt: skip
    assert put.status_code == 200
    api_error(client.put(f"/api/v1/watches/thread/{thread.id}", json={"level": "loud"},
                         headers=headers), 422, "validation_failed")  # fmt: skip
    api_error(client.get("/api/v1/watches/thread/999999", headers=headers), 404)
    api_error(client.get("/api/v1/watches/planet/1", headers=headers), 404)


def test_api_settings(client, bearer, user_factory):
    me, other = user_factory(), user_factory(handle="api_noisy")
    headers = bearer(me)
    got = client.get("/api/v1/me/notification-settings", headers=headers).get_json()
    assert got["email"]["mentioned"] == "immediate" and got["email"]["posted"] == "daily"
    assert got["auto_watch_start"] == "watching" and got["muted_users"] == []
    put = client.put("/api/v1/me/notification-settings", headers=headers, json={
        "email": {"posted": "weekly"}, "auto_watch_reply": "watching",
        "muted_users": ["api_noisy"],
    })  # fmt: skip
    body = put.get_json()
    assert body["email"]["posted"] == "weekly" and body["email"]["mentioned"] == "immediate"
    assert body["auto_watch_reply"] == "watching" and body["muted_users"] == ["api_noisy"]
    error = api_error(client.put("/api/v1/me/notification-settings", headers=headers,
                                 json={"email": {"posted": "hourly"}}), 422)  # fmt: skip
    assert "email" in error["fields"]
    body = client.put("/api/v1/me/notification-settings", headers=headers,
                      json={"muted_users": []}).get_json()  # fmt: skip
    assert body["muted_users"] == []
    assert other.id  # used
