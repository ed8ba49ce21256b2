"""Moving a thread to another board, and splitting replies into a new thread. The caller owns
the transaction. Split posts are renumbered in their new thread (their permalinks /p/<id> keep
working); the old thread's numbers are never reused."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select, update

from audit.log import record_action
from auth.models import User
from core.extensions import db
from forum import signals
from forum.models import Board, Post, Thread

MoveListener = Callable[[Thread, Board], None]
_move_listeners: list[MoveListener] = []


def add_move_listener(listener: MoveListener) -> None:
    """Runs in the move's transaction (e.g. the review queue re-files the thread's open items
    under the new board, so the old board's moderators no longer act on them)."""
    if listener not in _move_listeners:
        _move_listeners.append(listener)


def move_thread(thread: Thread, *, to: Board, actor: User) -> None:
    source = thread.board
    if source.id == to.id:
        return
    posts = _visible_post_count(thread.id)
    db.session.execute(update(Board).where(Board.id == source.id).values(
        thread_count=Board.thread_count - 1, post_count=Board.post_count - posts))  # fmt: skip
    db.session.execute(update(Board).where(Board.id == to.id).values(
        thread_count=Board.thread_count + 1, post_count=Board.post_count + posts))  # fmt: skip
    thread.board = to
    for listener in _move_listeners:
        listener(thread, to)
    record_action(actor, "thread.move", "thread", thread.id,
                  before={"board": source.slug, "space": source.space_id},
                  after={"board": to.slug, "space": to.space_id})  # fmt: skip
    signals.queue_after_commit(db.session, signals.thread_updated, thread_id=thread.id)


def split_thread(thread: Thread, *, numbers: list[int], title: str, actor: User) -> Thread:
    """Move the replies with ``numbers`` (never #1) into a new thread in the same board."""
    posts = list(db.session.scalars(
        select(Post).where(Post.thread_id == thread.id, Post.number.in_(numbers), Post.number > 1)
        .order_by(Post.number)
    ))  # fmt: skip
    if not posts:
        raise ValueError("no replies to split")
    new = Thread(
        board_id=thread.board_id, author_id=posts[0].author_id, title=title.strip(),
        created_at=posts[0].created_at, last_post_at=posts[-1].created_at,
        last_poster_id=posts[-1].author_id, last_number=len(posts),
        reply_count=sum(not p.is_deleted for p in posts[1:]),
    )  # fmt: skip
    db.session.add(new)
    db.session.flush()
    moved_visible = sum(not p.is_deleted for p in posts)
    for index, post in enumerate(posts, start=1):
        post.thread_id, post.number = new.id, index
    db.session.flush()
    last = db.session.execute(
        select(Post.created_at, Post.author_id).where(Post.thread_id == thread.id)
        .order_by(Post.number.desc()).limit(1)
    ).one()  # fmt: skip
    thread.reply_count = thread.reply_count - moved_visible
    thread.last_post_at, thread.last_poster_id = last
    db.session.execute(
        update(Board).where(Board.id == thread.board_id).values(thread_count=Board.thread_count + 1)
    )
    record_action(actor, "thread.split", "thread", thread.id,
                  after={"new_thread": new.id, "posts": [p.id for p in posts]})  # fmt: skip
    signals.queue_after_commit(db.session, signals.thread_updated, thread_id=thread.id)
    return new


def _visible_post_count(thread_id: int) -> int:
    return db.session.scalar(
        select(func.count(Post.id)).where(Post.thread_id == thread_id, Post.deleted_at.is_(None))
    )
