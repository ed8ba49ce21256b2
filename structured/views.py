"""Posting and editing structured threads on the web: the title/body form plus the kind's typed
fields, through the same publishing gatekeepers as every post."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from auth import posting_rights
from auth.permissions import can
from auth.session import current_account
from core.extensions import db, limiter
from core.ratelimit import PER_ADDRESS_POSTING, PER_USER_POSTING, user_or_address
from forum import actions, queries
from forum.forms import ConfirmForm, EditPostForm, ThreadForm
from forum.models import STRUCTURED_KINDS, Post
from forum.rendering import render_markdown
from forum.responses import settle, status_code
from structured import details as details_service
from structured import display
from structured.forms import details_form
from structured.models import ThreadDetail, ThreadDetailRevision
from structured.schema import KIND_LABELS, field_labels, specs_for

bp = Blueprint("structured", __name__)


@bp.route("/b/<slug>/new/<kind>", methods=["GET", "POST"])
@limiter.limit(PER_USER_POSTING, key_func=user_or_address, methods=["POST"])
@limiter.limit(PER_ADDRESS_POSTING, methods=["POST"])
def new_thread(slug: str, kind: str):
    board = queries.get_board(slug)
    if board is None or kind not in STRUCTURED_KINDS or not can(current_user, "board.view", board):
        abort(404)
    path = posting_rights.posting_path(current_user, kind, board)
    if not path.allowed:  # signed out, not verified …: who may post this, and the one step
        return who_may_post(board, kind, path), 403
    form = ThreadForm()
    fields = details_form(kind)
    preview_html, outcome = None, None
    if request.method == "POST":
        valid = form.validate_on_submit()
        valid = fields.validate() and valid
        if valid and form.preview.data:
            preview_html = render_markdown(form.body.data)
        elif valid:
            values = details_service.to_api(fields.values())
            outcome = actions.start_thread(
                actor=current_account(), board=board, title=form.title.data, body=form.body.data,
                kind=kind, details=values, confirmed=form.confirm.data,
                extra_text=details_service.markdown_text(kind, values),
            )  # fmt: skip
            response = settle(
                outcome, form=form, done_message=_("%(kind)sを登録しました。", kind=KIND_LABELS[kind]),
                done_url=url_for("forum.thread", thread_id=getattr(outcome.thread, "id", 0)),
                held_url=url_for("forum.board", slug=board.slug), held_page=True,
            )  # fmt: skip
            if response is not None:
                return response
    concerns = outcome.concerns if outcome else []
    return render_template(
        "structured/new.html", board=board, kind=kind, form=form, fields=fields,
        specs=specs_for(kind), preview_html=preview_html, concerns=concerns,
        kind_label=KIND_LABELS[kind],
    ), status_code(outcome, form, fields)  # fmt: skip


def who_may_post(board, kind: str, path: posting_rights.PostingPath) -> str:
    """The page shown instead of the form to whoever may not post ``kind`` yet: who may, and
    the one step from here (sign in or register, confirm the address, request verification)."""
    return render_template(
        "structured/who_may_post.html", board=board, kind=kind, kind_label=KIND_LABELS[kind],
        path=path, next_url=url_for("structured.new_thread", slug=board.slug, kind=kind),
    )  # fmt: skip


@bp.route("/t/<int:thread_id>/edit-details", methods=["GET", "POST"])
@login_required
@limiter.limit(PER_USER_POSTING, key_func=user_or_address, methods=["POST"])
@limiter.limit(PER_ADDRESS_POSTING, methods=["POST"])
def edit(thread_id: int):
    thread = queries.get_thread(thread_id)
    if thread is None or not can(current_user, "thread.view", thread):
        abort(404)
    detail = db.session.get(ThreadDetail, thread.id)
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 1))
    if detail is None or post is None:
        abort(404)
    if not can(current_user, "post.edit", post):
        abort(403)
    form = EditPostForm()
    if request.method == "GET":
        form.body.data = post.body_source
        form.title.data = thread.title
        form.version.data = post.version
        fields = details_form(thread.kind, obj_data=details_service.form_data(detail))
    else:
        fields = details_form(thread.kind)
    preview_html, outcome = None, None
    if request.method == "POST":
        valid = form.validate_on_submit()
        valid = fields.validate() and valid
        if valid and form.preview.data:
            preview_html = render_markdown(form.body.data)
        elif valid:
            values = details_service.to_api(fields.values())
            outcome = actions.edit_post(
                actor=current_account(), post=post, body=form.body.data, title=form.title.data,
                details=values, details_before=details_service.serialize_fields(detail),
                extra_text=details_service.markdown_text(thread.kind, values),
                base_version=form.version.data, confirmed=form.confirm.data,
            )  # fmt: skip
            response = settle(outcome, form=form, done_message=_("内容を更新しました。"),
                              done_url=url_for("forum.thread", thread_id=thread.id))  # fmt: skip
            if response is not None:
                return response
    return render_template(
        "structured/edit.html", thread=thread, board=thread.board, post=post, kind=thread.kind,
        form=form, fields=fields, specs=specs_for(thread.kind), preview_html=preview_html,
        concerns=outcome.concerns if outcome else [], kind_label=KIND_LABELS[thread.kind],
        current_post=post if outcome is not None and outcome.status == "conflict" else None,
    ), status_code(outcome, form, fields)  # fmt: skip


@bp.get("/t/<int:thread_id>/details/revisions")
def revisions(thread_id: int):
    thread = queries.get_thread(thread_id)
    if thread is None or not can(current_user, "thread.view", thread):
        abort(404)
    detail = db.session.get(ThreadDetail, thread.id)
    if detail is None:
        abort(404)
    rows = db.session.scalars(
        select(ThreadDetailRevision)
        .where(ThreadDetailRevision.thread_id == thread.id)
        .order_by(ThreadDetailRevision.id.desc())
    ).all()
    current = details_service.serialize_fields(detail)
    # each entry: (revision, {field: (old, new)}) — what that edit changed
    changes = []
    newer = current
    for rev in rows:
        diff = {
            k: (rev.fields.get(k), newer.get(k)) for k in newer if rev.fields.get(k) != newer.get(k)
        }
        changes.append((rev, diff))
        newer = rev.fields
    labels = field_labels(thread.kind)
    return render_template(
        "structured/revisions.html", thread=thread, board=thread.board,
        changes=_redacted(display.readable_changes(thread.kind, changes)),
        labels=labels, kind_label=KIND_LABELS[thread.kind],
        can_redact=can(current_user, "thread.moderate", thread), form=ConfirmForm(),
    )  # fmt: skip


def _redacted(changes: list[tuple]) -> list[tuple]:
    """A redacted revision's values are shown to nobody: neither as the "before" of its own row
    nor as the "after" of the next older row (which shows the same values)."""
    hidden = _("（モデレーターが非表示にしました）")
    result, newer_redacted = [], False
    for rev, diff in changes:
        result.append((rev, {
            name: (hidden if rev.is_redacted else old, hidden if newer_redacted else new)
            for name, (old, new) in diff.items()
        }))  # fmt: skip
        newer_redacted = rev.is_redacted
    return result


@bp.post("/t/<int:thread_id>/details/revisions/<int:revision_id>/redact")
@login_required
def redact_revision(thread_id: int, revision_id: int):
    thread = queries.get_thread(thread_id)
    revision = db.session.get(ThreadDetailRevision, revision_id)
    if thread is None or revision is None or revision.thread_id != thread.id:
        abort(404)
    if not can(current_user, "thread.view", thread):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    outcome = actions.redact_revision(actor=current_account(), revision=revision, thread=thread,
                                      target_kind="detail_revision",
                                      reason=request.form.get("reason", "")[:500])  # fmt: skip
    return settle(outcome, done_message=_("この版を非表示にしました。記録は監査ログに残ります。"),
                  done_url=url_for("structured.revisions", thread_id=thread.id))  # fmt: skip
