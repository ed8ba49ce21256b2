"""Who gets what: each kind and level, mutes, suspensions, visibility, no self-notification,
idempotence and collapsing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from core.extensions import db
from forum import posting
from moderation import actions
from notifications import fanout
from notifications.models import JOB_DONE, JOB_PENDING, Notification, NotificationJob, UserMute


def reply(thread, author, body="返信です"):
    post = posting.create_reply(thread=thread, author=author, body=body)
    db.session.commit()
    return post


def kinds_of(notes, user):
    return [(n.kind, n.is_quiet) for n in notes(user)]


def test_fanout_mention_notifies_the_mentioned_user_only(thread_factory, user_factory, process,
                                                         notes):  # fmt: skip
    author, a, b = user_factory(), user_factory(handle="hanako"), user_factory()
    thread = thread_factory(author=author)
    process()
    reply(thread, b, "@hanako さん、ルートの件どうでしょう？ foo@hanako.jp")
    process()
    assert kinds_of(notes, a) == [("mentioned", False)]
    n = notes(a)[0]
    assert n.actor_id == b.id and n.thread_id == thread.id and n.email_state == "pending"


def test_fanout_mentions_ignore_quotes_code_and_are_capped(app, user_factory, thread_factory):
    app.config["NOTIFICATION_MENTION_CAP"] = 2
    text = "> @quoted\n`@code` @aaa @bbb @ccc @aaa"
    assert fanout.mentioned_handles(text, 2) == ["aaa", "bbb"]
    assert fanout.mentioned_handles("mail@example.jp @ok_1", 10) == ["ok_1"]


def test_fanout_reply_notifies_thread_author_and_collapses(thread_factory, user_factory, process,
                                                           notes):  # fmt: skip
    author, b, c = user_factory(), user_factory(), user_factory()
    thread = thread_factory(author=author)
    first = reply(thread, b)
    reply(thread, c)
    process()
    rows = notes(author)
    assert [(n.kind, n.count) for n in rows] == [("replied", 2)]
    assert rows[0].post_id == first.id  # links to the first unread reply


def test_fanout_quote_notifies_the_quoted_author(thread_factory, user_factory, process, notes):
    author, b, c = user_factory(), user_factory(), user_factory()
    thread = thread_factory(author=author)
    quoted = reply(thread, b, "巡回は週2回です")
    process()
    reply(
        thread,
        c,
        f"> **@{b.handle}** [#2](/p/{quoted.id}):\n>\n> 巡回は週2回です\n\n参考になります",
    )
    process()
    assert ("quoted", False) in kinds_of(notes, b)
    assert not any(n.kind == "mentioned" for n in notes(b))


def test_fanout_thread_levels(thread_factory, user_factory, process, notes, watch):
    author = user_factory()
    thread = thread_factory(author=author)
    w, t, n, m = (user_factory() for _ in range(4))
    watch(w, "thread", thread.id, "watching")
    watch(t, "thread", thread.id, "tracking")
    watch(m, "thread", thread.id, "muted")
    process()
    poster = user_factory()
    reply(thread, poster, f"@{m.handle} @{n.handle} 皆さんへ")
    process()
    assert kinds_of(notes, w) == [("posted", False)]
    assert kinds_of(notes, t) == [("posted", True)]  # tracking: counted, not announced
    assert kinds_of(notes, n) == [("mentioned", False)]  # normal: only when mentioned
    assert notes(m) == []  # muted: nothing, not even a mention


def test_fanout_board_and_tag_levels(board, thread_factory, user_factory, process, notes, watch):
    every, first_only, tracker, muted = (user_factory() for _ in range(4))
    watch(every, "board", board.id, "watching")
    watch(first_only, "board", board.id, "watching_first_post")
    watch(tracker, "board", board.id, "tracking")
    watch(muted, "board", board.id, "muted")
    author = user_factory()
    thread = thread_factory(author=author, body=f"@{muted.handle} 新しい相談です")
    process()
    assert kinds_of(notes, every) == [("new_thread", False)]
    assert kinds_of(notes, first_only) == [("new_thread", False)]
    assert kinds_of(notes, tracker) == [("new_thread", True)]
    assert notes(muted) == []
    reply(thread, user_factory())
    process()
    assert [n.kind for n in notes(every)] == ["new_thread", "posted"]
    assert [n.kind for n in notes(first_only)] == ["new_thread"]


def test_fanout_thread_level_overrides_board(board, thread_factory, user_factory, process, notes,
                                             watch):  # fmt: skip
    reader = user_factory()
    watch(reader, "board", board.id, "watching")
    thread = thread_factory()
    watch(reader, "thread", thread.id, "muted")
    process()
    before = len(notes(reader))
    reply(thread, user_factory())
    process()
    assert len(notes(reader)) == before


def test_fanout_player_field_and_prefecture_tags(app, user_factory, thread_factory, process, notes,
                                                 watch):  # fmt: skip
    from forum.models import Board
    from structured.models import ThreadDetail

    field_board = db.session.scalar(select(Board).where(Board.player_field_id.is_not(None)))
    pf_watcher, pref_watcher, other = user_factory(), user_factory(), user_factory()
    watch(pf_watcher, "player_field", field_board.player_field_id, "watching_first_post")
    watch(pref_watcher, "prefecture", "28", "watching_first_post")
    watch(other, "prefecture", "13", "watching_first_post")
    thread = posting.create_thread(board=field_board, author=user_factory(), title="兵庫の事例",
                                   body="本文です")  # fmt: skip
    db.session.add(ThreadDetail(thread_id=thread.id, kind="case", prefecture_code="28"))
    db.session.commit()
    process()
    assert [n.kind for n in notes(pf_watcher)] == ["new_thread"]
    assert [n.kind for n in notes(pref_watcher)] == ["new_thread"]
    assert notes(other) == []


def test_fanout_no_self_notification(thread_factory, user_factory, process, notes, watch):
    author = user_factory(handle="selfie")
    thread = thread_factory(author=author)
    watch(author, "thread", thread.id, "watching")
    reply(thread, author, "@selfie 自分宛て")
    process()
    assert notes(author) == []


def test_fanout_muted_user_and_suspended_user_get_nothing(thread_factory, user_factory, process,
                                                          notes):  # fmt: skip
    a, suspended, loud = (
        user_factory(handle="quiet_a"),
        user_factory(handle="sus_b"),
        user_factory(),
    )
    thread = thread_factory()
    db.session.add(UserMute(user_id=a.id, muted_user_id=loud.id))
    suspended.is_suspended = True
    db.session.commit()
    reply(thread, loud, "@quiet_a @sus_b ご意見ください")
    process()
    assert notes(a) == [] and notes(suspended) == []


def test_fanout_nobody_hears_of_a_post_they_cannot_see(thread_factory, user_factory, moderator,
                                                      process, notes, watch):  # fmt: skip
    author, reader = user_factory(), user_factory()
    thread = thread_factory(author=author)
    watch(reader, "thread", thread.id, "watching")
    watch(moderator, "thread", thread.id, "watching")
    post = reply(thread, user_factory(), "個人情報を含む投稿")
    actions.hide_post(post, actor=moderator)  # hidden before the worker runs
    db.session.commit()
    process()
    assert notes(reader) == []  # cannot see a hidden post
    assert [n.kind for n in notes(moderator)] == ["posted"]  # moderators can
    # a hidden thread (first post hidden): watchers of the board hear nothing of it
    hidden = thread_factory(author=author)
    first = db.session.scalar(select(posting.Post).where(posting.Post.thread_id == hidden.id))
    actions.hide_post(first, actor=moderator)
    db.session.commit()
    watch(reader, "thread", hidden.id, "watching")
    reply(hidden, author)
    process()
    assert notes(reader) == []


def test_fanout_deleted_post_removes_unread_notifications(thread_factory, user_factory, process,
                                                         notes):  # fmt: skip
    a = user_factory(handle="target_a")
    thread = thread_factory()
    post = reply(thread, user_factory(), "@target_a 見てください")
    process()
    assert len(notes(a)) == 1
    posting.delete_post(post=post, actor=post.author)
    db.session.commit()
    process()
    assert notes(a) == []


def test_fanout_reprocessing_a_job_does_not_duplicate(thread_factory, user_factory, process,
                                                     notes, watch):  # fmt: skip
    author, w = user_factory(), user_factory(handle="dup_w")
    thread = thread_factory(author=author)
    watch(w, "thread", thread.id, "watching")
    process()
    reply(thread, user_factory(), "@dup_w 1回目")
    reply(thread, user_factory(), "2回目")
    process()
    snapshot = [(n.kind, n.count) for n in notes(w)] + [(n.kind, n.count) for n in notes(author)]
    assert snapshot == [("mentioned", 1), ("posted", 1), ("replied", 2)]
    db.session.execute(
        update(NotificationJob).values(
            status=JOB_PENDING, run_after=datetime(2000, 1, 1, tzinfo=UTC)
        )
    )
    db.session.commit()
    assert process().jobs == 3  # every job (thread_created, 2 × post_created) ran again
    again = [(n.kind, n.count) for n in notes(w)] + [(n.kind, n.count) for n in notes(author)]
    assert again == snapshot
    assert set(db.session.scalars(select(NotificationJob.status))) == {JOB_DONE}


def test_fanout_after_read_a_new_post_starts_a_new_collapsed_row(thread_factory, user_factory,
                                                                 process, notes):  # fmt: skip
    author = user_factory()
    thread = thread_factory(author=author)
    reply(thread, user_factory())
    process()
    db.session.execute(update(Notification).values(read_at=db.func.current_timestamp()))
    db.session.commit()
    reply(thread, user_factory())
    process()
    assert [(n.kind, n.count, n.read_at is None) for n in notes(author)] == [
        ("replied", 1, False),  # the read one stays read
        ("replied", 1, True),  # the new reply: a new unread row
    ]


def test_fanout_auto_watch_on_start_and_reply(thread_factory, user_factory, process):
    from notifications.watching import get_level

    author, replier = user_factory(), user_factory()
    thread = thread_factory(author=author)
    reply(thread, replier)
    process()
    assert get_level(author, "thread", thread.id) == "watching"
    assert get_level(replier, "thread", thread.id) == "tracking"


def test_fanout_job_is_written_in_the_posting_transaction(thread_factory, user_factory):
    thread = thread_factory()
    before = db.session.scalar(select(db.func.count()).select_from(NotificationJob))
    posting.create_reply(thread=thread, author=user_factory(), body="x")
    db.session.rollback()  # a rolled-back reply leaves no job
    assert db.session.scalar(select(db.func.count()).select_from(NotificationJob)) == before
    reply(thread, user_factory())
    assert db.session.scalar(select(db.func.count()).select_from(NotificationJob)) == before + 1
