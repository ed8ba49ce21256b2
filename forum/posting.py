"""Writing to the board: start a thread, reply, edit, delete. The caller owns the transaction.

Counters (board thread/post counts, thread reply count, last activity) change in the same
transaction as the post. HTML is rendered here, once.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from auth.models import User
from core.extensions import db
from core.types import utcnow
from forum import signals
from forum.models import Board, Post, PostRevision, Thread
from forum.rendering import RENDERER_VERSION, render_markdown


def create_thread(
    *, board: Board, author: User, title: str, body: str, kind: str = "discussion"
) -> Thread:
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
    return thread


def create_reply(*, thread: Thread, author: User, body: str) -> Post:
    now = utcnow()
    # Take the next number atomically (the UPDATE locks the thread row on PostgreSQL and the
    # database on SQLite), so two concurrent replies can never get the same number.
    number = db.session.execute(
        update(Thread)
        .where(Thread.id == thread.id)
        .values(
            last_number=Thread.last_number + 1,
            reply_count=Thread.reply_count + 1,
            last_post_at=now,
            last_poster_id=author.id,
        )
        .returning(Thread.last_number)
    ).scalar_one()
    db.session.execute(
        update(Board)
        .where(Board.id == thread.board_id)
        .values(post_count=Board.post_count + 1, last_post_at=now)
    )
    db.session.refresh(thread)
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


def edit_post(*, post: Post, editor: User, body: str, title: str | None = None) -> Post:
    """Change a post's text. Keeps the previous text as a revision unless the author edits
    within the grace period (EDIT_GRACE_SECONDS) after the last save."""
    now = utcnow()
    grace = timedelta(seconds=current_app.config["EDIT_GRACE_SECONDS"])
    last_saved = post.edited_at or post.created_at
    in_grace = editor.id == post.author_id and now - last_saved <= grace
    if body != post.body_source and not in_grace:
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
    changed = body != post.body_source
    post.body_source = body
    post.body_html = render_markdown(body)
    post.renderer_version = RENDERER_VERSION
    if changed:
        post.edited_at = now
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
