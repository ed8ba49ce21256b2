import pytest

from auth.accounts import create_api_token
from core.extensions import db
from moderation.models import ModerationItem
from tests.fixtures.factories import established


@pytest.fixture
def bearer(app):
    def headers(user):
        token = create_api_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return headers


def test_moderation_api_flag_queue_decide_and_audit(client, bearer, user_factory, moderator,
                                                   admin, thread_factory, post_of):  # fmt: skip
    post = post_of(thread_factory(replies=1), 2)
    for _ in range(3):
        r = client.post(f"/api/v1/posts/{post.id}/flags", json={"reason": "spam"},
                        headers=bearer(user_factory(**established())))  # fmt: skip
        assert r.status_code == 201
    assert r.get_json()["post_status"] == "hidden"
    anonymous = client.get(f"/api/v1/threads/{post.thread_id}/posts").get_json()["posts"][1]
    assert anonymous["status"] == "hidden" and anonymous["html"] == ""
    mod = bearer(moderator)
    items = client.get("/api/v1/moderation/queue", headers=mod).get_json()["items"]
    assert [i["kind"] for i in items] == ["flagged_post"]
    item = items[0]
    decided = client.post(f"/api/v1/moderation/items/{item['id']}/decision", headers=mod,
                          json={"action": "disagree", "version": item["version"], "reason": "OK"})  # fmt: skip
    assert decided.status_code == 200 and decided.get_json()["status"] == "rejected"
    stale = client.post(f"/api/v1/moderation/items/{item['id']}/decision", headers=mod,
                        json={"action": "agree_hide", "version": item["version"]})  # fmt: skip
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "conflict"
    audit = client.get("/api/v1/moderation/audit", headers=bearer(admin)).get_json()["entries"]
    assert {"queue.disagree", "post.hide", "post.restore"} <= {e["action"] for e in audit}


def test_moderation_api_refuses_non_moderators(client, bearer, user):
    headers = bearer(user)
    assert client.get("/api/v1/moderation/queue", headers=headers).status_code == 403
    assert client.get("/api/v1/moderation/audit", headers=headers).status_code == 403
    assert client.post("/api/v1/moderation/items/1/decision", headers=headers,
                       json={"action": "ignore", "version": 1}).status_code == 403  # fmt: skip
    assert client.get("/api/v1/moderation/queue").status_code == 401


def test_moderation_api_duplicate_flag_is_409(client, bearer, user_factory, thread, post_of):
    post = post_of(thread)
    headers = bearer(user_factory())
    assert (
        client.post(
            f"/api/v1/posts/{post.id}/flags", json={"reason": "spam"}, headers=headers
        ).status_code
        == 201
    )
    again = client.post(f"/api/v1/posts/{post.id}/flags", json={"reason": "spam"}, headers=headers)
    assert again.status_code == 409


def test_moderation_api_held_post_returns_202(client, bearer, user, thread):
    body = {"body": "山田様（85歳）は要介護3です。", "confirm": True}
    first = client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": body["body"]},
                        headers=bearer(user))  # fmt: skip
    assert first.status_code == 422 and first.get_json()["error"]["code"] == "needs_confirmation"
    held = client.post(f"/api/v1/threads/{thread.id}/posts", json=body, headers=bearer(user))
    assert held.status_code == 202
    assert held.get_json()["status"] == "pending_review"
    assert held.get_json()["reasons"][0]["code"] == "personal_info"
    assert db.session.scalar(db.select(db.func.count(ModerationItem.id))) == 1
