"""Socket.IO protocol: rooms with page permissions, payloads, emit-after-commit."""

from core.extensions import db
from forum import posting
from forum.models import Post
from tests.fixtures.app import PASSWORD
from tests.fixtures.realtime import events


def test_socket_anonymous_joins_public_thread(socket_client, thread_factory):
    thread = thread_factory(replies=2)
    sc = socket_client()
    assert sc.is_connected()
    ack = sc.emit("join_thread", {"thread_id": thread.id}, callback=True)
    assert ack == {"ok": True, "last_number": 3}


def test_socket_join_refusals(socket_client, thread_factory, board):
    thread = thread_factory()
    thread.is_deleted = True
    db.session.commit()
    sc = socket_client()
    assert sc.emit("join_thread", {"thread_id": thread.id}, callback=True) == {
        "ok": False, "error": "forbidden"}  # fmt: skip
    for bad in ({"thread_id": 999999}, {"thread_id": "x"}, {}, "junk", {"thread_id": 2**70}):
        assert sc.emit("join_thread", bad, callback=True) == {"ok": False, "error": "not_found"}
    assert sc.emit("join_board", {"slug": "nope"}, callback=True) == {
        "ok": False,
        "error": "not_found",
    }
    assert sc.emit("join_board", {"slug": board.slug}, callback=True) == {"ok": True}


def test_socket_deleted_thread_room_is_for_moderators(
    socket_client, login, moderator, thread_factory
):
    thread = thread_factory()
    thread.is_deleted = True
    db.session.commit()
    login(moderator)
    sc = socket_client()
    assert sc.emit("join_thread", {"thread_id": thread.id}, callback=True)["ok"] is True


def test_socket_reply_emits_ids_only_after_commit(
    socket_client, client, login, user_factory, thread
):
    reader = socket_client()
    reader.emit("join_thread", {"thread_id": thread.id}, callback=True)
    login(user_factory())
    client.post_form(f"/t/{thread.id}/reply", {"body": "ライブで届く返信"})
    post = db.session.scalars(db.select(Post).where(Post.number == 2)).one()
    received = events(reader, "post_created")
    assert [e["args"][0] for e in received] == [
        {"thread_id": thread.id, "post_id": post.id, "number": 2, "kind": "post_created"}
    ]


def test_socket_rollback_emits_nothing(app, socket_client, thread, user):
    reader = socket_client()
    reader.emit("join_thread", {"thread_id": thread.id}, callback=True)
    posting.create_reply(thread=thread, author=user, body="取り消される返信")
    db.session.rollback()
    assert events(reader) == []
    posting.create_reply(thread=thread, author=user, body="確定する返信")
    db.session.commit()
    assert [e["name"] for e in events(reader)] == ["post_created"]


def test_socket_edit_delete_and_lock_events(
    socket_client, client, login, moderator, thread_factory
):
    thread = thread_factory(replies=1)
    reply = db.session.scalars(db.select(Post).where(Post.number == 2)).one()
    reader = socket_client()
    reader.emit("join_thread", {"thread_id": thread.id}, callback=True)
    login(moderator)
    client.post_form(f"/p/{reply.id}/edit", {"body": "修正しました"})
    client.post_form(f"/p/{reply.id}/delete")
    client.post_form(f"/t/{thread.id}/moderate", {"action": "lock"})
    got = [(e["name"], e["args"][0]) for e in events(reader)]
    assert got == [
        (
            "post_updated",
            {"thread_id": thread.id, "post_id": reply.id, "number": 2, "kind": "post_updated"},
        ),
        (
            "post_deleted",
            {"thread_id": thread.id, "post_id": reply.id, "number": 2, "kind": "post_deleted"},
        ),
        ("thread_updated", {"thread_id": thread.id}),
    ]


def test_socket_board_room_gets_new_and_bumped_threads(
    socket_client, client, login, user, board, thread_factory
):
    old = thread_factory()
    watcher = socket_client()
    assert watcher.emit("join_board", {"slug": board.slug}, callback=True) == {"ok": True}
    login(user)
    client.post_form(f"/b/{board.slug}/new", {"title": "新しい相談です", "body": "本文"})
    client.post_form(f"/t/{old.id}/reply", {"body": "上がる"})
    got = [(e["name"], e["args"][0]) for e in events(watcher)]
    assert got[0][0] == "thread_created" and got[0][1]["board"] == board.slug
    assert got[1] == ("thread_bumped", {"board": board.slug, "thread_id": old.id})
    other = socket_client()
    other.emit("join_board", {"slug": "komarigoto"}, callback=True)
    client.post_form(f"/t/{old.id}/reply", {"body": "別の掲示板には届かない"})
    assert events(other) == []


def test_socket_typing_is_relayed_to_others_only(
    app, socketio, socket_client, login, user_factory, thread
):
    reader = socket_client()
    reader.emit("join_thread", {"thread_id": thread.id}, callback=True)
    writer_http = app.test_client()  # a second browser
    typist = user_factory(display_name="入力 太郎", handle="typist")
    response = writer_http.post_form("/login", {"email": typist.email, "password": PASSWORD})
    assert response.status_code == 302
    writer = socket_client(flask_client=writer_http)
    writer.emit("join_thread", {"thread_id": thread.id}, callback=True)
    writer.emit("typing", {"thread_id": thread.id})
    assert [e["args"][0] for e in events(reader, "typing")] == [
        {"thread_id": thread.id, "user": {"handle": "typist", "name": "入力 太郎"}}
    ]
    assert events(writer, "typing") == []
    anonymous = socket_client()
    anonymous.emit("join_thread", {"thread_id": thread.id}, callback=True)
    anonymous.emit("typing", {"thread_id": thread.id})
    assert events(reader, "typing") == []


def test_socket_token_auth_and_private_rooms(app, socketio, socket_client, moderator, user):
    from auth.accounts import create_api_token

    token = create_api_token(user)
    mod_token = create_api_token(moderator)
    db.session.commit()
    member = socket_client(auth={"token": token})
    mod = socket_client(auth={"token": mod_token})
    assert member.is_connected() and mod.is_connected()
    socketio.emit("notification", {"n": 1}, to=f"user:{user.id}")
    socketio.emit("queue_changed", {"n": 2}, to="moderators")
    assert [e["name"] for e in events(member)] == ["notification"]
    assert [e["name"] for e in events(mod)] == ["queue_changed"]
    refused = socket_client(auth={"token": "kys_not-a-real-token"})
    assert not refused.is_connected()


def test_socket_handshake_from_a_foreign_origin_is_refused(app):
    """Engine.IO checks the Origin: a page on another site cannot open a socket with our cookie."""
    client = app.test_client()
    url = "/socket.io/?EIO=4&transport=polling"
    assert client.get(url, headers={"Origin": "http://localhost"}).status_code == 200
    assert client.get(url, headers={"Origin": "https://evil.example"}).status_code == 400


def test_socket_background_emitter_delivers_in_order(app, socketio, socket_client, thread, user):
    """With SOCKETIO_EMIT_IN_BACKGROUND (the production default) the request hands events to one
    emitter thread; they still arrive, in order."""
    import time

    from realtime.emitter import BackgroundEmitter

    emitter = BackgroundEmitter(socketio)
    app.extensions["kyoso.emitter"] = emitter
    try:
        reader = socket_client()
        reader.emit("join_thread", {"thread_id": thread.id}, callback=True)
        for i in range(5):
            posting.create_reply(thread=thread, author=user, body=f"順番 {i}")
            db.session.commit()
        received = []
        deadline = time.monotonic() + 5
        while len(received) < 5 and time.monotonic() < deadline:
            received += events(reader, "post_created")
            time.sleep(0.02)
        assert [e["args"][0]["number"] for e in received] == [2, 3, 4, 5, 6]
    finally:
        del app.extensions["kyoso.emitter"]


def test_socket_join_misses_no_reply_committed_while_joining(
    app, socket_client, thread, user, monkeypatch
):
    """A reply committed (by another request) while a socket joins a thread reaches it either
    as an event (committed after the join) or in the join's ``last_number`` (before it): the
    client catches up from that number, so it must never be in neither."""
    import threading

    from auth.models import User
    from forum.models import Thread
    from realtime import handlers

    thread_id, user_id = thread.id, user.id
    real_join_room = handlers.join_room

    def reply_from_another_request() -> None:
        with app.app_context():
            posting.create_reply(
                thread=db.session.get(Thread, thread_id), author=db.session.get(User, user_id),
                body="参加の途中で届いた返信",
            )  # fmt: skip
            db.session.commit()

    def join_room_after_a_reply(room, *args, **kwargs):
        other = threading.Thread(target=reply_from_another_request)
        other.start()
        other.join()
        return real_join_room(room, *args, **kwargs)

    monkeypatch.setattr(handlers, "join_room", join_room_after_a_reply)
    reader = socket_client()
    ack = reader.emit("join_thread", {"thread_id": thread_id}, callback=True)
    events_seen = [e["args"][0]["number"] for e in events(reader, "post_created")]
    assert ack["ok"] is True
    assert ack["last_number"] == 2 or 2 in events_seen, (ack, events_seen)
