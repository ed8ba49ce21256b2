"""Board pages. Views translate HTTP: permission check, form, service call, template/redirect."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from auth.permissions import can, postable_kinds
from auth.session import current_account
from auth.spaces import NATIONAL_SPACE_ID, list_spaces
from core import pagecache
from core.cursors import BadCursor
from core.extensions import limiter
from core.params import db_int
from core.ratelimit import PER_ADDRESS_POSTING, PER_USER_POSTING, user_or_address
from forum import actions, queries, tags, thread_page
from forum.forms import (
    ConfirmForm,
    DiscussionForm,
    EditDiscussionForm,
    EditPostForm,
    MoveThreadForm,
    ReplyForm,
    SplitThreadForm,
)
from forum.models import Post, Thread
from forum.quoting import quote_text
from forum.rendering import render_markdown
from forum.responses import settle, status_code

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


@bp.get("/")
@pagecache.cached()
def index():
    """The national platform's boards, and the prefectural platforms beside it."""
    boards = queries.readable_boards(current_user, space_id=NATIONAL_SPACE_ID)
    return render_template(
        "forum/index.html",
        cross_boards=[b for b in boards if b.kind == "cross"],
        field_boards=[b for b in boards if b.kind == "field"],
        spaces=[s for s in list_spaces() if not s.is_national],
    )


@bp.get("/b/<slug>")
def board(slug: str):
    board = _board_or_404(slug)
    tagged = tags.filters_from(request.args)
    try:
        page = queries.list_threads(
            board,
            cursor=request.args.get("cursor"),
            limit=current_app.config["THREADS_PER_PAGE"],
            tagged=tagged,
        )
    except BadCursor:
        abort(400)
    return render_template(
        "forum/board.html",
        board=board,
        page=page,
        is_first_page=not request.args.get("cursor"),
        can_post=can(current_user, "thread.create", board),
        tagged=tagged,
        filter_args=tags.url_args(tagged),
    )


PREFILL_BODY_MAX = 4000  # a pre-filled body from the URL is cut there


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
    form = DiscussionForm()
    if request.method == "GET":  # pre-filled by a link (「掲示板で質問する」): cut, never trusted
        form.title.data = (request.args.get("title") or "")[:120] or None
        form.body.data = (request.args.get("body") or "")[:PREFILL_BODY_MAX] or None
        prefill = tags.filters_from(request.args)  # the listing's filters become its tags
        form.prefecture.data = prefill.get("prefecture")
        form.life_domains.data = [prefill["domain"]] if "domain" in prefill else []
        form.player_fields.data = [prefill["field"]] if "field" in prefill else []
    preview_html, outcome = None, None
    if form.validate_on_submit():
        if form.preview.data:
            preview_html = render_markdown(form.body.data)
        else:
            outcome = actions.start_thread(
                actor=current_account(), board=board, title=form.title.data, body=form.body.data,
                details=form.tag_fields(), confirmed=form.confirm.data,
            )  # fmt: skip
            response = settle(
                outcome, form=form, done_message=_("スレッドを作成しました。"),
                done_url=url_for("forum.thread", thread_id=getattr(outcome.thread, "id", 0)),
                held_url=url_for("forum.board", slug=board.slug), held_page=True,
            )  # fmt: skip
            if response is not None:
                return response
    concerns = outcome.concerns if outcome else []
    return render_template(
        "forum/new_thread.html", board=board, form=form.load_choices(), preview_html=preview_html,
        concerns=concerns, other_kinds=[k for k in kinds if k != "discussion"],
    ), status_code(outcome, form)  # fmt: skip


@bp.get("/t/<int:thread_id>")
@pagecache.cached(allowed_args=frozenset({"page"}))
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
        view=thread_page.build(thread, page.posts, current_user, first_page=page.page == 1),
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
    preview_html, outcome = None, None
    if request.method == "GET":
        quoted = request.args.get("quote", type=db_int)
        post = queries.get_post(quoted) if quoted else None
        if (
            post is not None
            and post.thread_id == thread.id
            and can(current_user, "post.read", post)
        ):
            form.body.data = quote_text(post)
    elif form.validate_on_submit():
        if form.preview.data:
            preview_html = render_markdown(form.body.data)
        else:
            outcome = actions.reply(
                actor=current_account(), thread=thread, body=form.body.data,
                confirmed=form.confirm.data,
            )  # fmt: skip
            number = getattr(outcome.post, "number", 1)
            page = queries.page_of(number, current_app.config["POSTS_PER_PAGE"])
            response = settle(
                outcome, form=form, done_message=None,
                done_url=_thread_url(thread.id, page, number),
                held_url=url_for("forum.thread", thread_id=thread.id),
            )  # fmt: skip
            if response is not None:
                return response
    concerns = outcome.concerns if outcome else []
    return render_template(
        "forum/reply.html", thread=thread, board=thread.board, form=form,
        preview_html=preview_html, concerns=concerns,
    ), status_code(outcome, form)  # fmt: skip


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
    tagged = post.number == 1  # a discussion's first post carries the thread's tags
    form = EditDiscussionForm() if tagged else EditPostForm()
    preview_html, outcome = None, None
    if request.method == "GET":
        form.body.data = post.body_source
        form.title.data = post.thread.title if post.number == 1 else None
        form.version.data = post.version
        if tagged:
            form.fill_tags(tags.as_fields(post.thread))
    elif form.validate_on_submit():
        if form.preview.data:
            preview_html = render_markdown(form.body.data)
        else:
            outcome = actions.edit_post(
                actor=current_account(), post=post, body=form.body.data,
                title=form.title.data if post.number == 1 else None,
                details=form.tag_fields() if tagged else None,
                base_version=form.version.data, confirmed=form.confirm.data,
            )  # fmt: skip
            response = settle(
                outcome, form=form, done_message=_("投稿を更新しました。"),
                done_url=url_for("forum.permalink", post_id=post.id),
            )  # fmt: skip
            if response is not None:
                return response
    return render_template(
        "forum/edit.html", post=post, thread=post.thread,
        form=form.load_choices() if tagged else form, preview_html=preview_html,
        concerns=outcome.concerns if outcome else [],
        current_post=post if outcome is not None and outcome.status == "conflict" else None,
    ), status_code(outcome, form)  # fmt: skip


@bp.route("/p/<int:post_id>/delete", methods=["GET", "POST"])
@login_required
def delete(post_id: int):
    post = _post_or_404(post_id)
    if not can(current_user, "post.delete", post):
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit():
        thread = post.thread
        outcome = actions.delete_post(actor=current_account(), post=post)
        if post.number == 1:
            return settle(outcome, done_message=_("スレッドを削除しました。"),
                          done_url=url_for("forum.board", slug=thread.board.slug))  # fmt: skip
        return settle(outcome, done_message=_("投稿を削除しました。"),
                      done_url=url_for("forum.permalink", post_id=post.id))  # fmt: skip
    return render_template("forum/delete.html", post=post, thread=post.thread, form=form)


@bp.get("/p/<int:post_id>/revisions")
def revisions(post_id: int):
    post = _post_or_404(post_id)
    if not can(current_user, "post.revisions", post):
        abort(404)
    return render_template(
        "forum/revisions.html",
        post=post,
        thread=post.thread,
        revisions=queries.list_revisions(post),
        can_redact=can(current_user, "thread.moderate", post.thread),
        form=ConfirmForm(),
    )


@bp.post("/p/<int:post_id>/revisions/<int:revision_id>/redact")
@login_required
def redact_revision(post_id: int, revision_id: int):
    post = _post_or_404(post_id)
    revision = queries.get_revision(post, revision_id)
    if revision is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    outcome = actions.redact_revision(actor=current_account(), revision=revision,
                                      thread=post.thread, target_kind="post_revision",
                                      reason=request.form.get("reason", "")[:500])  # fmt: skip
    return settle(outcome, done_message=_("この版を非表示にしました。記録は監査ログに残ります。"),
                  done_url=url_for("forum.revisions", post_id=post.id))  # fmt: skip


@bp.post("/t/<int:thread_id>/moderate")
@login_required
def moderate(thread_id: int):
    thread = _thread_or_404(thread_id)
    if not can(current_user, "thread.moderate", thread):
        abort(403)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = actions.set_thread_state(
        actor=current_account(), thread=thread, action=request.form.get("action", "")
    )
    if outcome.status == "invalid":
        abort(400)
    return settle(outcome, done_message=_("スレッドの設定を変更しました。"),
                  done_url=url_for("forum.thread", thread_id=thread.id))  # fmt: skip


@bp.route("/t/<int:thread_id>/move", methods=["GET", "POST"])
@login_required
def move(thread_id: int):
    thread = _thread_or_404(thread_id)
    if not can(current_user, "thread.moderate", thread):
        abort(403)
    boards = [b for b in queries.list_boards()
              if b.id != thread.board_id and can(current_user, "board.moderate", b)]
    form = MoveThreadForm()
    form.board.choices = [SelectChoice(b.slug, b.name) for b in boards]
    if form.validate_on_submit():
        target = queries.get_board(form.board.data)
        outcome = actions.move_thread(actor=current_account(), thread=thread, to=target)
        return settle(outcome, done_url=url_for("forum.thread", thread_id=thread.id),
                      done_message=_("スレッドを「%(board)s」に移動しました。", board=target.name))  # fmt: skip
    return render_template("forum/move.html", thread=thread, form=form), status_code(None, form)


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
        outcome = actions.split_thread(actor=current_account(), thread=thread,
                                       numbers=form.numbers.data, title=form.title.data)  # fmt: skip
        response = settle(outcome, form=form, done_message=_("返信を新しいスレッドに分けました。"),
                          done_url=url_for("forum.thread", thread_id=getattr(outcome.thread, "id", 0)))  # fmt: skip
        if response is not None:
            return response
    return render_template(
        "forum/split.html", thread=thread, form=form, replies=replies
    ), status_code(None, form)
