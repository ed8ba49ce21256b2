from sqlalchemy import select

from audit.models import AuditEntry
from core.extensions import db
from forum.models import Board, Post, Thread


def test_moving_thread_to_another_board_updates_counters(
    client, login, moderator, thread_factory, board
):
    thread = thread_factory(replies=2)
    login(moderator)
    assert client.get(f"/t/{thread.id}/move").status_code == 200
    response = client.post_form(f"/t/{thread.id}/move", {"board": "chiiki-kotsu"})
    assert response.status_code == 302
    db.session.expire_all()
    target = db.session.scalar(select(Board).where(Board.slug == "chiiki-kotsu"))
    assert thread.board_id == target.id
    assert (board.thread_count, board.post_count) == (0, 0)
    assert (target.thread_count, target.post_count) == (1, 3)
    assert db.session.scalar(select(AuditEntry.action)) == "thread.move"


def test_moving_split_replies_into_a_new_thread(client, login, moderator, thread_factory, board):
    thread = thread_factory(replies=4)  # #1..#5
    moved = db.session.scalars(
        select(Post).where(Post.thread_id == thread.id, Post.number.in_([3, 5]))
    ).all()
    login(moderator)
    response = client.post_form(
        f"/t/{thread.id}/split", {"title": "移動支援の話はこちら", "numbers": ["3", "5"]}
    )
    assert response.status_code == 302
    db.session.expire_all()
    new = db.session.scalar(select(Thread).where(Thread.title == "移動支援の話はこちら"))
    assert sorted((p.number, p.body_source) for p in moved) == [(1, "返信その2"), (2, "返信その4")]
    assert all(p.thread_id == new.id for p in moved)
    assert (new.last_number, new.reply_count) == (2, 1)
    assert (thread.reply_count, thread.last_number) == (2, 5)  # numbers are never reused
    assert board.thread_count == 2
    assert client.get(f"/p/{moved[0].id}").headers["Location"].endswith(f"/t/{new.id}#p1")


def test_moving_is_for_moderators(client, login, user, thread):
    login(user)
    assert client.get(f"/t/{thread.id}/move").status_code == 403
    assert (
        client.post_form(f"/t/{thread.id}/split", {"title": "分割", "numbers": ["2"]}).status_code
        == 403
    )
