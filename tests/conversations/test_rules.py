"""Rules against unsolicited mass messages: a new account may not start a conversation with a
stranger (nothing in common: no shared organisation, thread or earlier conversation); a daily
cap on new conversations through the project's limiter; who may write at all."""

from __future__ import annotations

import pytest

from conversations import service
from core.extensions import db
from directory.models import Organization
from forum import posting
from tests.api.helpers import api_error


def test_rules_new_account_may_not_write_to_strangers(user_factory, member):
    newcomer, stranger = user_factory(handle="newbie"), member("stranger")
    assert service.is_new_account(newcomer) and not service.is_new_account(stranger)
    outcome = service.start_conversation(starter=newcomer, participants=[stranger], body="宣伝です")
    assert outcome.status == "forbidden" and "登録して間もない" in outcome.text
    # the established member may write to the newcomer
    assert service.start_conversation(
        starter=stranger, participants=[newcomer], body="ようこそ").status == "sent"  # fmt: skip


def test_rules_what_makes_someone_not_a_stranger(user_factory, member, thread_factory, talk):
    newcomer = user_factory(handle="newbie")
    colleague, neighbour, earlier = member("colleague"), member("neighbour"), member("earlier")
    org = Organization(slug="npo-a", name="NPO法人A", kind="npo")
    db.session.add(org)
    db.session.flush()
    newcomer.organization_id = colleague.organization_id = org.id
    thread = thread_factory(author=neighbour)
    posting.create_reply(thread=thread, author=newcomer, body="同じスレッドに書きました")
    db.session.commit()
    talk(earlier, newcomer)
    for other in (colleague, neighbour, earlier):
        assert not service.is_stranger(newcomer, other), other.handle
        outcome = service.start_conversation(
            starter=newcomer, participants=[other], body="こんにちは"
        )
        assert outcome.status == "sent"
    db.session.rollback()


def test_rules_new_account_may_not_invite_strangers(user_factory, member, talk):
    newcomer, friend, stranger = user_factory(handle="newbie"), member("friend"), member("x")
    convo = talk(friend, newcomer)
    with pytest.raises(service.Refused) as refused:
        service.invite(conversation=convo, actor=newcomer, user=stranger)
    assert refused.value.code == "stranger"


def test_rules_unconfirmed_and_silenced_may_not_write(user_factory, member):
    other = member("other")
    unconfirmed = user_factory(email_confirmed=False)
    outcome = service.start_conversation(starter=unconfirmed, participants=[other], body="x")
    assert outcome.status == "forbidden"


def test_rules_participant_cap(app, member):
    app.config["CONVERSATION_MAX_PARTICIPANTS"] = 3
    starter = member("starter")
    others = [member(f"p{i}") for i in range(3)]
    outcome = service.start_conversation(starter=starter, participants=others, body="x")
    assert outcome.status == "invalid" and "3人まで" in outcome.errors["participants"][0]


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "CONVERSATIONS_LIMIT": "2 per day"}], indirect=True
)
def test_rules_daily_cap_on_new_conversations(client, member, bearer, login):
    sato = member("sato")
    targets = [member(f"t{i}") for i in range(4)]
    headers = bearer(sato)
    # a refused attempt does not use up the day's budget
    api_error(client.post("/api/v1/conversations", headers=headers,
                          json={"participants": ["ghost"], "body": "x"}), 422)  # fmt: skip
    for target in targets[:2]:
        response = client.post("/api/v1/conversations", headers=headers,
                               json={"participants": [target.handle], "body": "ご案内です"})  # fmt: skip
        assert response.status_code == 201
    error = api_error(client.post("/api/v1/conversations", headers=headers,
                                  json={"participants": [targets[2].handle], "body": "ご案内です"}),
                      429, "rate_limited")  # fmt: skip
    assert "しばらく" in error["message"] or "上限" in error["message"]
    # the web form shares the budget (per person)
    login(sato)
    response = client.post_form("/messages/new", {"recipients": targets[3].handle, "body": "x"})
    assert response.status_code == 429


def test_rules_erasure_treats_messages_like_posts(member, talk):
    """Leaving: the member is out of every conversation; their messages stay under the
    pseudonym (the others' conversation still reads in order), and with ``erase_posts`` their
    bodies are erased as their posts' are."""
    from conversations.models import ConversationMessage
    from privacy import erasure
    from tests.fixtures.app import PASSWORD

    sato, suzuki, tanaka = member("sato"), member("suzuki"), member("tanaka")
    kept = talk(sato, suzuki, body="残る本文")
    erasure.erase_account(sato, by=sato, password=PASSWORD, confirmed=True)
    db.session.commit()
    assert service.participant(kept.id, sato) is None
    message = db.session.scalar(
        db.select(ConversationMessage).where(ConversationMessage.conversation_id == kept.id)
    )
    assert message.body_source == "残る本文" and message.author.erased_at is not None
    erased = talk(suzuki, tanaka, body="消える本文")
    erasure.erase_account(suzuki, by=suzuki, password=PASSWORD, confirmed=True, erase_posts=True)
    db.session.commit()
    message = db.session.scalar(
        db.select(ConversationMessage).where(ConversationMessage.conversation_id == erased.id)
    )
    assert message.body_source == "" and "退会" in message.body_html
    assert service.participant(erased.id, tanaka) is not None
