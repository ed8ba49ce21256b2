"""What the forum pages read, loaded in bulk with a fixed number of SQL statements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import joinedload, selectinload

from auth.models import User
from auth.permissions import can
from core import cursors
from core.extensions import db
from core.types import UTCDateTime
from forum import tags
from forum.models import Board, Post, PostRevision, Thread


@dataclass(frozen=True)
class ThreadPage:
    threads: list[Thread]
    next_cursor: str | None


@dataclass(frozen=True)
class PostPage:
    posts: list[Post]
    page: int
    page_count: int


def list_boards(*, space_id: int | None = None) -> list[Board]:
    query = select(Board).order_by(Board.position, Board.id)
    if space_id is not None:
        query = query.where(Board.space_id == space_id)
    return list(db.session.scalars(query))


def readable_boards(viewer, *, space_id: int | None = None) -> list[Board]:
    """The boards ``viewer`` may read (the audience rule), of one space or of all."""
    return [b for b in list_boards(space_id=space_id) if can(viewer, "board.view", b)]


def get_board(slug: str) -> Board | None:
    return db.session.scalar(select(Board).where(Board.slug == slug))


def get_thread(thread_id: int) -> Thread | None:
    return db.session.scalar(
        select(Thread).where(Thread.id == thread_id).options(joinedload(Thread.board))
    )


def get_post(post_id: int) -> Post | None:
    return db.session.scalar(
        select(Post)
        .where(Post.id == post_id)
        .options(joinedload(Post.thread).joinedload(Thread.board))
    )


# --- board listing: keyset pagination ---------------------------------------------------------


def encode_cursor(thread: Thread) -> str:
    return cursors.encode(thread.is_pinned, thread.last_post_at, thread.id)


def decode_cursor(cursor: str) -> tuple[bool, datetime, int]:
    return cursors.decode(cursor, bool, datetime, int)


def list_threads(
    board: Board, *, cursor: str | None = None, limit: int = 30,
    tagged: Mapping[str, str] | None = None,
) -> ThreadPage:  # fmt: skip
    """Threads of a board, pinned first then newest activity, ``limit`` at a time; with
    ``tagged`` (facet → value, ``forum.tags.filters_from``) only the discussions carrying
    those tags.

    The cursor is the sort key of the last row shown, so any page costs one index range scan.
    """
    query = (
        select(Thread)
        .where(
            Thread.board_id == board.id, Thread.is_deleted.is_(False), Thread.is_hidden.is_(False),
            *tags.tagged(tagged or {}),
        )
        .order_by(Thread.is_pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
        .options(selectinload(Thread.author), selectinload(Thread.last_poster))
        .limit(limit + 1)
    )
    if cursor:
        pinned, when, tid = decode_cursor(cursor)
        query = query.where(
            tuple_(Thread.is_pinned, Thread.last_post_at, Thread.id)
            < tuple_(pinned, _bind_time(when), tid)
        )
    threads = list(db.session.scalars(query))
    more = len(threads) > limit
    threads = threads[:limit]
    return ThreadPage(threads, encode_cursor(threads[-1]) if more and threads else None)


def _bind_time(when: datetime):
    """Compare in the column's own representation (naive UTC on SQLite)."""
    return db.literal(when, UTCDateTime())


# --- thread page: pages by post number --------------------------------------------------------


#: each post's author and role in the same statement (every post has both: inner joins); one
#: statement fewer than a second SELECT of the authors, and less to build per page. Of the
#: author only what an article and the API's ``user_json`` show (the row repeats per post);
#: any other attribute still loads when asked for, with one statement per author
_WITH_AUTHORS = (
    joinedload(Post.author, innerjoin=True)
    .load_only(User.handle, User.display_name, User.role_id)
    .joinedload(User.role, innerjoin=True)
)


def page_of(number: int, per_page: int) -> int:
    """The page a post number is on: stable, because numbers are never reused."""
    return (max(number, 1) - 1) // per_page + 1


def list_posts_page(thread: Thread, *, page: int, per_page: int) -> PostPage:
    page_count = max(1, page_of(thread.last_number, per_page))
    page = min(max(page, 1), page_count)
    first = (page - 1) * per_page + 1
    posts = list(
        db.session.scalars(
            select(Post)
            .where(
                Post.thread_id == thread.id,
                Post.number >= first,
                Post.number < first + per_page,
            )
            .order_by(Post.number)
            .options(_WITH_AUTHORS)
        )
    )
    return PostPage(posts, page, page_count)


def list_posts_after(thread: Thread, *, after: int, limit: int) -> list[Post]:
    return list(
        db.session.scalars(
            select(Post)
            .where(Post.thread_id == thread.id, Post.number > after)
            .order_by(Post.number)
            .limit(limit)
            .options(_WITH_AUTHORS)
        )
    )


def get_revision(post: Post, revision_id: int) -> PostRevision | None:
    revision = db.session.get(PostRevision, revision_id)
    return revision if revision is not None and revision.post_id == post.id else None


def list_revisions(post: Post) -> list[PostRevision]:
    return list(
        db.session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .order_by(PostRevision.replaced_at.desc(), PostRevision.id.desc())
        )
    )
