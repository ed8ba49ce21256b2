"""Read positions and 新着 N: the thread page's POST (readpos.js), the unread counts of tracked
and watched threads on board pages and on 追跡中のスレッド, and how they sit with the badge."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.extensions import db
from forum import posting
from notifications import reading
from notifications.models import ReadPosition

UNREAD_RE = re.compile(r'class="badge badge-unread" href="([^"]+)">新着 (\d+)</a>')


def reply(thread, author, body="返信です"):
    post = posting.create_reply(thread=thread, author=author, body=body)
    db.session.commit()
    return post


def position(user, thread) -> int | None:
    db.session.expire_all()
    return db.session.scalar(
        select(ReadPosition.last_read_number).where(
            ReadPosition.user_id == user.id, ReadPosition.thread_id == thread.id
        )
    )


def report(client, thread, number, **headers):
    """What readpos.js sends: JSON with the session cookie and the X-CSRFToken header."""
    headers.setdefault("X-CSRFToken", client.csrf_token(f"/t/{thread.id}"))
    return client.post(f"/api/v1/threads/{thread.id}/read", json={"number": number},
                       headers=headers)  # fmt: skip


def badges(html: str) -> list[tuple[str, int]]:
    return [(url, int(n)) for url, n in UNREAD_RE.findall(html)]


def header_count(html: str) -> int:
    match = re.search(r'<span id="notify-count"([^>]*)>(\d+|99\+)</span>', html)
    assert match
    return 0 if re.search(r"\shidden[\s>]", match.group(1) + ">") else int(match.group(2))


# --- the POST from the thread page ------------------------------------------------------------


def test_read_position_post_keeps_the_maximum_capped_at_the_last_post(
    client, login, user_factory, thread_factory
):
    me = login(user_factory())
    thread = thread_factory(replies=4)  # posts 1..5
    response = report(client, thread, 3)
    assert response.status_code == 200
    assert response.get_json() == {"thread_id": thread.id, "number": 3}
    assert position(me, thread) == 3
    assert report(client, thread, 2).status_code == 200
    assert position(me, thread) == 3  # never backwards
    assert report(client, thread, 99).get_json()["number"] == 5
    assert position(me, thread) == 5  # never past the thread's last post
    reply(thread, user_factory())
    assert report(client, thread, 6).status_code == 200
    assert position(me, thread) == 6


def test_read_position_post_refusals(client, login, user_factory, thread_factory):
    thread = thread_factory(replies=1)
    url = f"/api/v1/threads/{thread.id}/read"
    assert client.post(url, json={"number": 1}).status_code == 401  # a visitor
    me = login(user_factory())
    assert client.post(url, json={"number": 1}).status_code == 400  # no CSRF header
    bad = {"X-CSRFToken": "forged"}
    assert client.post(url, json={"number": 1}, headers=bad).status_code == 400
    token = {"X-CSRFToken": client.csrf_token()}
    for number in (0, -1, "2", True, None, 1.5):
        answer = client.post(url, json={"number": number}, headers=token)
        assert answer.status_code == 422, number
        assert "number" in answer.get_json()["error"]["fields"]
    missing = client.post("/api/v1/threads/999999/read", json={"number": 1}, headers=token)
    assert missing.status_code == 404
    posting.delete_post(post=posting_first(thread), actor=thread.author)
    db.session.commit()
    assert client.post(url, json={"number": 1}, headers=token).status_code == 404
    assert position(me, thread) is None


def posting_first(thread):
    from forum.models import Post

    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 1))


def test_thread_page_loads_readpos_for_members_only_and_never_writes(
    client, login, user_factory, thread_factory, count_queries
):
    thread = thread_factory(replies=2)
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "readpos.js" not in html and 'id="read-position"' not in html
    me = login(user_factory())
    with count_queries() as log:
        html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    writes = [s for s in log.statements if not s.upper().startswith(("SELECT", "WITH"))]
    assert writes == []
    assert position(me, thread) is None
    root = re.search(
        r'<div id="read-position" hidden data-url="([^"]+)" data-csrf="([^"]+)">', html
    )
    assert root and root.group(1) == f"/api/v1/threads/{thread.id}/read"
    assert 'src="/static/js/readpos.js"' in html
    # the page's own token is the one the script sends
    answer = client.post(root.group(1), json={"number": 3}, headers={"X-CSRFToken": root.group(2)})
    assert answer.status_code == 200 and position(me, thread) == 3


# --- 新着 N and the badge, per level ------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "shows_count", "badge"),
    [("watching", True, 1), ("tracking", True, 0), ("normal", False, 0), ("muted", False, 0)],
)
def test_unread_count_and_badge_by_level(
    client, login, user_factory, thread_factory, process, watch, level, shows_count, badge
):
    me, other = user_factory(), user_factory()
    thread = thread_factory(author=other, replies=1)  # posts 1, 2
    process()
    watch(me, "thread", thread.id, level)
    login(me)
    assert report(client, thread, 2).status_code == 200  # read to the end
    assert badges(client.get("/b/zentai").get_data(as_text=True)) == []
    reply(thread, other)
    reply(thread, other)
    process()
    html = client.get("/b/zentai").get_data(as_text=True)
    # tracking: a count but no badge; watching: both; normal and muted: neither
    assert badges(html) == ([(f"/t/{thread.id}/3", 2)] if shows_count else [])
    assert header_count(html) == badge
    report(client, thread, 3)
    assert badges(client.get("/b/zentai").get_data(as_text=True)) == (
        [(f"/t/{thread.id}/4", 1)] if shows_count else []
    )
    report(client, thread, 4)
    assert badges(client.get("/b/zentai").get_data(as_text=True)) == []


def test_unread_count_without_a_position_counts_every_post(
    client, login, user_factory, thread_factory, watch
):
    me = user_factory()
    thread = thread_factory(replies=2)
    watch(me, "thread", thread.id, "tracking")
    login(me)
    assert badges(client.get("/b/zentai").get_data(as_text=True)) == [(f"/t/{thread.id}/1", 3)]


def test_replying_moves_the_position_to_ones_own_post(
    client, login, user_factory, thread_factory, process
):
    me, other = user_factory(), user_factory()
    thread = thread_factory(author=other, replies=3)  # posts 1..4, never opened by me
    mine = reply(thread, me)  # 5; auto-watch on reply: tracking
    process()
    assert position(me, thread) == mine.number == 5
    login(me)
    assert badges(client.get("/b/zentai").get_data(as_text=True)) == []
    reply(thread, other)
    process()
    html = client.get("/b/zentai").get_data(as_text=True)
    assert badges(html) == [(f"/t/{thread.id}/6", 1)] and header_count(html) == 0


def test_starting_a_thread_sets_the_position_and_watches_it(
    client, login, user_factory, thread_factory, process
):
    me, other = user_factory(), user_factory()
    thread = thread_factory(author=me)
    process()
    assert position(me, thread) == 1
    reply(thread, other)
    process()
    login(me)
    html = client.get("/b/zentai").get_data(as_text=True)
    assert badges(html) == [(f"/t/{thread.id}/2", 1)]
    assert header_count(html) == 1  # auto-watch on start: watching, and a reply to one's thread


def test_unread_counts_are_per_member(client, login, user_factory, thread_factory, watch):
    me, someone = user_factory(), user_factory()
    thread = thread_factory(replies=2)
    watch(someone, "thread", thread.id, "tracking")
    login(me)
    assert badges(client.get("/b/zentai").get_data(as_text=True)) == []
    assert reading.unread_counts(someone.id, [thread]) == {thread.id: 3}
    assert reading.unread_counts(None, [thread]) == {}


def test_board_page_unread_counts_cost_one_statement(
    client, login, user_factory, thread_factory, watch, count_queries
):
    me = login(user_factory())
    counts = []
    for n in (1, 12):
        for _ in range(n - len(counts)):
            t = thread_factory(replies=1)
            watch(me, "thread", t.id, "tracking")
        client.get("/b/zentai")
        with count_queries() as log:
            html = client.get("/b/zentai").get_data(as_text=True)
        counts.append(log.count)
        assert len(badges(html)) == n
    assert counts[0] == counts[1], counts
    assert len([s for s in log.statements if "thread_read_positions" in s]) == 1
    client.post_form("/logout")
    with count_queries() as anonymous:
        html = client.get("/b/zentai").get_data(as_text=True)
    assert badges(html) == []
    assert not [s for s in anonymous.statements if "thread_read_positions" in s]


# --- 追跡中のスレッド --------------------------------------------------------------------------


def test_tracking_page_lists_tracked_and_watched_threads_with_counts(
    client, login, user_factory, thread_factory, watch
):
    me = user_factory()
    tracked = thread_factory(title="追跡しているスレッド", replies=2)
    watched = thread_factory(title="ウォッチしているスレッド")
    muted = thread_factory(title="ミュートしたスレッド", replies=1)
    plain = thread_factory(title="通常のスレッド")
    gone = thread_factory(title="削除されたスレッド")
    for thread, level in ((tracked, "tracking"), (watched, "watching"), (muted, "muted"),
                          (plain, "normal"), (gone, "tracking")):  # fmt: skip
        watch(me, "thread", thread.id, level)
    posting.delete_post(post=posting_first(gone), actor=gone.author)
    db.session.commit()
    assert client.get("/notifications/tracking").status_code == 302  # sign in first
    login(me)
    report(client, watched, 1)
    html = client.get("/notifications/tracking").get_data(as_text=True)
    assert "追跡しているスレッド" in html and "ウォッチしているスレッド" in html
    for absent in ("ミュートしたスレッド", "通常のスレッド", "削除されたスレッド"):
        assert absent not in html
    assert badges(html) == [(f"/t/{tracked.id}/1", 3)]
    assert html.index("ウォッチしているスレッド") < html.index(
        "追跡しているスレッド"
    )  # newest first
    assert client.get("/notifications/tracking?cursor=nonsense").status_code == 400
    assert "/notifications/tracking" in client.get("/notifications").get_data(as_text=True)


def test_tracking_page_keyset_pages(user_factory, thread_factory, watch):
    me = user_factory()
    threads = [thread_factory(title=f"スレッド{i}") for i in range(5)]
    for t in threads:
        watch(me, "thread", t.id, "tracking")
    seen, cursor = [], None
    while True:
        page = reading.tracked_page(me.id, cursor=cursor, limit=2)
        seen += [i.thread.id for i in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [t.id for t in reversed(threads)]


def test_tracking_page_statement_count_is_flat(
    client, login, user_factory, thread_factory, watch, count_queries
):
    me = login(user_factory())
    counts = []
    for n in (1, 10):
        for _ in range(n - len(counts)):
            watch(me, "thread", thread_factory(replies=1).id, "watching")
        client.get("/notifications/tracking")
        with count_queries() as log:
            assert client.get("/notifications/tracking").status_code == 200
        counts.append(log.count)
    # user, threads with levels and positions, their boards, the header badge
    assert counts[0] == counts[1] == 4, str(log)
