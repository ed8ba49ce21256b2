"""Conversations and moderation: the posts' screening (watched words, the personal-information
guard) on messages; flags go to the review queue, where reviewers see the flagged message and
its immediate context only; the whole conversation opens only with a recorded reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from audit.models import AuditEntry
from conversations import service
from conversations.models import ConversationMessage
from core.extensions import db
from moderation import queue
from moderation.models import ModerationItem, WatchedWord


def _messages(convo):
    return list(db.session.scalars(
        select(ConversationMessage).where(ConversationMessage.conversation_id == convo.id)
        .order_by(ConversationMessage.id)
    ))  # fmt: skip


def _send(convo, author, body, **kw):
    outcome = service.send_message(conversation=convo, author=author, body=body, **kw)
    db.session.commit()
    return outcome


def test_moderation_watched_words_block_censor_and_flag(member, talk, client, login):
    db.session.add_all([WatchedWord(word="カジノ", action="block"),
                        WatchedWord(word="いじわる", action="censor"),
                        WatchedWord(word="要確認語", action="flag")])  # fmt: skip
    db.session.commit()
    sato, suzuki = member("sato"), member("suzuki")
    convo = talk(sato, suzuki)
    login(sato)
    refused = client.post_form(f"/messages/{convo.id}", {"body": "オンラインｶｼﾞﾉの案内"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "禁止語「カジノ」" in html and "ｶｼﾞﾉの案内" in html
    assert _send(convo, sato, "いじわるな話").status == "sent"
    assert _messages(convo)[-1].body_source == "■■■■な話"
    assert _send(convo, sato, "要確認語を含む").status == "sent"
    item = db.session.scalar(select(ModerationItem).where(ModerationItem.kind == "flagged_message"))
    assert item.message_id == _messages(convo)[-1].id and "watched_word" in item.reasons


def test_moderation_personal_info_asks_first(member, talk, bearer, client):
    sato, suzuki = member("sato"), member("suzuki")
    convo = talk(sato, suzuki)
    body = "山田太郎さん（090-1234-5678）の件です。"
    response = client.post(f"/api/v1/conversations/{convo.id}/messages", headers=bearer(sato),
                           json={"body": body})  # fmt: skip
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "needs_confirmation"
    assert response.get_json()["error"]["concerns"][0]["code"] == "personal_info"
    response = client.post(f"/api/v1/conversations/{convo.id}/messages", headers=bearer(sato),
                           json={"body": body, "confirm": True})  # fmt: skip
    assert response.status_code == 201
    item = db.session.scalar(select(ModerationItem).where(ModerationItem.kind == "flagged_message"))
    assert item is not None and "personal_info" in item.reasons


@pytest.fixture
def flagged(member, talk, client, login):
    """A conversation of five messages; the third is flagged by a participant."""
    sato, suzuki = member("sato"), member("suzuki")
    convo = talk(sato, suzuki, body="一通目：秘密の前置き")
    for author, text in ((suzuki, "二通目：直前の文"), (sato, "三通目：通報される文"),
                         (suzuki, "四通目：直後の文"), (sato, "五通目：遠い後の文")):  # fmt: skip
        _send(convo, author, text)
    third = _messages(convo)[2]
    login(suzuki)
    response = client.post_form(f"/messages/m/{third.id}/flag", {"reason": "inappropriate"})
    assert response.status_code == 302
    client.post_form("/logout")
    item = db.session.scalar(select(ModerationItem).where(ModerationItem.message_id == third.id))
    return convo, third, item


def test_moderation_flag_shows_only_the_message_and_its_neighbours(flagged, client, login,
                                                                    moderator):  # fmt: skip
    convo, third, item = flagged
    login(moderator)
    queue_html = client.get("/moderation/queue").get_data(as_text=True)
    assert "三通目：通報される文" in queue_html and "四通目" not in queue_html
    html = client.get(f"/moderation/items/{item.id}/message").get_data(as_text=True)
    assert "二通目：直前の文" in html and "三通目" in html and "四通目：直後の文" in html
    assert "一通目" not in html and "五通目" not in html
    # the conversation itself stays closed to the moderator
    assert client.get(f"/messages/{convo.id}").status_code == 404


def test_moderation_opening_the_whole_conversation_needs_a_reason_and_is_audited(
    flagged, client, login, moderator
):
    convo, _third, item = flagged
    login(moderator)
    url = f"/moderation/items/{item.id}/message"
    refused = client.post_form(url, {"reason": ""})
    assert refused.status_code == 422 and "一通目" not in refused.get_data(as_text=True)
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "conversation.open"))
        is None
    )
    opened = client.post_form(url, {"reason": "嫌がらせの経緯を確認するため"})
    html = opened.get_data(as_text=True)
    assert opened.status_code == 200 and "一通目：秘密の前置き" in html and "五通目" in html
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "conversation.open"))
    assert entry.actor_id == moderator.id and entry.target_id == convo.id
    assert entry.reason == "嫌がらせの経緯を確認するため"


def test_moderation_members_cannot_see_the_flagged_item(flagged, client, login, member):
    _convo, _third, item = flagged
    login(member("outsider"))
    assert client.get(f"/moderation/items/{item.id}/message").status_code == 404


def test_moderation_hiding_a_flagged_message(flagged, moderator, client, login):
    convo, third, item = flagged
    queue.decide(item, moderator=moderator, action="agree_hide", version=item.version,
                 reason="不適切")  # fmt: skip
    db.session.commit()
    assert db.session.get(ConversationMessage, third.id).hidden_at is not None
    participant = db.session.get(ConversationMessage, third.id).author
    login(participant)
    html = client.get(f"/messages/{convo.id}").get_data(as_text=True)
    assert "三通目：通報される文" not in html and "非表示" in html


def test_moderation_outsiders_and_authors_cannot_flag(member, talk, client, login):
    sato, suzuki = member("sato"), member("suzuki")
    convo = talk(sato, suzuki)
    first = _messages(convo)[0]
    login(member("outsider"))
    assert client.get(f"/messages/m/{first.id}/flag").status_code == 404
    client.post_form("/logout")
    login(sato)
    response = client.post_form(f"/messages/m/{first.id}/flag", {"reason": "spam"})
    assert response.status_code == 422 and "自分のメッセージ" in response.get_data(as_text=True)
