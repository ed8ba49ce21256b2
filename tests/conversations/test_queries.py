"""Statement budgets: the inbox and a conversation page cost the same number of SQL statements
whether they hold one conversation (message, participant) or many; sending costs a fixed number."""

from __future__ import annotations

from conversations import service
from core.extensions import db


def _grow(talk, me, member, n):
    for i in range(n):
        talk(me, member(), member(), body=f"{i}通目")


def test_queries_inbox_does_not_grow_with_conversations(client, login, member, talk,
                                                        count_queries):  # fmt: skip
    me = member("me")
    login(me)
    counts = []
    for n in (1, 12):
        _grow(talk, me, member, n - (len(counts) and 1))
        client.get("/messages/")  # warm: the roles' permissions are read once per process
        with count_queries() as log:
            response = client.get("/messages/")
        assert response.status_code == 200
        counts.append(log.count)
    assert counts[0] == counts[1], counts
    # the login and the header's badge (2), the inbox: conversations, unread counts, people (3)
    assert counts[1] == 5, counts


def test_queries_conversation_page_does_not_grow_with_messages(client, login, member, talk,
                                                               count_queries):  # fmt: skip
    me, other, third = member("me"), member("other"), member("third")
    convo = talk(me, other, third)
    login(me)
    counts = []
    for n in (1, 15):
        for i in range(n - convo.message_count):
            service.send_message(conversation=convo, author=(other, third)[i % 2], body=f"返信{i}")
            db.session.commit()
        db.session.refresh(convo)
        client.get(f"/messages/{convo.id}")
        with count_queries() as log:
            response = client.get(f"/messages/{convo.id}")
        assert response.status_code == 200
        counts.append(log.count)
    assert counts[0] == counts[1], counts
    # login and badge (2), the participation (1), its conversation (1), people, messages with
    # their authors (3)
    assert counts[1] == 7, counts


def test_queries_sending_costs_a_fixed_number(member, talk, count_queries):
    me, other = member("me"), member("other")
    convo = talk(me, other)
    with count_queries() as log:
        service.send_message(conversation=convo, author=me, body="定額の文")
        db.session.commit()
    # the conversation, the author and their role back after the fixture's commit (4 reads with
    # the participation check), the message, the counters, the read position, the recipients,
    # the notification job
    assert log.count == 9, str(log)
