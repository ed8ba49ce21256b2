"""The worker tells each recipient's own Socket.IO room, after commit, with no content."""

from __future__ import annotations

from core.extensions import db
from forum import posting
from tests.fixtures.app import PASSWORD
from tests.fixtures.realtime import events


def test_live_notification_goes_to_the_recipients_room_only(app, client, login, socket_client,
                                                            user_factory, thread_factory,
                                                            process):  # fmt: skip
    a, c = user_factory(handle="live_a"), user_factory()
    thread = thread_factory()
    process()
    login(a)
    sc_a = socket_client()
    other = app.test_client()  # another person's browser (the client fixture's class)
    other.post_form("/login", {"email": c.email, "password": PASSWORD})
    sc_c = socket_client(flask_client=other)
    events(sc_a), events(sc_c)
    posting.create_reply(thread=thread, author=user_factory(), body="@live_a 見てください")
    db.session.commit()
    assert events(sc_a, "notification") == []  # nothing before the worker ran
    process()
    received = events(sc_a, "notification")
    assert len(received) == 1 and received[0]["args"] == [{}]  # ids only: here, none
    assert events(sc_c, "notification") == []
