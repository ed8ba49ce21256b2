"""Notification API under /api/v1 (same authentication and error shape as ``api``):

``GET /notifications?unread=1&cursor=…``, ``POST /notifications/read {"ids": […]} | {"all":
true}``, ``GET|PUT /watches/<target_kind>/<id> {"level"}``, ``GET|PUT
/me/notification-settings``, ``GET /me/notifications/export`` (``?download=1``: as a file),
``POST /threads/<id>/read {"number"}`` (the thread page's read position, from readpos.js).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from auth.accounts import find_user_by_handle
from auth.models import User
from auth.permissions import can
from core.cursors import BadCursor
from core.extensions import csrf, db, limiter
from core.jsonapi import api_error, iso, json_body, signed_in_only
from core.params import DB_INT_MAX
from core.ratelimit import PER_USER_POSTING, user_or_address
from forum import queries
from notifications import exporting, inbox, reading, targets, watching
from notifications.kinds import EMAIL_MODES, KINDS
from notifications.models import TARGET_KINDS, THREAD_LEVELS
from notifications.presenting import Shown, present

bp = Blueprint("notifications_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
#: a reader's browser reports its position at most every few seconds per open thread
READ_POSITION_LIMIT = "60 per minute"
EXPORT_LIMIT = "10 per minute"


bp.before_request(signed_in_only)


def _json(s: Shown) -> dict:
    return {
        "id": s.id, "kind": s.kind, "text": s.text, "url": s.url, "count": s.count,
        "is_read": s.is_read, "is_quiet": s.is_quiet, "thread_id": s.thread_id,
        "post_id": s.post_id, "created_at": iso(s.created_at), "updated_at": iso(s.updated_at),
    }  # fmt: skip


@bp.get("/notifications")
def list_notifications():
    limit = min(max(request.args.get("limit", 30, type=int), 1), 100)
    try:
        page = inbox.list_page(
            current_user.id, unread_only=request.args.get("unread") in ("1", "true"),
            cursor=request.args.get("cursor"), limit=limit,
        )  # fmt: skip
    except BadCursor:
        return api_error(400, "bad_cursor", _("cursor の値が正しくありません。"))
    return jsonify(
        notifications=[_json(s) for s in present(page.items)],
        next_cursor=page.next_cursor,
        unread_count=inbox.unread_count(current_user.id),
    )


@bp.post("/notifications/read")
@limiter.limit(PER_USER_POSTING, key_func=user_or_address)
def read_notifications():
    data = json_body()
    if data.get("all") is True:
        updated = inbox.mark_all_read(current_user.id)
    else:
        ids = data.get("ids")
        if not isinstance(ids, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) and abs(i) <= DB_INT_MAX for i in ids
        ):
            return api_error(422, "validation_failed", _("入力内容を確認してください。"),
                             {"ids": [_("通知のIDの配列を送ってください。")]})  # fmt: skip
        updated = inbox.mark_read(current_user.id, ids[:500])
    db.session.commit()
    return jsonify(updated=updated, unread_count=inbox.unread_count(current_user.id))


def _watch_target(target_kind: str, key: str):
    if target_kind not in TARGET_KINDS:
        return None, api_error(404, "not_found", _("対象が見つかりません。"))
    found = targets.resolve(target_kind, key)
    if found is None or not targets.may_watch(current_user, target_kind, found[0]):
        return None, api_error(404, "not_found", _("対象が見つかりません。"))
    return found[1], None


@bp.get("/watches/<target_kind>/<key>")
def get_watch(target_kind: str, key: str):
    key, refusal = _watch_target(target_kind, key)
    if refusal is not None:
        return refusal
    level = watching.get_level(current_user, target_kind, key)
    return jsonify(target_kind=target_kind, id=key, level=level,
                   levels=list(watching.levels_for(target_kind)))  # fmt: skip


@bp.put("/watches/<target_kind>/<key>")
@limiter.limit(PER_USER_POSTING, key_func=user_or_address)
def put_watch(target_kind: str, key: str):
    key, refusal = _watch_target(target_kind, key)
    if refusal is not None:
        return refusal
    level = json_body().get("level")
    allowed = watching.levels_for(target_kind)
    if level not in allowed:
        return api_error(422, "validation_failed", _("入力内容を確認してください。"),
                         {"level": [_("次のどれかにしてください: %(levels)s",
                                      levels=", ".join(allowed))]})  # fmt: skip
    watching.set_level(current_user, target_kind, key, level)
    db.session.commit()
    return jsonify(target_kind=target_kind, id=key, level=level, levels=list(allowed))


def _settings_json() -> dict:
    row = watching.settings_for(current_user.id)
    return {
        "email": {kind: watching.email_mode(row, kind) for kind in KINDS},
        "auto_watch_start": row.auto_watch_start,
        "auto_watch_reply": row.auto_watch_reply,
        "muted_users": [m.muted_user.handle for m in watching.list_mutes(current_user)],
    }


@bp.get("/me/notification-settings")
def get_settings():
    return jsonify(_settings_json())


@bp.put("/me/notification-settings")
@limiter.limit(PER_USER_POSTING, key_func=user_or_address)
def put_settings():
    data = json_body()
    current = _settings_json()
    errors: dict[str, list[str]] = {}
    email = data.get("email", {})
    if not isinstance(email, dict) or any(
        k not in KINDS or v not in EMAIL_MODES for k, v in email.items()
    ):
        errors["email"] = [_("種類ごとに immediate / daily / weekly / never を指定してください。")]
    auto = {}
    for name in ("auto_watch_start", "auto_watch_reply"):
        value = data.get(name, current[name])
        if value not in THREAD_LEVELS or value == "muted":
            errors[name] = [_("watching / tracking / normal のどれかにしてください。")]
        auto[name] = value
    muted: list[User] | None = None
    if "muted_users" in data:
        handles = data["muted_users"]
        if not isinstance(handles, list) or not all(isinstance(h, str) for h in handles):
            errors["muted_users"] = [_("ハンドル名の配列を送ってください。")]
        else:
            muted = [find_user_by_handle(h) for h in handles[:200]]
            if any(u is None or u.id == current_user.id for u in muted):
                errors["muted_users"] = [_("ミュートできないハンドル名が含まれています。")]
    if errors:
        return api_error(422, "validation_failed", _("入力内容を確認してください。"), errors)
    watching.save_settings(current_user, email_modes={**current["email"], **email}, **auto)
    if muted is not None:
        keep = {u.id for u in muted}
        for mute in watching.list_mutes(current_user):
            if mute.muted_user_id not in keep:
                watching.unmute_user(current_user, mute.muted_user_id)
        for other in muted:
            watching.mute_user(current_user, other)
    db.session.commit()
    return jsonify(_settings_json())


@bp.post("/threads/<int:thread_id>/read")
@limiter.limit(READ_POSITION_LIMIT, key_func=user_or_address)
def read_position(thread_id: int):
    """The reader has seen the thread up to post ``number`` (stored as the maximum so far,
    capped at the thread's last post)."""
    thread = queries.get_thread(thread_id)
    if thread is None or not can(current_user, "thread.view", thread):
        return api_error(404, "not_found", _("スレッドが見つかりません。"))
    number = json_body().get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        return api_error(422, "validation_failed", _("入力内容を確認してください。"),
                         {"number": [_("1以上の投稿番号を送ってください。")]})  # fmt: skip
    stored = reading.mark_read_up_to(current_user.id, thread, number)
    db.session.commit()
    return jsonify(thread_id=thread.id, number=stored)


@bp.get("/me/notifications/export")
@limiter.limit(EXPORT_LIMIT, key_func=user_or_address)
def export():
    """Everything of the member's notifications, as JSON (a file with ``?download=1``)."""
    document = exporting.export_for(current_user)
    body = json.dumps(document, ensure_ascii=False, indent=1)
    response = Response(body, mimetype="application/json")
    if request.args.get("download") == "1":
        response.headers["Content-Disposition"] = 'attachment; filename="kyoso-notifications.json"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
