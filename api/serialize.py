"""JSON shapes of the API (kept stable: other issues and external clients build on them)."""

from __future__ import annotations

from flask_login import current_user

from auth.permissions import can
from auth.serialize import user_json
from core.jsonapi import iso
from core.urls import absolute_url
from forum import tags
from forum.boards import Audience
from forum.models import Board, Post, Thread


def board_json(board: Board) -> dict:
    return {
        "slug": board.slug,
        "name": board.name,
        "description": board.description,
        "kind": board.kind,
        "position": board.position,
        "thread_count": board.thread_count,
        "post_count": board.post_count,
        "last_post_at": iso(board.last_post_at),
        "url": absolute_url("forum.board", slug=board.slug),
        "space": board.space.slug,
        "audience": str(Audience(board.audience, tuple(sorted(board.audience_role_slugs)))),
    }


def thread_json(thread: Thread, board: Board) -> dict:
    return {
        "id": thread.id,
        "board": board.slug,
        "title": thread.title,
        "kind": thread.kind,
        "author": user_json(thread.author),
        "is_pinned": thread.is_pinned,
        "is_locked": thread.is_locked,
        "reply_count": thread.reply_count,
        "last_number": thread.last_number,
        "created_at": iso(thread.created_at),
        "last_post_at": iso(thread.last_post_at),
        "url": absolute_url("forum.thread", thread_id=thread.id),
        "tags": tags.as_fields(thread),
    }


def post_json(post: Post) -> dict:
    """``status``: visible | hidden | deleted. Hidden posts show their body only to their author
    and moderators; deleted ones to nobody."""
    deleted = post.is_deleted
    shown = not deleted and (not post.is_hidden or can(current_user, "post.view_hidden", post))
    return {
        "id": post.id,
        "thread_id": post.thread_id,
        "number": post.number,
        "status": post.status,
        "html": post.body_html if shown else "",
        "is_deleted": deleted,
        "author": None if deleted else user_json(post.author),
        "created_at": iso(post.created_at),
        "edited_at": iso(post.edited_at),
        "version": post.version,
        "url": absolute_url("forum.permalink", post_id=post.id),
    }
