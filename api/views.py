"""API endpoints. Validation reuses the web forms, so messages are the same Japanese ones."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from api.outcomes import respond
from api.serialize import board_json, post_json, thread_json
from auth import posting_rights
from auth.permissions import KIND_PERMISSIONS, can
from auth.session import current_account
from auth.spaces import get_space
from core.cursors import BadCursor
from core.extensions import csrf, limiter
from core.jsonapi import api_error, authenticate_writes, json_body
from core.params import db_int
from core.ratelimit import PER_ADDRESS_POSTING, PER_USER_POSTING, user_or_address
from core.urls import absolute_url
from forum import actions, queries, tags, thread_page
from forum.forms import EditPostForm, ReplyForm, ThreadForm
from forum.rendering import render_markdown
from structured import api as structured_api

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
    slug = request.args.get("space")
    space = get_space(slug) if slug else None
    if slug and space is None:
        return api_error(404, "not_found", _("プラットフォームが見つかりません。"))
    boards = queries.readable_boards(current_user, space_id=space.id if space else None)
    return jsonify(boards=[board_json(b) for b in boards])


@bp.get("/boards/<slug>/threads")
def board_threads(slug: str):
    board = queries.get_board(slug)
    if board is None or not can(current_user, "board.view", board):
        return api_error(404, "not_found", _("掲示板が見つかりません。"))
    limit = min(max(request.args.get("limit", 30, type=int), 1), 100)
    try:
        page = queries.list_threads(
            board, cursor=request.args.get("cursor"), limit=limit,
            tagged=tags.filters_from(request.args),
        )  # fmt: skip
    except BadCursor:
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
    path = posting_rights.posting_path(current_user, kind, board)
    if not path.allowed:  # the web's 「…を登録するには」 page, as data: why, and who may
        return api_error(403, "forbidden", posting_rights.refusal_message(path))
    form, refusal = _validate(ThreadForm, data)
    details, refusal = structured_api.validate_fields(kind, data.get("fields"), refusal)
    if refusal is not None:
        return refusal
    if kind == "discussion":
        details = data.get("tags")  # checked by the service (forum.tags.clean)
    outcome = actions.start_thread(
        actor=current_account(), board=board, title=form.title.data, body=form.body.data,
        kind=kind, details=details, extra_text=structured_api.screened_text(kind, details),
        confirmed=data.get("confirm") is True,
    )  # fmt: skip

    def created():
        thread = outcome.thread
        first = outcome.post or queries.list_posts_after(thread, after=0, limit=1)[0]
        body = {
            "id": thread.id,
            "url": absolute_url("forum.thread", thread_id=thread.id),
            "post": post_json(first),
        }
        return jsonify(body), 201, {"Location": body["url"]}

    return respond(outcome, created)


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
    return jsonify(
        thread_id=thread.id,
        last_number=thread.last_number,
        is_locked=thread.is_locked,
        can_reply=can(current_user, "thread.reply", thread),
        posts=_posts_with_fragments(posts, thread),
    )


def _wants_fragments() -> bool:
    return request.args.get("include") == "fragment"


def _posts_with_fragments(posts, thread) -> list[dict]:
    """The posts' JSON, plus (``?include=fragment``) each article exactly as the thread page
    renders it for this user (the same view-model): live updates insert it without a reload."""
    result = [post_json(post) for post in posts]
    if _wants_fragments() and posts:
        view = thread_page.build(thread, posts, current_user, only=thread_page.POST_PARTS)
        can_reply = can(current_user, "thread.reply", thread)
        for data, post in zip(result, posts, strict=True):
            data["fragment_html"] = render_template(
                "forum/_post_fragment.html", post=post, thread=thread, can_reply=can_reply,
                view=view,
            )  # fmt: skip
    return result


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
    outcome = actions.reply(actor=current_account(), thread=thread, body=form.body.data,
                            confirmed=data.get("confirm") is True)  # fmt: skip

    def created():
        result = post_json(outcome.post)
        return jsonify(result), 201, {"Location": result["url"]}

    return respond(outcome, created)


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
    return jsonify(_posts_with_fragments([post], post.thread)[0])


@bp.patch("/posts/<int:post_id>")
@limiter.limit(PER_USER_POSTING, key_func=user_or_address)
@limiter.limit(PER_ADDRESS_POSTING)
def edit_post(post_id: int):
    post, refusal = _post_or_error(post_id)
    if refusal is not None:
        return refusal
    data = json_body()
    form, refusal = _validate(EditPostForm, data)
    if refusal is not None:
        return refusal
    version = data.get("version")
    if version is not None and (
        not isinstance(version, int) or isinstance(version, bool) or not 0 < version < 2**31
    ):
        return api_error(422, "validation", _("入力内容を確認してください。"),
                         {"version": [_("整数で指定してください。")]})  # fmt: skip
    outcome = actions.edit_post(
        actor=current_account(), post=post, body=form.body.data,
        title=form.title.data if data.get("title") else None, base_version=version,
        # a discussion's first post: its tags, checked by forum.tags.clean
        details=data.get("tags") if post.thread.kind == "discussion" else None,
        confirmed=data.get("confirm") is True,
    )  # fmt: skip
    return respond(outcome, lambda: (jsonify(post_json(post)), 200),
                   held=lambda: (jsonify(post_json(post)), 202))  # fmt: skip


@bp.delete("/posts/<int:post_id>")
@limiter.limit(PER_USER_POSTING, key_func=user_or_address)
@limiter.limit(PER_ADDRESS_POSTING)
def delete_post(post_id: int):
    post, refusal = _post_or_error(post_id)
    if refusal is not None:
        return refusal
    outcome = actions.delete_post(actor=current_account(), post=post)
    return respond(outcome, lambda: ("", 204))


@bp.post("/posts/<int:post_id>/revisions/<int:revision_id>/redact")
def redact_revision(post_id: int, revision_id: int):
    """Moderators: hide an earlier version of a post from everyone (kept for the audit trail)."""
    post, refusal = _post_or_error(post_id)
    if refusal is not None:
        return refusal
    revision = queries.get_revision(post, revision_id)
    if revision is None:
        return api_error(404, "not_found", _("編集履歴が見つかりません。"))
    reason = json_body().get("reason")
    outcome = actions.redact_revision(
        actor=current_account(), revision=revision, thread=post.thread,
        target_kind="post_revision", reason=reason[:500] if isinstance(reason, str) else "",
    )  # fmt: skip
    return respond(outcome, lambda: ("", 204))


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
