"""API endpoints. Validation reuses the web forms, so messages are the same Japanese ones."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from api import structured as structured_api
from api.auth import authenticate_writes, json_body
from api.errors import api_error
from api.serialize import board_json, post_json, thread_json
from auth.permissions import KIND_PERMISSIONS, can
from auth.session import current_account
from core.extensions import csrf, db, limiter
from core.params import db_int
from core.ratelimit import PER_ADDRESS_POSTING, PER_USER_POSTING, user_or_address
from core.urls import absolute_url
from forum import posting, publishing, queries
from forum.forms import EditPostForm, ReplyForm, ThreadForm
from forum.publishing import Draft
from forum.rendering import render_markdown

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


bp.before_request(authenticate_writes)


def _validate(form_class, data: dict):
    formdata = MultiDict({k: v for k, v in data.items() if isinstance(v, str)})
    form = form_class(formdata=formdata, meta={"csrf": False})
    if not form.validate():
        fields = {name: [str(m) for m in msgs] for name, msgs in form.errors.items() if name}
        return None, api_error(422, "validation", _("入力内容を確認してください。"), fields)
    return form, None


@bp.get("/boards")
def boards():
    return jsonify(boards=[board_json(b) for b in queries.list_boards()])


@bp.get("/boards/<slug>/threads")
def board_threads(slug: str):
    board = queries.get_board(slug)
    if board is None or not can(current_user, "board.view", board):
        return api_error(404, "not_found", _("掲示板が見つかりません。"))
    limit = min(max(request.args.get("limit", 30, type=int), 1), 100)
    try:
        page = queries.list_threads(board, cursor=request.args.get("cursor"), limit=limit)
    except queries.BadCursor:
        return api_error(400, "bad_cursor", _("cursor の値が正しくありません。"))
    return jsonify(
        board=board_json(board),
        threads=[thread_json(t, board) for t in page.threads],
        next_cursor=page.next_cursor,
    )


@bp.post("/boards/<slug>/threads")
@limiter.limit(PER_USER_POSTING, key_func=user_or_address)
@limiter.limit(PER_ADDRESS_POSTING)
def create_thread(slug: str):
    board = queries.get_board(slug)
    if board is None or not can(current_user, "board.view", board):
        return api_error(404, "not_found", _("掲示板が見つかりません。"))
    data = json_body()
    kind = data.get("type") or "discussion"
    if not isinstance(kind, str) or kind not in KIND_PERMISSIONS:
        return api_error(422, "validation", _("入力内容を確認してください。"),
                         {"type": [_("種類が正しくありません。")]})  # fmt: skip
    if not can(current_user, f"thread.create.{kind}", board):
        return api_error(
            403, "forbidden", _("この掲示板にこの種類のスレッドを作成する権限がありません。")
        )
    form, refusal = _validate(ThreadForm, data)
    details, refusal = structured_api.validate_fields(kind, data.get("fields"), refusal)
    if refusal is not None:
        return refusal
    draft = Draft(author=current_account(), board=board, title=form.title.data, body=form.body.data,
                  thread_kind=kind, details=details,
                  extra_text=structured_api.screened_text(kind, details))  # fmt: skip
    outcome = publishing.submit(draft, confirmed=data.get("confirm") is True)
    if outcome.status != "published":
        return _not_published(outcome)
    db.session.commit()
    thread = outcome.thread
    first = queries.list_posts_after(thread, after=0, limit=1)[0]
    body = {
        "id": thread.id,
        "url": absolute_url("forum.thread", thread_id=thread.id),
        "post": post_json(first),
    }
    return jsonify(body), 201, {"Location": body["url"]}


def _concerns_json(outcome) -> list[dict]:
    return [{"code": c.code, "message": c.message, "matches": list(c.details)}
            for c in outcome.concerns]  # fmt: skip


def _not_published(outcome):
    """Held → 202 (saved, waiting for a moderator); refused or to be confirmed → 422."""
    if outcome.status == "held":
        db.session.commit()
        return jsonify(status="pending_review", reasons=_concerns_json(outcome)), 202
    if outcome.status == "needs_confirmation":
        message = _(
            "送信する前に確認してください。よければ confirm: true を付けて送り直してください。"
        )
        return api_error(422, "needs_confirmation", message, concerns=_concerns_json(outcome))
    return api_error(
        422, "refused", _("この内容は投稿できません。"), concerns=_concerns_json(outcome)
    )


def _thread_or_error(thread_id: int):
    thread = queries.get_thread(thread_id)
    if thread is None or not can(current_user, "thread.view", thread):
        return None, api_error(404, "not_found", _("スレッドが見つかりません。"))
    return thread, None


@bp.get("/threads/<int:thread_id>")
def thread(thread_id: int):
    thread, refusal = _thread_or_error(thread_id)
    if refusal is not None:
        return refusal
    body = thread_json(thread, thread.board)
    body["type"] = thread.kind
    body["fields"] = structured_api.fields_of(thread)
    return jsonify(thread=body)


@bp.get("/threads/<int:thread_id>/posts")
def thread_posts(thread_id: int):
    thread, refusal = _thread_or_error(thread_id)
    if refusal is not None:
        return refusal
    after = max(request.args.get("after", 0, type=db_int), 0)
    limit = min(max(request.args.get("limit", 50, type=int), 1), 200)
    posts = queries.list_posts_after(thread, after=after, limit=limit)
    fragments = _wants_fragments()
    return jsonify(
        thread_id=thread.id,
        last_number=thread.last_number,
        is_locked=thread.is_locked,
        can_reply=can(current_user, "thread.reply", thread),
        posts=[_post_with_fragment(p, thread, fragments) for p in posts],
    )


def _wants_fragments() -> bool:
    return request.args.get("include") == "fragment"


def _post_with_fragment(post, thread, fragments: bool) -> dict:
    """The post's JSON, plus (``?include=fragment``) its article exactly as the thread page
    renders it for this user: live updates insert it without a reload."""
    data = post_json(post)
    if fragments:
        data["fragment_html"] = render_template(
            "forum/_post_fragment.html",
            post=post,
            thread=thread,
            can_reply=can(current_user, "thread.reply", thread),
        )
    return data


@bp.post("/threads/<int:thread_id>/posts")
@limiter.limit(PER_USER_POSTING, key_func=user_or_address)
@limiter.limit(PER_ADDRESS_POSTING)
def create_post(thread_id: int):
    thread, refusal = _thread_or_error(thread_id)
    if refusal is not None:
        return refusal
    if not can(current_user, "thread.reply", thread):
        return api_error(403, "forbidden", _("このスレッドには返信できません。"))
    data = json_body()
    form, refusal = _validate(ReplyForm, data)
    if refusal is not None:
        return refusal
    draft = Draft(author=current_account(), board=thread.board, thread=thread, body=form.body.data)
    outcome = publishing.submit(draft, confirmed=data.get("confirm") is True)
    if outcome.status != "published":
        return _not_published(outcome)
    db.session.commit()
    result = post_json(outcome.post)
    return jsonify(result), 201, {"Location": result["url"]}


def _post_or_error(post_id: int):
    post = queries.get_post(post_id)
    if post is None or not can(current_user, "thread.view", post.thread):
        return None, api_error(404, "not_found", _("投稿が見つかりません。"))
    return post, None


@bp.get("/posts/<int:post_id>")
def get_post(post_id: int):
    post, refusal = _post_or_error(post_id)
    if refusal is not None:
        return refusal
    return jsonify(_post_with_fragment(post, post.thread, _wants_fragments()))


@bp.patch("/posts/<int:post_id>")
@limiter.limit(PER_USER_POSTING, key_func=user_or_address)
@limiter.limit(PER_ADDRESS_POSTING)
def edit_post(post_id: int):
    post, refusal = _post_or_error(post_id)
    if refusal is not None:
        return refusal
    if not can(current_user, "post.edit", post):
        return api_error(403, "forbidden", _("この投稿を編集する権限がありません。"))
    data = json_body()
    form, refusal = _validate(EditPostForm, data)
    if refusal is not None:
        return refusal
    title = form.title.data if post.number == 1 and data.get("title") else None
    if title is not None and len(title.strip()) < 2:
        return api_error(422, "validation", _("入力内容を確認してください。"),
                         {"title": [_("タイトルは2文字以上120文字以内にしてください。")]})  # fmt: skip
    draft = Draft(author=current_account(), board=post.thread.board, thread=post.thread, post=post,
                  body=form.body.data, title=title)  # fmt: skip
    outcome = publishing.submit(draft, confirmed=data.get("confirm") is True)
    if outcome.status not in ("published", "held"):
        return _not_published(outcome)
    db.session.commit()
    return jsonify(post_json(post)), 200 if outcome.status == "published" else 202


@bp.delete("/posts/<int:post_id>")
@limiter.limit(PER_USER_POSTING, key_func=user_or_address)
@limiter.limit(PER_ADDRESS_POSTING)
def delete_post(post_id: int):
    post, refusal = _post_or_error(post_id)
    if refusal is not None:
        return refusal
    if not can(current_user, "post.delete", post):
        return api_error(403, "forbidden", _("この投稿を削除する権限がありません。"))
    posting.delete_post(post=post, actor=current_user)
    db.session.commit()
    return "", 204


@bp.post("/preview")
@limiter.limit("60 per minute")
def preview():
    """Render Markdown with the same pipeline as a saved post (nothing is stored)."""
    data = json_body()
    body = data.get("body")
    if not isinstance(body, str):
        return api_error(422, "validation", _("入力内容を確認してください。"),
                         {"body": [_("入力してください。")]})  # fmt: skip
    if len(body) > current_app.config["MAX_POST_LENGTH"]:
        return api_error(413, "too_large", _("本文が長すぎます。"))
    return jsonify(html=render_markdown(body))
