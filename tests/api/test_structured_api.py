"""The structured-thread API: create with type and fields, read back, listings with filters."""

from __future__ import annotations

from tests.fixtures.structured import valid_fields


def _post(client, headers, slug, payload):
    return client.post(f"/api/v1/boards/{slug}/threads", json=payload, headers=headers)


def test_event_round_trips_through_the_api(client, user_factory, bearer):
    token = bearer(user_factory(role="org_staff"))
    fields = valid_fields("event", start_at="2026-12-20T10:00:00+09:00",
                          end_at="2026-12-20T12:00:00+09:00", attendance_mode="online",
                          online_url="https://example.jp/live", venue_name=None, address=None)  # fmt: skip
    response = _post(client, token, "events", {"title": "オンライン交流会", "body": "どなたでも。",
                                               "type": "event", "fields": fields})  # fmt: skip
    assert response.status_code == 201, response.get_json()
    thread_id = response.get_json()["id"]
    got = client.get(f"/api/v1/threads/{thread_id}").get_json()["thread"]
    assert got["type"] == "event"
    assert got["fields"]["start_at"] == "2026-12-20T10:00+09:00"
    assert got["fields"]["attendance_mode"] == "online"
    assert got["fields"]["life_domains"] == ["ido", "kaimono"]
    assert got["fields"]["prefecture"] == "28"
    listing = client.get("/api/v1/events?from=2026-12-01&to=2026-12-31&mode=online").get_json()
    assert [e["id"] for e in listing["events"]] == [thread_id]
    assert client.get("/api/v1/events?from=2026-12-01&mode=venue").get_json()["events"] == []


def test_a_new_event_without_status_is_scheduled(client, user_factory, bearer):
    token = bearer(user_factory(role="org_staff"))
    fields = valid_fields("event")
    del fields["status"]
    response = _post(client, token, "events", {"title": "予定どおりの研修", "body": "本文",
                                               "type": "event", "fields": fields})  # fmt: skip
    assert response.status_code == 201, response.get_json()
    got = client.get(f"/api/v1/threads/{response.get_json()['id']}").get_json()["thread"]
    assert got["fields"]["status"] == "scheduled"


def test_validation_errors_name_each_field(client, user_factory, bearer):
    token = bearer(user_factory(role="org_staff"))
    fields = valid_fields("event", start_at="2026-12-20T10:00:00+09:00",
                          end_at="2026-12-19T10:00:00+09:00", prefecture="48", capacity=-1)  # fmt: skip
    response = _post(client, token, "events", {"title": "x", "body": "本文", "type": "event",
                                               "fields": fields})  # fmt: skip
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation"
    assert set(error["fields"]) == {"title", "end_at", "prefecture", "capacity"}
    assert error["fields"]["end_at"] == ["終了日時は開始日時より後にしてください。"]


def test_members_may_not_post_policies(client, user_factory, bearer):
    token = bearer(user_factory())
    response = _post(client, token, "seisaku", {"title": "施策の紹介", "body": "本文",
                                                "type": "policy", "fields": valid_fields("policy")})  # fmt: skip
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_unknown_filter_values_are_a_json_400(client):
    response = client.get("/api/v1/cases?prefecture=99")
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {
        "prefecture": ["都道府県コードが正しくありません。"]
    }
