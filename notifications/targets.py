"""What can be watched: a thread, a board, a player field, a life-support domain, a prefecture.
Keys are ids as text (boards may also be named by slug; prefectures by their JIS code)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from auth.permissions import can
from core.extensions import db
from forum import queries
from forum.models import Board
from taxonomy.models import LifeDomain, PlayerField, Prefecture

MODELS = {"player_field": PlayerField, "life_domain": LifeDomain, "prefecture": Prefecture}


def resolve(target_kind: str, key: str) -> tuple[Any, str] | None:
    """``(target, canonical key)`` or None when it does not exist."""
    if target_kind == "thread":
        thread = queries.get_thread(int(key)) if key.isdigit() and len(key) < 19 else None
        return (thread, str(thread.id)) if thread is not None else None
    if target_kind == "board":
        if key.isdigit() and len(key) < 19:
            board = db.session.get(Board, int(key))
        else:
            board = queries.get_board(key)
        return (board, str(board.id)) if board is not None else None
    model = MODELS.get(target_kind)
    if model is None:
        return None
    if model is Prefecture:
        found = db.session.get(Prefecture, key) if len(key) <= 2 else None
        return (found, found.code) if found is not None else None
    found = db.session.get(model, int(key)) if key.isdigit() and len(key) < 19 else None
    return (found, str(found.id)) if found is not None else None


def may_watch(user: Any, target_kind: str, target: Any) -> bool:
    if target_kind == "thread":
        return can(user, "thread.view", target)
    if target_kind == "board":
        return can(user, "board.view", target)
    return True  # taxonomies are public


def url_of(target_kind: str, target: Any) -> str:
    if target_kind == "thread":
        return url_for("forum.thread", thread_id=target.id)
    if target_kind == "board":
        return url_for("forum.board", slug=target.slug)
    return url_for("notifications.settings")
