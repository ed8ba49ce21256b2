"""Exporting one's notification data: only one's own rows, nothing of others beyond actor ids
and handles; visitors get 401."""

from __future__ import annotations

import json

from core.extensions import db
from forum import posting
from notifications import reading, reminders, watching
from tests.api.helpers import api_error

URL = "/api/v1/me/notifications/export"


def reply(thread, author, body):
    post = posting.create_reply(thread=thread, author=author, body=body)
    db.session.commit()
    return post


def test_export_needs_a_signed_in_member(client):
    api_error(client.get(URL), 401, "unauthorized")
    api_error(client.get(URL + "?download=1"), 401, "unauthorized")


def test_export_holds_own_data_only(client, bearer, user_factory, thread_factory, process):
    me = user_factory(handle="export_me", display_name="書き出す人")
    other = user_factory(handle="export_other", display_name="ほかの人")
    actor = user_factory(handle="export_actor", display_name="投稿した人")
    muted = user_factory(handle="export_muted", display_name="ミュートされた人")
    mine, theirs = thread_factory(title="私のウォッチ"), thread_factory(title="他人のウォッチ")
    process()  # their new-thread jobs, before anyone watches the board
    watching.set_level(me, "thread", mine.id, "tracking")
    watching.set_level(me, "board", mine.board_id, "watching_first_post")
    watching.set_level(other, "thread", theirs.id, "watching")
    watching.mute_user(me, muted)
    watching.mute_user(other, actor)
    watching.save_settings(me, email_modes={"mentioned": "daily"}, auto_watch_start="tracking",
                           auto_watch_reply="normal")  # fmt: skip
    reminders.set_rsvp(me, mine, "going")
    reminders.set_rsvp(other, theirs, "interested")
    reading.mark_read_up_to(me.id, mine, 1)
    reading.mark_read_up_to(other.id, theirs, 1)
    db.session.commit()
    reply(mine, actor, "@export_me 見てください")
    reply(theirs, actor, "@export_other 見てください")
    process()

    response = client.get(URL, headers=bearer(me))
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "no-store" in response.headers["Cache-Control"]
    assert "Content-Disposition" not in response.headers
    data = response.get_json()
    assert data["user"] == {"id": me.id, "handle": "export_me"}
    assert data["settings"]["email"]["mentioned"] == "daily"
    assert data["settings"]["auto_watch_start"] == "tracking"
    assert data["settings"]["auto_watch_reply"] == "normal"
    assert {(w["target_kind"], w["target_id"], w["level"]) for w in data["watches"]} == {
        ("thread", str(mine.id), "tracking"), ("board", str(mine.board_id), "watching_first_post"),
    }  # fmt: skip
    assert [m["user"] for m in data["muted_users"]] == [{"id": muted.id, "handle": "export_muted"}]
    assert [(r["thread_id"], r["status"]) for r in data["rsvps"]] == [(mine.id, "going")]
    assert [(p["thread_id"], p["last_read_number"]) for p in data["read_positions"]] == [
        (mine.id, 1)
    ]
    [note] = data["notifications"]
    assert note["kind"] == "mentioned" and note["thread_id"] == mine.id
    assert note["actor"] == {"id": actor.id, "handle": "export_actor"}
    assert note["is_read"] is False and note["read_at"] is None and note["created_at"]
    # nothing of the others: their watches, mutes, RSVPs, positions, notifications, names, e-mails
    text = response.get_data(as_text=True)
    for absent in ("export_other", "ほかの人", "投稿した人", "ミュートされた人", "書き出す人",
                   other.email, actor.email, muted.email, me.email):  # fmt: skip
        assert absent not in text, absent
    assert "export_me" in text  # one's own handle
    thread_ids = {r["thread_id"] for key in ("rsvps", "read_positions", "notifications")
                  for r in data[key]}  # fmt: skip
    assert thread_ids == {mine.id}


def test_export_download_from_the_settings_page(client, login, user_factory, count_queries):
    me = login(user_factory(handle="download_me"))
    html = client.get("/notifications/settings").get_data(as_text=True)
    assert 'href="/api/v1/me/notifications/export?download=1"' in html
    with count_queries() as log:
        response = client.get(URL + "?download=1")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="kyoso-notifications.json"'
    )
    assert json.loads(response.get_data(as_text=True))["user"]["id"] == me.id
    # user; settings, watches, mutes, RSVPs, read positions, notifications
    assert log.count == 7, str(log)
