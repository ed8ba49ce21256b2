"""Moderation JSON API: flag a post, the queue, decisions (409 on a stale version), audit,
watched words (through moderation.watched, like the web form)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from audit import log as audit
from auth.permissions import can
from auth.serialize import user_json
from auth.session import current_account
from core.extensions import csrf, db, limiter
from core.jsonapi import api_error, authenticate_writes, iso, json_body
from core.params import db_int
from core.ratelimit import user_or_address
from forum import queries as forum_queries
from moderation import flags, queue, watched
from moderation.models import ModerationItem, WatchedWord

bp = Blueprint("moderation_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
bp.before_request(authenticate_writes)


def item_json(item: ModerationItem) -> dict:
    held = item.held_post
    return {
        "id": item.id,
        "kind": item.kind,
        "status": item.status,
        "version": item.version,
        "score": item.score,
        "priority": queue.priority(item),
        "reasons": item.reasons,
        "post_id": item.post_id,
        "board": item.board.slug if item.board else None,
        "space": item.space.slug if item.space else None,
        "author": user_json(item.subject_user),
        "held": {"title": held.title, "body": held.body_source, "html": held.body_html}
        if held is not None else None,
        "decision": item.decision,
        "decision_reason": item.decision_reason,
        "created_at": iso(item.created_at),
        "decided_at": iso(item.decided_at),
    }  # fmt: skip


@bp.post("/posts/<int:post_id>/flags")
@limiter.limit("30 per hour", key_func=user_or_address)
def flag_post(post_id: int):
    post = forum_queries.get_post(post_id)
    visible = post is not None and can(current_user, "thread.view", post.thread)
    if visible and post.is_hidden:
        visible = can(current_user, "post.view_hidden", post)
    if not visible:
        return api_error(404, "not_found", _("投稿が見つかりません。"))
    if not can(current_user, "post.flag", post):
        return api_error(403, "forbidden", _("この投稿は通報できません。"))
    data = json_body()
    try:
        flag = flags.flag_post(post, user=current_account(),
                               reason=str(data.get("reason", "")),
                               message=str(data.get("message", "") or ""))  # fmt: skip
        db.session.commit()
    except flags.FlagRefused as exc:
        db.session.rollback()
        status = 409 if exc.code == "already_flagged" else 429 if exc.code == "daily_cap" else 422
        return api_error(status, exc.code, exc.message)
    except IntegrityError:
        db.session.rollback()
        return api_error(409, "already_flagged", _("この投稿はすでに通報済みです。"))
    return jsonify(id=flag.id, post_id=post.id, post_status=post.status), 201


def _reviewer_refusal():
    if not current_user.is_authenticated:
        return api_error(401, "unauthorized", _("ログインまたはAPIトークンが必要です。"))
    if not can(current_user, "moderation.review"):
        return api_error(403, "forbidden", _("この操作を行う権限がありません。"))
    return None


@bp.get("/moderation/queue")
def review_queue():
    if (refusal := _reviewer_refusal()) is not None:
        return refusal
    filters, _board, bad = queue.filters_from(request.args, current_user)
    if bad is not None:
        return api_error(400, "bad_request", _("%(name)s の値が正しくありません。", name=bad))
    items = queue.list_queue(**filters)
    return jsonify(items=[item_json(i) for i in items])


@bp.post("/moderation/items/<int:item_id>/decision")
def decide(item_id: int):
    if (refusal := _reviewer_refusal()) is not None:
        return refusal
    item = db.session.get(ModerationItem, item_id)
    if item is None:
        return api_error(404, "not_found", _("項目が見つかりません。"))
    data = json_body()
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 0 < version < 2**31:
        return api_error(422, "validation", _("入力内容を確認してください。"),
                         {"version": [_("数字を入力してください。")]})  # fmt: skip
    try:
        queue.decide(item, moderator=current_account(),
                     action=str(data.get("action", "")), version=version,
                     reason=str(data.get("reason", "") or ""))  # fmt: skip
        db.session.commit()
    except queue.Forbidden:
        db.session.rollback()
        return api_error(403, "forbidden", _("この操作を行う権限がありません。"))
    except queue.IllegalAction:
        db.session.rollback()
        return api_error(422, "illegal_action", _("この項目にはその対応はできません。"))
    except queue.Outdated as outdated:
        db.session.rollback()
        return api_error(409, "outdated", outdated.message)
    except queue.Conflict:
        db.session.rollback()
        return api_error(
            409,
            "conflict",
            _("ほかのモデレーターがすでに対応しました。最新の状態を確認してください。"),
        )
    return jsonify(item_json(item))


@bp.get("/moderation/audit")
def audit_log():
    if not current_user.is_authenticated:
        return api_error(401, "unauthorized", _("ログインまたはAPIトークンが必要です。"))
    if not can(current_user, "audit.view"):
        return api_error(403, "forbidden", _("この操作を行う権限がありません。"))
    entries = audit.list_entries(
        action=request.args.get("action") or None, before_id=request.args.get("before", type=db_int)
    )
    return jsonify(entries=[{
        "id": e.id, "actor": user_json(e.actor), "action": e.action, "target_kind": e.target_kind,
        "target_id": e.target_id, "reason": e.reason, "before": e.before, "after": e.after,
        "created_at": iso(e.created_at),
    } for e in entries])  # fmt: skip


def _manager_refusal():
    if not current_user.is_authenticated:
        return api_error(401, "unauthorized", _("ログインまたはAPIトークンが必要です。"))
    if not can(current_user, "moderation.manage"):
        return api_error(403, "forbidden", _("この操作を行う権限がありません。"))
    return None


def _watched_word_input(data: dict, entry: WatchedWord | None = None) -> dict:
    """The fields of a create or PATCH body (a PATCH keeps what it leaves out)."""
    values = {
        "word": data.get("word", entry.word if entry else ""),
        "action": data.get("action", entry.action if entry else "block"),
        "is_regex": data.get("is_regex", entry.is_regex if entry else False),
    }
    errors = {}
    if not isinstance(values["word"], str):
        errors["word"] = [_("文字列で指定してください。")]
    if not isinstance(values["action"], str):
        errors["action"] = [_("文字列で指定してください。")]
    if not isinstance(values["is_regex"], bool):
        errors["is_regex"] = [_("true か false で指定してください。")]
    if errors:
        raise _InputError(errors)
    return values


class _InputError(Exception):
    def __init__(self, fields: dict) -> None:
        super().__init__("invalid input")
        self.fields = fields


def _save_watched_word(save):
    try:
        entry = save()
        db.session.commit()
    except _InputError as exc:
        db.session.rollback()
        return None, api_error(422, "validation", _("入力内容を確認してください。"), exc.fields)
    except watched.WatchedWordError as exc:
        db.session.rollback()
        return None, api_error(422, "validation", exc.message, {exc.field: [exc.message]})
    return entry, None


@bp.get("/moderation/watched-words")
def watched_words():
    if (refusal := _manager_refusal()) is not None:
        return refusal
    return jsonify(items=[watched.watched_word_json(w) for w in watched.list_watched_words()])


@bp.post("/moderation/watched-words")
def add_watched_word():
    if (refusal := _manager_refusal()) is not None:
        return refusal
    data = json_body()
    entry, error = _save_watched_word(
        lambda: watched.add_watched_word(actor=current_account(), **_watched_word_input(data))
    )
    return error or (jsonify(watched.watched_word_json(entry)), 201)


@bp.patch("/moderation/watched-words/<int:word_id>")
def update_watched_word(word_id: int):
    if (refusal := _manager_refusal()) is not None:
        return refusal
    entry = db.session.get(WatchedWord, word_id)
    if entry is None:
        return api_error(404, "not_found", _("語句が見つかりません。"))
    data = json_body()
    entry, error = _save_watched_word(
        lambda: watched.update_watched_word(
            entry, actor=current_account(), **_watched_word_input(data, entry)
        )
    )
    return error or jsonify(watched.watched_word_json(entry))


@bp.delete("/moderation/watched-words/<int:word_id>")
def delete_watched_word(word_id: int):
    if (refusal := _manager_refusal()) is not None:
        return refusal
    entry = db.session.get(WatchedWord, word_id)
    if entry is None:
        return api_error(404, "not_found", _("語句が見つかりません。"))
    watched.delete_watched_word(entry, actor=current_account())
    db.session.commit()
    return "", 204
