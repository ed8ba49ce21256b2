"""Conversations through the pages and the API: start, reply, invite, leave; participants only
(404 to others); Japanese JSON errors; nothing typed is lost on an error."""

from __future__ import annotations

from sqlalchemy import select

from conversations import service
from conversations.models import ConversationMessage, ConversationParticipant
from core.extensions import db
from tests.api.helpers import api_error


def test_flows_start_on_the_web_and_reply(client, login, member):
    sato = member("sato")
    member("suzuki")
    login(sato)
    page = client.get("/messages/new?to=suzuki")
    assert page.status_code == 200 and 'value="suzuki"' in page.get_data(as_text=True)
    response = client.post_form("/messages/new", {"recipients": "suzuki", "subject": "移動販売",
                                                  "body": "巡回ルートの**相談**です。"})  # fmt: skip
    assert response.status_code == 302
    url = response.headers["Location"]
    html = client.get(url).get_data(as_text=True)
    assert "<strong>相談</strong>" in html and "移動販売" in html
    response = client.post_form(url, {"body": "追伸：来週はいかがですか。"})
    assert response.status_code == 302
    assert "追伸" in client.get(url).get_data(as_text=True)
    inbox = client.get("/messages/").get_data(as_text=True)
    assert "移動販売" in inbox


def test_flows_errors_keep_what_was_typed(client, login, member):
    sato = member("sato")
    login(sato)
    response = client.post_form("/messages/new", {"recipients": "nobody-here", "subject": "件名です",
                                                  "body": "消えてはいけない本文"})  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        "見つからないハンドル名" in html and "消えてはいけない本文" in html and "件名です" in html
    )


def test_flows_others_get_404_everywhere(client, login, member, talk, bearer):
    sato, suzuki, tanaka = member("sato"), member("suzuki"), member("tanaka")
    convo = talk(sato, suzuki)
    login(tanaka)
    assert client.get(f"/messages/{convo.id}").status_code == 404
    assert client.post_form(f"/messages/{convo.id}", {"body": "割り込み"}).status_code == 404
    assert client.post_form(f"/messages/{convo.id}/invite", {"handle": "tanaka"}).status_code == 404
    assert client.post_form(f"/messages/{convo.id}/leave").status_code == 404
    headers = bearer(tanaka)
    api_error(client.get(f"/api/v1/conversations/{convo.id}/messages", headers=headers), 404,
              "not_found")  # fmt: skip
    api_error(client.post(f"/api/v1/conversations/{convo.id}/messages", json={"body": "x"},
                          headers=headers), 404, "not_found")  # fmt: skip
    assert client.get("/api/v1/conversations", headers=headers).get_json()["conversations"] == []


def test_flows_signed_out_is_sent_to_login_and_api_is_401(client, member, talk):
    convo = talk(member(), member())
    assert client.get(f"/messages/{convo.id}").status_code == 302
    api_error(client.get("/api/v1/conversations"), 401, "unauthorized")


def test_flows_invite_and_leave(client, login, member, talk):
    sato, suzuki, tanaka = member("sato"), member("suzuki"), member("tanaka")
    convo = talk(sato, suzuki)
    login(suzuki)
    assert client.post_form(f"/messages/{convo.id}/invite", {"handle": "tanaka"}).status_code == 302
    assert service.participant(convo.id, tanaka) is not None
    assert client.post_form(f"/messages/{convo.id}/leave").status_code == 302
    assert service.participant(convo.id, suzuki) is None
    assert client.get(f"/messages/{convo.id}").status_code == 404


def test_flows_api_start_list_and_read_after(client, member, bearer):
    sato, suzuki = member("sato"), member("suzuki")
    headers = bearer(sato)
    response = client.post("/api/v1/conversations", headers=headers, json={
        "participants": ["suzuki"], "subject": "連携のご相談", "body": "はじめまして。"})  # fmt: skip
    assert response.status_code == 201
    body = response.get_json()
    cid, first = body["conversation"]["id"], body["message"]["id"]
    assert response.headers["Location"] == body["conversation"]["url"]
    theirs = bearer(suzuki)
    listed = client.get("/api/v1/conversations", headers=theirs).get_json()["conversations"]
    assert [c["id"] for c in listed] == [cid] and listed[0]["unread_count"] == 1
    reply = client.post(f"/api/v1/conversations/{cid}/messages", headers=theirs,
                        json={"body": "ありがとうございます。"})  # fmt: skip
    assert reply.status_code == 201
    after = client.get(f"/api/v1/conversations/{cid}/messages?after={first}", headers=headers)
    assert [m["body"] for m in after.get_json()["messages"]] == ["ありがとうございます。"]


def test_flows_api_errors_are_japanese_json(client, member, bearer):
    sato = member("sato")
    headers = bearer(sato)
    error = api_error(client.post("/api/v1/conversations", headers=headers,
                                  json={"participants": "suzuki", "body": ""}), 422, "validation")  # fmt: skip
    assert "宛先" in error["fields"]["participants"][0]
    error = api_error(client.post("/api/v1/conversations", headers=headers,
                                  json={"participants": ["ghost"], "body": "x"}), 422)  # fmt: skip
    assert "ghost" in error["fields"]["participants"][0]
    api_error(client.get("/api/v1/conversations/1/messages?after=abc", headers=headers), 404)
    api_error(client.post("/api/v1/conversations", headers=headers, data="[1]",
                          content_type="application/json"), 400)  # fmt: skip


def test_flows_api_bad_after_is_400(client, member, talk, bearer):
    sato, suzuki = member("sato"), member("suzuki")
    convo = talk(sato, suzuki)
    api_error(client.get(f"/api/v1/conversations/{convo.id}/messages?after=abc",
                         headers=bearer(sato)), 400, "bad_request")  # fmt: skip


def test_flows_markdown_is_sanitised_and_stored_twice(member, talk):
    sato, suzuki = member("sato"), member("suzuki")
    convo = talk(sato, suzuki, body="<script>alert(1)</script> [x](javascript:alert(1)) **太字**")
    message = db.session.scalar(
        select(ConversationMessage).where(ConversationMessage.conversation_id == convo.id)
    )
    assert "<script>" not in message.body_html and "javascript:" not in message.body_html
    assert "<strong>太字</strong>" in message.body_html
    assert message.body_source.startswith("<script>") and message.renderer_version >= 1


def test_flows_mark_read_only_moves_forward(client, login, member, talk):
    sato, suzuki = member("sato"), member("suzuki")
    convo = talk(sato, suzuki)
    login(suzuki)
    token = client.csrf_token(f"/messages/{convo.id}")
    client.post(f"/messages/{convo.id}/read", json={"up_to": convo.last_message_id},
                headers={"X-CSRFToken": token})  # fmt: skip
    row = db.session.get(ConversationParticipant, (convo.id, suzuki.id))
    db.session.refresh(row)
    assert row.last_read_message_id == convo.last_message_id


def test_flows_message_an_organisation_and_a_profile(client, login, member):
    from directory.models import Organization

    org = Organization(slug="npo-kaimono", name="NPO法人かいもの", kind="npo")
    db.session.add(org)
    db.session.flush()
    staff_a, staff_b = member("staff_a", organization_id=org.id), member("staff_b")
    staff_b.organization_id = org.id
    db.session.commit()
    me = member("me")
    login(me)
    assert "この団体にメッセージを送る" in client.get(f"/directory/{org.slug}").get_data(
        as_text=True
    )
    assert "メッセージを送る" in client.get(f"/u/{staff_a.handle}").get_data(as_text=True)
    assert "メッセージを送る" not in client.get(f"/u/{me.handle}").get_data(as_text=True)
    html = client.get(f"/messages/new?organization={org.id}").get_data(as_text=True)
    assert 'value="staff_a staff_b"' in html and "NPO法人かいもの" in html
