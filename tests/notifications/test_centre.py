"""The notification centre, the header badge, watch and RSVP forms, and their query budgets."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.extensions import db
from forum import posting
from notifications.models import EventRsvp, Notification
from notifications.watching import get_level

BADGE_RE = re.compile(r'id="notify-count"[^>]*>(\d+|99\+)<')


def badge(client, path="/") -> str | None:
    html = client.get(path).get_data(as_text=True)
    match = BADGE_RE.search(html)
    assert match, "no badge"
    return None if 'id="notify-count" class="notify-count" hidden' in html else match.group(1)


def mention(thread, author, handle):
    post = posting.create_reply(thread=thread, author=author, body=f"@{handle} ご確認ください")
    db.session.commit()
    return post


def test_centre_lists_unread_first_and_marks_read(client, login, user_factory, thread_factory,
                                                  process):  # fmt: skip
    me = user_factory(handle="centre_me")
    thread = thread_factory(title="移動支援の相談")
    first = mention(thread, user_factory(display_name="佐藤"), "centre_me")
    process()
    login(me)
    assert badge(client) == "1"
    html = client.get("/notifications").get_data(as_text=True)
    assert "佐藤さんが「移動支援の相談」であなたをメンションしました。" in html
    n = db.session.scalar(select(Notification).where(Notification.user_id == me.id))
    response = client.post_form(f"/notifications/{n.id}/open")
    assert response.status_code == 302 and response.headers["Location"] == f"/p/{first.id}"
    assert badge(client) is None
    html = client.get("/notifications").get_data(as_text=True)
    assert "既読" in html and "すべて既読にする" not in html
    mention(thread, user_factory(), "centre_me")
    mention(thread, user_factory(), "centre_me")
    process()
    assert badge(client) == "2"
    client.post_form("/notifications/read", {"all": "1"})
    assert badge(client) is None


def test_centre_needs_login_and_shows_only_ones_own(client, login, user_factory, thread_factory,
                                                   process):  # fmt: skip
    assert client.get("/notifications").status_code == 302
    other = user_factory(handle="someone_else")
    mention(thread_factory(), user_factory(), "someone_else")
    process()
    login(user_factory())
    n = db.session.scalar(select(Notification).where(Notification.user_id == other.id))
    assert client.post_form(f"/notifications/{n.id}/open").status_code == 404
    client.post_form("/notifications/read", {"id": str(n.id)})
    db.session.expire_all()
    assert db.session.get(Notification, n.id).read_at is None


def test_centre_header_badge_costs_one_query(client, login, user_factory, thread_factory, process,
                                             count_queries):  # fmt: skip
    me = user_factory(handle="budget_me")
    login(me)
    client.get("/")
    with count_queries() as before:
        client.get("/")
    thread = thread_factory()
    for _ in range(3):
        mention(thread, user_factory(), "budget_me")
    process()
    with count_queries() as after:
        assert client.get("/").status_code == 200
    badge_queries = [s for s in after.statements if "notifications" in s]
    assert len(badge_queries) == 1 and "count(" in badge_queries[0].lower()
    assert after.count == before.count, str(after)


def test_centre_page_query_budget(client, login, user_factory, thread_factory, process,
                                  count_queries):  # fmt: skip
    me = user_factory(handle="many_me")
    login(me)
    client.get("/notifications")  # the process reads the roles' permissions once (role_cache)
    counts = []
    for n in (1, 12):
        for _ in range(n - len(counts)):
            mention(thread_factory(), user_factory(), "many_me")
        process()
        with count_queries() as log:
            assert client.get("/notifications").status_code == 200
        counts.append(log.count)
    # user, unread list, read list, the closed boards (audiences), thread titles, actors, the badge
    assert counts[0] == counts[1] <= 7, (counts, str(log))


def test_centre_get_never_writes(client, login, user_factory, thread_factory, process,
                                 count_queries):  # fmt: skip
    me = user_factory(handle="reader_me")
    thread = thread_factory()
    mention(thread, user_factory(), "reader_me")
    process()
    login(me)
    with count_queries() as log:
        client.get("/notifications")
        client.get(f"/t/{thread.id}")
        client.get("/b/zentai")
    assert [s for s in log.statements if not s.upper().startswith(("SELECT", "WITH"))] == []


def test_centre_watch_forms_on_thread_and_board(client, login, user, thread, board):
    login(user)
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "このスレッドの通知" in html
    response = client.post_form(f"/notifications/watch/thread/{thread.id}", {"level": "muted"})
    assert response.status_code == 302
    assert get_level(user, "thread", thread.id) == "muted"
    assert "この掲示板の通知" in client.get("/b/zentai").get_data(as_text=True)
    client.post_form(f"/notifications/watch/board/{board.slug}", {"level": "watching_first_post"})
    assert get_level(user, "board", board.id) == "watching_first_post"
    bad = client.post_form(f"/notifications/watch/thread/{thread.id}", {"level": "first_post"})
    assert bad.status_code == 400
    assert (
        client.post_form("/notifications/watch/thread/999999", {"level": "muted"}).status_code
        == 404
    )


def test_centre_rsvp_on_event_threads(client, login, user_factory, thread_factory):
    event = thread_factory(title="見守り研修会")
    event.kind = "event"
    db.session.commit()
    me = user_factory()
    login(me)
    html = client.get(f"/t/{event.id}").get_data(as_text=True)
    assert "参加予定 0人・興味あり 0人" in html
    client.post_form(f"/t/{event.id}/rsvp", {"status": "going"})
    html = client.get(f"/t/{event.id}").get_data(as_text=True)
    assert "参加予定 1人・興味あり 0人" in html and 'aria-pressed="true"' in html
    client.post_form(f"/t/{event.id}/rsvp", {"status": ""})  # pressing again withdraws
    assert db.session.scalar(select(EventRsvp).where(EventRsvp.user_id == me.id)) is None
    plain = thread_factory()
    assert "参加予定" not in client.get(f"/t/{plain.id}").get_data(as_text=True)
    assert client.post_form(f"/t/{plain.id}/rsvp", {"status": "going"}).status_code == 403


def test_centre_settings_and_mutes(client, login, user_factory):
    me, noisy = user_factory(), user_factory(handle="noisy_one")
    login(me)
    html = client.get("/notifications/settings").get_data(as_text=True)
    assert "メンションされたとき" in html
    data = {f"email_{k}": "never" for k in ("mentioned", "replied", "quoted", "posted",
                                             "new_thread", "moderation", "verification",
                                             "event_reminder", "queue_item", "matching", "message",
                                             "cocreation")}  # fmt: skip
    data.update(email_posted="weekly", auto_watch_start="tracking", auto_watch_reply="normal")
    assert client.post_form("/notifications/settings", data).status_code == 302
    from notifications.watching import email_mode, settings_for

    row = settings_for(me.id)
    assert email_mode(row, "posted") == "weekly" and row.auto_watch_reply == "normal"
    response = client.post_form("/notifications/mutes", {"mute-handle": "nobody_here"})
    assert response.status_code == 422
    assert "そのハンドル名の人は見つかりません。" in response.get_data(as_text=True)
    assert "nobody_here" in response.get_data(as_text=True)  # what was typed is kept
    client.post_form("/notifications/mutes", {"mute-handle": "@noisy_one"})
    assert "@noisy_one" in client.get("/notifications/settings").get_data(as_text=True)
    client.post_form(f"/notifications/mutes/{noisy.id}/delete")
    assert "@noisy_one" not in client.get("/notifications/settings").get_data(as_text=True)
