"""Board pages. Views translate HTTP: permission check, form, service call, template/redirect."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from audit.log import record_action
from auth.permissions import can, postable_kinds
from auth.session import current_account
from core.extensions import db, limiter
from core.params import db_int
from core.ratelimit import PER_ADDRESS_POSTING, PER_USER_POSTING, user_or_address
from forum import moving, posting, publishing, queries
from forum.forms import (
    ConfirmForm,
    EditPostForm,
    MoveThreadForm,
    ReplyForm,
    SplitThreadForm,
    ThreadForm,
)
from forum.models import Post, Thread
from forum.publishing import Draft
from forum.quoting import quote_text
from forum.rendering import render_markdown

bp = Blueprint("forum", __name__)


def _board_or_404(slug: str):
    board = queries.get_board(slug)
    if board is None or not can(current_user, "board.view", board):
        abort(404)
    return board


def _thread_or_404(thread_id: int) -> Thread:
    thread = queries.get_thread(thread_id)
    if thread is None or not can(current_user, "thread.view", thread):
        abort(404)
    return thread


def _post_or_404(post_id: int) -> Post:
    post = queries.get_post(post_id)
    if post is None or not can(current_user, "thread.view", post.thread):
        abort(404)
    return post


def _status(form, concerns=()) -> int:
    return 422 if form.errors or concerns else 200


@bp.get("/")
def index():
    boards = queries.list_boards()
    return render_template(
        "forum/index.html",
        cross_boards=[b for b in boards if b.kind == "cross"],
        field_boards=[b for b in boards if b.kind == "field"],
    )


@bp.get("/b/<slug>")
def board(slug: str):
    board = _board_or_404(slug)
    try:
        page = queries.list_threads(
            board,
            cursor=request.args.get("cursor"),
            limit=current_app.config["THREADS_PER_PAGE"],
        )
    except queries.BadCursor:
        abort(400)
    return render_template(
        "forum/board.html",
        board=board,
        page=page,
        is_first_page=not request.args.get("cursor"),
        can_post=can(current_user, "thread.create", board),
    )


@bp.route("/b/<slug>/new", methods=["GET", "POST"])
@login_required
@limiter.limit(PER_USER_POSTING, key_func=user_or_address, methods=["POST"])
@limiter.limit(PER_ADDRESS_POSTING, methods=["POST"])
def new_thread(slug: str):
    board = _board_or_404(slug)
    kinds = postable_kinds(current_user, board)
    wanted = request.args.get("type") or (board.default_kind if request.method == "GET" else None)
    if wanted and wanted != "discussion" and wanted in kinds:
        # structured kinds have their own form (the structured package)
        return redirect(url_for("structured.new_thread", slug=board.slug, kind=wanted))
    if not can(current_user, "thread.create", board):
        abort(403)
    form = ThreadForm()
    preview_html, concerns = None, []
    if form.validate_on_submit():
        if form.preview.data:
            preview_html = render_markdown(form.body.data)
        else:
            draft = Draft(
                author=current_account(), board=board, title=form.title.data, body=form.body.data
            )
            outcome = publishing.submit(draft, confirmed=form.confirm.data)
            if outcome.status == "published":
                db.session.commit()
                flash(_("スレッドを作成しました。"), "success")
                return redirect(url_for("forum.thread", thread_id=outcome.thread.id))
            if outcome.status == "held":
                db.session.commit()
                flash(publishing.held_message(), "info")
                return redirect(url_for("forum.board", slug=board.slug))
            concerns = outcome.concerns
    return render_template(
        "forum/new_thread.html", board=board, form=form, preview_html=preview_html,
        concerns=concerns, other_kinds=[k for k in kinds if k != "discussion"],
    ), _status(form, concerns)  # fmt: skip


@bp.get("/t/<int:thread_id>")
def thread(thread_id: int):
    thread = _thread_or_404(thread_id)
    per_page = current_app.config["POSTS_PER_PAGE"]
    page = queries.list_posts_page(
        thread, page=request.args.get("page", 1, type=int), per_page=per_page
    )
    can_reply = can(current_user, "thread.reply", thread)
    return render_template(
        "forum/thread.html",
        thread=thread,
        board=thread.board,
        page=page,
        form=ReplyForm() if can_reply else None,
        can_reply=can_reply,
        confirm_form=ConfirmForm(),
    )


@bp.get("/t/<int:thread_id>/<int:number>")
def post_in_thread(thread_id: int, number: int):
    thread = _thread_or_404(thread_id)
    if number < 1 or number > thread.last_number:
        abort(404)
    page = queries.page_of(number, current_app.config["POSTS_PER_PAGE"])
    return redirect(_thread_url(thread.id, page, number))


@bp.get("/p/<int:post_id>")
def permalink(post_id: int):
    post = _post_or_404(post_id)
    page = queries.page_of(post.number, current_app.config["POSTS_PER_PAGE"])
    return redirect(_thread_url(post.thread_id, page, post.number))


def _thread_url(thread_id: int, page: int, number: int | None = None) -> str:
    anchor = f"p{number}" if number else None
    if page > 1:
        return url_for("forum.thread", thread_id=thread_id, page=page, _anchor=anchor)
    return url_for("forum.thread", thread_id=thread_id, _anchor=anchor)


@bp.route("/t/<int:thread_id>/reply", methods=["GET", "POST"])
@login_required
@limiter.limit(PER_USER_POSTING, key_func=user_or_address, methods=["POST"])
@limiter.limit(PER_ADDRESS_POSTING, methods=["POST"])
def reply(thread_id: int):
    thread = _thread_or_404(thread_id)
    if not can(current_user, "thread.reply", thread):
        abort(403)
    form = ReplyForm()
    preview_html, concerns = None, []
    if request.method == "GET":
        quoted = request.args.get("quote", type=db_int)
        if quoted:
            post = queries.get_post(quoted)
            if post is not None and post.thread_id == thread.id and not post.is_deleted:
                form.body.data = quote_text(post)
    elif form.validate_on_submit():
        if form.preview.data:
            preview_html = render_markdown(form.body.data)
        else:
            draft = Draft(
                author=current_account(), board=thread.board, thread=thread, body=form.body.data
            )
            outcome = publishing.submit(draft, confirmed=form.confirm.data)
            if outcome.status == "published":
                db.session.commit()
                page = queries.page_of(outcome.post.number, current_app.config["POSTS_PER_PAGE"])
                return redirect(_thread_url(thread.id, page, outcome.post.number))
            if outcome.status == "held":
                db.session.commit()
                flash(publishing.held_message(), "info")
                return redirect(url_for("forum.thread", thread_id=thread.id))
            concerns = outcome.concerns
    return render_template(
        "forum/reply.html", thread=thread, board=thread.board, form=form,
        preview_html=preview_html, concerns=concerns,
    ), _status(form, concerns)  # fmt: skip


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(PER_USER_POSTING, key_func=user_or_address, methods=["POST"])
@limiter.limit(PER_ADDRESS_POSTING, methods=["POST"])
def edit(post_id: int):
    post = _post_or_404(post_id)
    if not can(current_user, "post.edit", post):
        abort(403)
    if post.number == 1 and post.thread.kind != "discussion":
        return redirect(url_for("structured.edit", thread_id=post.thread_id))
    form = EditPostForm()
    preview_html, concerns = None, []
    if request.method == "GET":
        form.body.data = post.body_source
        form.title.data = post.thread.title if post.number == 1 else None
    elif form.validate_on_submit():
        if form.preview.data:
            preview_html = render_markdown(form.body.data)
        elif post.number == 1 and len((form.title.data or "").strip()) < 2:
            form.title.errors.append(_("タイトルは2文字以上120文字以内にしてください。"))
        else:
            draft = Draft(
                author=current_account(), board=post.thread.board, thread=post.thread, post=post,
                body=form.body.data, title=form.title.data if post.number == 1 else None,
            )  # fmt: skip
            before = {"body": post.body_source, "title": post.thread.title}
            outcome = publishing.submit(draft, confirmed=form.confirm.data)
            if outcome.status in ("published", "held"):
                if outcome.status == "published" and post.author_id != current_user.id:
                    record_action(current_account(), "post.edit", "post", post.id, before=before,
                                  after={"body": post.body_source, "title": post.thread.title})  # fmt: skip
                db.session.commit()
                flash(_("投稿を更新しました。") if outcome.status == "published" else publishing.held_message(),
                      "success" if outcome.status == "published" else "info")  # fmt: skip
                return redirect(url_for("forum.permalink", post_id=post.id))
            concerns = outcome.concerns
    return render_template(
        "forum/edit.html", post=post, thread=post.thread, form=form, preview_html=preview_html,
        concerns=concerns,
    ), _status(form, concerns)  # fmt: skip


@bp.route("/p/<int:post_id>/delete", methods=["GET", "POST"])
@login_required
def delete(post_id: int):
    post = _post_or_404(post_id)
    if not can(current_user, "post.delete", post):
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit():
        thread = post.thread
        posting.delete_post(post=post, actor=current_user)
        if post.author_id != current_user.id:
            record_action(
                current_account(), "post.delete", "post", post.id, before={"body": post.body_source}
            )
        db.session.commit()
        if post.number == 1:
            flash(_("スレッドを削除しました。"), "success")
            return redirect(url_for("forum.board", slug=thread.board.slug))
        flash(_("投稿を削除しました。"), "success")
        return redirect(url_for("forum.permalink", post_id=post.id))
    return render_template("forum/delete.html", post=post, thread=post.thread, form=form)


@bp.get("/p/<int:post_id>/revisions")
def revisions(post_id: int):
    post = _post_or_404(post_id)
    if not can(current_user, "post.revisions", post):
        abort(403)
    return render_template(
        "forum/revisions.html",
        post=post,
        thread=post.thread,
        revisions=queries.list_revisions(post),
    )


@bp.post("/t/<int:thread_id>/moderate")
@login_required
def moderate(thread_id: int):
    thread = _thread_or_404(thread_id)
    if not can(current_user, "thread.moderate", thread):
        abort(403)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    action = request.form.get("action")
    changes = {
        "pin": {"is_pinned": True},
        "unpin": {"is_pinned": False},
        "lock": {"is_locked": True},
        "unlock": {"is_locked": False},
    }.get(action)
    if changes is None:
        abort(400)
    posting.set_thread_flags(thread=thread, **changes)
    record_action(current_account(), f"thread.{action}", "thread", thread.id)
    db.session.commit()
    flash(_("スレッドの設定を変更しました。"), "success")
    return redirect(url_for("forum.thread", thread_id=thread.id))


@bp.route("/t/<int:thread_id>/move", methods=["GET", "POST"])
@login_required
def move(thread_id: int):
    thread = _thread_or_404(thread_id)
    if not can(current_user, "thread.moderate", thread):
        abort(403)
    boards = [b for b in queries.list_boards() if b.id != thread.board_id]
    form = MoveThreadForm()
    form.board.choices = [SelectChoice(b.slug, b.name) for b in boards]
    if form.validate_on_submit():
        target = queries.get_board(form.board.data)
        moving.move_thread(thread, to=target, actor=current_account())
        db.session.commit()
        flash(_("スレッドを「%(board)s」に移動しました。", board=target.name), "success")
        return redirect(url_for("forum.thread", thread_id=thread.id))
    return render_template("forum/move.html", thread=thread, form=form), _status(form)


@bp.route("/t/<int:thread_id>/split", methods=["GET", "POST"])
@login_required
def split(thread_id: int):
    thread = _thread_or_404(thread_id)
    if not can(current_user, "thread.moderate", thread):
        abort(403)
    form = SplitThreadForm()
    replies = queries.list_posts_after(thread, after=1, limit=500)
    form.numbers.choices = [SelectChoice(p.number, f"#{p.number}") for p in replies]
    if form.validate_on_submit():
        new = moving.split_thread(thread, numbers=form.numbers.data, title=form.title.data,
                                  actor=current_account())  # fmt: skip
        db.session.commit()
        flash(_("返信を新しいスレッドに分けました。"), "success")
        return redirect(url_for("forum.thread", thread_id=new.id))
    return render_template("forum/split.html", thread=thread, form=form, replies=replies), _status(
        form
    )
