"""JSON for structured threads: validating ``fields`` of a new thread, the listing endpoints
(``/api/v1/events`` …) with the same filters as the pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from auth.spaces import space_slug
from core.cursors import BadCursor
from core.extensions import csrf, db
from core.jsonapi import api_error, authenticate_writes, iso
from core.urls import absolute_url
from forum.models import Thread
from structured import details as details_service
from structured import queries
from structured.forms import details_form
from structured.models import ThreadDetail
from structured.schema import SECTIONS

bp = Blueprint("structured_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
bp.before_request(authenticate_writes)

LIMIT_MAX = 100


def validate_fields(kind: str, payload: Any, refusal):
    """``(fields in API representation, None)`` or ``(None, a 422 response)``; merges the
    field errors into an earlier title/body refusal so that one answer names every field."""
    if kind == "discussion":
        return None, refusal
    errors: dict[str, list[str]] = {}
    if refusal is not None:
        errors.update(refusal.get_json()["error"].get("fields") or {})
    if not isinstance(payload, dict):
        errors["fields"] = [_("fields にはオブジェクトを指定してください。")]
    else:
        form = details_form(kind, json=payload)
        if form.validate() and refusal is None:
            return details_service.to_api(form.values()), None
        errors.update({n: [str(m) for m in msgs] for n, msgs in form.errors.items() if n})
    return None, api_error(422, "validation", _("入力内容を確認してください。"), errors)


def screened_text(kind: str, fields: dict | None) -> str:
    return details_service.markdown_text(kind, fields) if fields else ""


def fields_of(thread: Thread) -> dict | None:
    if thread.kind == "discussion":
        return None
    detail = db.session.get(ThreadDetail, thread.id)
    return details_service.serialize_fields(detail) if detail is not None else None


def item_json(detail: ThreadDetail) -> dict:
    thread = detail.thread
    return {
        "id": thread.id,
        "type": detail.kind,
        "title": thread.title,
        "url": absolute_url("forum.thread", thread_id=thread.id),
        "space": space_slug(thread.board.space_id),
        "reply_count": thread.reply_count,
        "created_at": iso(thread.created_at),
        "updated_at": iso(detail.updated_at),
        "fields": details_service.serialize_fields(detail),
    }


def _listing(kind: str):
    try:
        filters = queries.parse_filters(kind, request.args)
    except queries.BadFilter as exc:
        return api_error(400, "validation", exc.message, {exc.name: [exc.message]})
    limit = min(max(request.args.get("limit", 20, type=int), 1), LIMIT_MAX)
    try:
        page = queries.list_page(filters, cursor=request.args.get("cursor"), limit=limit)
    except BadCursor:
        return api_error(400, "bad_cursor", _("cursor の値が正しくありません。"))
    return jsonify({SECTIONS[kind]: [item_json(d) for d in page.items], "next_cursor": page.next_cursor,
                    "filters": filters.args()})  # fmt: skip


@bp.get("/events")
def events():
    return _listing("event")


@bp.get("/cases")
def cases():
    return _listing("case")


@bp.get("/policies")
def policies():
    return _listing("policy")


@bp.get("/challenges")
def challenges():
    return _listing("challenge")
