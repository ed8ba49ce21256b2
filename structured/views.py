"""Posting and editing structured threads on the web: the title/body form plus the kind's typed
fields, through the same publishing gatekeepers as every post."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from audit.log import record_action
from auth.permissions import can
from auth.session import current_account
from core.extensions import db, limiter
from core.ratelimit import PER_ADDRESS_POSTING, PER_USER_POSTING, user_or_address
from forum import publishing, queries
from forum.forms import EditPostForm, ThreadForm
from forum.models import STRUCTURED_KINDS, Post
from forum.publishing import Draft
from forum.rendering import render_markdown
from structured import details as details_service
from structured import display
from structured.forms import details_form
from structured.models import ThreadDetail, ThreadDetailRevision
from structured.schema import KIND_LABELS, field_labels, specs_for

bp = Blueprint("structured", __name__)


@bp.route("/b/<slug>/new/<kind>", methods=["GET", "POST"])
@login_required
@limiter.limit(PER_USER_POSTING, key_func=user_or_address, methods=["POST"])
@limiter.limit(PER_ADDRESS_POSTING, methods=["POST"])
def new_thread(slug: str, kind: str):
    board = queries.get_board(slug)
    if board is None or kind not in STRUCTURED_KINDS or not can(current_user, "board.view", board):
        abort(404)
    if not can(current_user, f"thread.create.{kind}", board):
        abort(403)
    form = ThreadForm()
    fields = details_form(kind)
    preview_html, concerns = None, []
    if request.method == "POST":
        valid = form.validate_on_submit()
        valid = fields.validate() and valid
        if valid and form.preview.data:
            preview_html = render_markdown(form.body.data)
        elif valid:
            values = details_service.to_api(fields.values())
            draft = Draft(
                author=current_account(), board=board, title=form.title.data, body=form.body.data,
                thread_kind=kind, details=values,
                extra_text=details_service.markdown_text(kind, values),
            )  # fmt: skip
            outcome = publishing.submit(draft, confirmed=form.confirm.data)
            if outcome.status == "published":
                db.session.commit()
                flash(_("%(kind)sを登録しました。", kind=KIND_LABELS[kind]), "success")
                return redirect(url_for("forum.thread", thread_id=outcome.thread.id))
            if outcome.status == "held":
                db.session.commit()
                flash(publishing.held_message(), "info")
                return redirect(url_for("forum.board", slug=board.slug))
            concerns = outcome.concerns
    status = 422 if (form.errors or fields.errors or concerns) else 200
    return render_template(
        "structured/new.html", board=board, kind=kind, form=form, fields=fields,
        specs=specs_for(kind), preview_html=preview_html, concerns=concerns,
        kind_label=KIND_LABELS[kind],
    ), status  # fmt: skip


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
        fields = details_form(thread.kind, obj_data=details_service.form_data(detail))
    else:
        fields = details_form(thread.kind)
    preview_html, concerns = None, []
    if request.method == "POST":
        valid = form.validate_on_submit()
        valid = fields.validate() and valid
        if valid and len((form.title.data or "").strip()) < 2:
            form.title.errors.append(_("タイトルは2文字以上120文字以内にしてください。"))
        elif valid and form.preview.data:
            preview_html = render_markdown(form.body.data)
        elif valid:
            values = details_service.to_api(fields.values())
            before = details_service.serialize_fields(detail)
            draft = Draft(
                author=current_account(), board=thread.board, thread=thread, post=post,
                body=form.body.data, title=form.title.data, thread_kind=thread.kind,
                details=values, extra_text=details_service.markdown_text(thread.kind, values),
            )  # fmt: skip
            outcome = publishing.submit(draft, confirmed=form.confirm.data)
            if outcome.status in ("published", "held"):
                if outcome.status == "published" and post.author_id != current_user.id:
                    record_action(current_account(), "thread.edit_details", "thread", thread.id,
                                  before=before, after=values)  # fmt: skip
                db.session.commit()
                published = outcome.status == "published"
                flash(_("内容を更新しました。") if published else publishing.held_message(),
                      "success" if published else "info")  # fmt: skip
                return redirect(url_for("forum.thread", thread_id=thread.id))
            concerns = outcome.concerns
    status = 422 if (form.errors or fields.errors or concerns) else 200
    return render_template(
        "structured/edit.html", thread=thread, board=thread.board, post=post, kind=thread.kind,
        form=form, fields=fields, specs=specs_for(thread.kind), preview_html=preview_html,
        concerns=concerns, kind_label=KIND_LABELS[thread.kind],
    ), status  # fmt: skip


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
        changes=display.readable_changes(thread.kind, changes),
        labels=labels, kind_label=KIND_LABELS[thread.kind],
    )  # fmt: skip
