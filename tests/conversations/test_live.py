"""Live delivery over Socket.IO (the real Flask-SocketIO test client): a participant's own room
hears of a new message after the commit, with ids only; others hear nothing and cannot join
anything that would tell them. Notifications and e-mail follow the member's settings."""

from __future__ import annotations

from datetime import timedelta

from conversations import service
from core.extensions import db
from core.types import utcnow
from notifications import kinds, mailing, watching
from notifications.models import Notification
from tests.fixtures.app import PASSWORD
from tests.fixtures.realtime import events


def _socket_for(app, socket_client, user):
    browser = app.test_client()
    browser.post_form("/login", {"email": user.email, "password": PASSWORD})
    return socket_client(flask_client=browser)


def test_live_participant_hears_new_message_ids_only(app, socket_client, member, talk):
    sato, suzuki, tanaka = member("sato"), member("suzuki"), member("tanaka")
    convo = talk(sato, suzuki)
    sc_suzuki, sc_tanaka = (
        _socket_for(app, socket_client, suzuki),
        _socket_for(app, socket_client, tanaka),
    )
    events(sc_suzuki), events(sc_tanaka)
    outcome = service.send_message(conversation=convo, author=sato, body="秘密の打ち合わせ日程")
    assert events(sc_suzuki, "conversation_message") == []  # nothing before the commit
    db.session.commit()
    received = events(sc_suzuki, "conversation_message")
    assert received == [{"name": "conversation_message", "namespace": "/",
                         "args": [{"conversation_id": convo.id, "message_id": outcome.message.id}]}]  # fmt: skip
    assert events(sc_tanaka) == []


def test_live_rolled_back_message_is_never_announced(app, socket_client, member, talk):
    sato, suzuki = member("sato"), member("suzuki")
    convo = talk(sato, suzuki)
    sc = _socket_for(app, socket_client, suzuki)
    events(sc)
    service.send_message(conversation=convo, author=sato, body="取り消される")
    db.session.rollback()
    assert events(sc, "conversation_message") == []


def test_live_no_room_to_join_for_outsiders(app, socket_client, member, talk):
    sato, suzuki, tanaka = member("sato"), member("suzuki"), member("tanaka")
    convo = talk(sato, suzuki)
    sc = _socket_for(app, socket_client, tanaka)
    # rooms are joined by the server at connect (user:<own id>); no event lets a client join a
    # conversation or another member's room
    handlers = app.extensions["kyoso.socketio"].server.handlers["/"]
    assert not any("conversation" in name or "user" in name for name in handlers)
    events(sc)
    service.send_message(conversation=convo, author=sato, body="部外者には届かない")
    db.session.commit()
    assert events(sc, "conversation_message") == []


def test_live_notification_and_email_per_settings(app, member, talk, process, outbox):
    sato, suzuki, quiet = member("sato"), member("suzuki"), member("quiet")
    watching.save_settings(
        quiet,
        email_modes={kinds.MESSAGE: kinds.NEVER},
        auto_watch_start="watching",
        auto_watch_reply="tracking",
    )
    db.session.commit()
    convo = talk(sato, suzuki, quiet, body="本文はメールに載せない秘密")
    process()
    for user in (suzuki, quiet):
        rows = db.session.scalars(
            db.select(Notification).where(Notification.user_id == user.id)
        ).all()
        assert [(n.kind, n.data["conversation_id"]) for n in rows] == [(kinds.MESSAGE, convo.id)]
    assert (
        db.session.scalars(db.select(Notification).where(Notification.user_id == sato.id)).all()
        == []
    )
    service.send_message(conversation=convo, author=sato, body="二通目")
    db.session.commit()
    process()
    row = db.session.scalar(db.select(Notification).where(Notification.user_id == suzuki.id))
    assert row.count == 2  # collapses per conversation
    mailing.send_due(now=utcnow() + timedelta(hours=1))
    sent = [m for m in outbox() if m["To"] == suzuki.email]
    assert len(sent) == 1 and "個別メッセージ" in sent[0]["Subject"]
    text = sent[0].get_body(preferencelist=("plain",)).get_content()
    assert "秘密" not in text and f"/messages/{convo.id}" in text
    assert [m for m in outbox() if m["To"] == quiet.email] == []


def test_live_who_left_is_not_mailed(app, member, talk, process, outbox):
    sato, suzuki = member("sato"), member("suzuki")
    convo = talk(sato, suzuki)
    process()
    service.leave(conversation=convo, user=suzuki)
    db.session.commit()
    mailing.send_due(now=utcnow() + timedelta(hours=1))
    assert [m for m in outbox() if m["To"] == suzuki.email] == []
