"""Writing to the board: start a thread, reply, edit, delete. The caller owns the transaction.

Counters (board thread/post counts, thread reply count, last activity) change in the same
transaction as the post. HTML is rendered here, once.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from auth.models import User
from core.extensions import db
from core.types import utcnow
from forum import signals
from forum.models import Board, Post, PostRevision, Thread
from forum.rendering import RENDERER_VERSION, render_markdown


def create_thread(
    *, board: Board, author: User, title: str, body: str, kind: str = "discussion"
) -> Thread:
    return open_thread(board=board, author=author, title=title, body=body, kind=kind)[0]


def open_thread(
    *, board: Board, author: User, title: str, body: str, kind: str = "discussion"
) -> tuple[Thread, Post]:
    """Start a thread; returns it with its first post."""
    now = utcnow()
    thread = Thread(
        board=board,
        kind=kind,
        author=author,
        title=title.strip(),
        created_at=now,
        last_post_at=now,
        last_poster=author,
        last_number=0,
        reply_count=0,
    )
    db.session.add(thread)
    db.session.flush()
    post = _add_post(thread=thread, author=author, body=body, number=1, now=now)
    thread.last_number = 1
    db.session.execute(
        update(Board)
        .where(Board.id == board.id)
        .values(
            thread_count=Board.thread_count + 1, post_count=Board.post_count + 1, last_post_at=now
        )
    )
    signals.queue_after_commit(
        db.session, signals.thread_created, thread_id=thread.id, board_id=board.id,
        board_slug=board.slug,
    )  # fmt: skip
    signals.queue_after_commit(
        db.session, signals.post_created, thread_id=thread.id, post_id=post.id, number=1,
        board_slug=board.slug,
    )  # fmt: skip
    return thread, post


def create_reply(*, thread: Thread, author: User, body: str) -> Post:
    now = utcnow()
    # Take the next number atomically (the UPDATE locks the thread row on PostgreSQL and the
    # database on SQLite), so two concurrent replies can never get the same number.
    number, reply_count = db.session.execute(
        update(Thread)
        .where(Thread.id == thread.id)
        .values(
            last_number=Thread.last_number + 1,
            reply_count=Thread.reply_count + 1,
            last_post_at=now,
            last_poster_id=author.id,
        )
        .returning(Thread.last_number, Thread.reply_count)
        .execution_options(synchronize_session=False)
    ).one()
    db.session.execute(
        update(Board)
        .where(Board.id == thread.board_id)
        .values(post_count=Board.post_count + 1, last_post_at=now)
    )
    # the thread object now says what the row says, without reading it again
    for name, value in (("last_number", number), ("reply_count", reply_count),
                        ("last_post_at", now), ("last_poster_id", author.id)):  # fmt: skip
        set_committed_value(thread, name, value)
    post = _add_post(thread=thread, author=author, body=body, number=number, now=now)
    signals.queue_after_commit(
        db.session, signals.post_created, thread_id=thread.id, post_id=post.id, number=number,
        board_slug=thread.board.slug,
    )  # fmt: skip
    return post


def _add_post(*, thread: Thread, author: User, body: str, number: int, now) -> Post:
    post = Post(
        thread=thread,
        author=author,
        number=number,
        body_source=body,
        body_html=render_markdown(body),
        renderer_version=RENDERER_VERSION,
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()
    return post


class StaleEdit(Exception):
    """The post was saved by someone else since the editor loaded it (optimistic concurrency)."""


def edit_post(
    *, post: Post, editor: User, body: str, title: str | None = None,
    base_version: int | None = None,
) -> Post:  # fmt: skip
    """Change a post's text. ``base_version`` is the version the editor saw: when the post has
    been saved since, :class:`StaleEdit` is raised and nothing changes (the check and the version
    bump are one UPDATE, so of two concurrent saves exactly one wins).

    The previous text is kept as a revision, except when the author saves again within the
    grace period (EDIT_GRACE_SECONDS) after their own last save: anybody else's save in between
    ends the grace, so another person's edit always stays in the history."""
    now = utcnow()
    condition = [Post.id == post.id]
    if base_version is not None:
        condition.append(Post.version == base_version)
    version = db.session.execute(
        update(Post).where(*condition).values(version=Post.version + 1).returning(Post.version)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()  # fmt: skip
    if version is None:
        raise StaleEdit(post.id)
    set_committed_value(post, "version", version)
    grace = timedelta(seconds=current_app.config["EDIT_GRACE_SECONDS"])
    last_saved = post.edited_at or post.created_at
    last_editor_id = post.edited_by_id or post.author_id
    in_grace = (
        editor.id == post.author_id and last_editor_id == editor.id and now - last_saved <= grace
    )
    changed = body != post.body_source
    if changed and not in_grace:
        db.session.add(
            PostRevision(
                post_id=post.id,
                body_source=post.body_source,
                body_html=post.body_html,
                created_at=last_saved,
                replaced_at=now,
                editor_id=editor.id,
            )
        )
        post.revision_count += 1
    post.body_source = body
    post.body_html = render_markdown(body)
    post.renderer_version = RENDERER_VERSION
    if changed:
        post.edited_at = now
        post.edited_by_id = editor.id
    if title is not None and post.number == 1:
        post.thread.title = title.strip()
    signals.queue_after_commit(
        db.session, signals.post_edited, thread_id=post.thread_id, post_id=post.id,
        number=post.number,
    )  # fmt: skip
    return post


def delete_post(*, post: Post, actor: User) -> None:
    """Soft-delete a post (shown as removed). Deleting post #1 deletes the whole thread."""
    if post.is_deleted:
        return
    now = utcnow()
    post.deleted_at = now
    post.deleted_by_id = actor.id
    thread = post.thread
    if post.number == 1:
        thread.is_deleted = True
        db.session.execute(
            update(Board)
            .where(Board.id == thread.board_id)
            .values(thread_count=Board.thread_count - 1)
        )
    else:
        thread.reply_count = Thread.reply_count - 1
    db.session.execute(
        update(Board).where(Board.id == thread.board_id).values(post_count=Board.post_count - 1)
    )
    signals.queue_after_commit(
        db.session, signals.post_deleted, thread_id=thread.id, post_id=post.id, number=post.number
    )


def set_thread_flags(
    *, thread: Thread, is_pinned: bool | None = None, is_locked: bool | None = None
) -> None:
    if is_pinned is not None:
        thread.is_pinned = is_pinned
    if is_locked is not None:
        thread.is_locked = is_locked
    signals.queue_after_commit(db.session, signals.thread_updated, thread_id=thread.id)


def rerender_post(post: Post) -> None:
    """Re-render one post's HTML from its source with the current renderer."""
    post.body_html = render_markdown(post.body_source)
    post.renderer_version = RENDERER_VERSION
