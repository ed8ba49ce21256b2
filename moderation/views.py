"""Moderation pages: flag a post, the review queue and its decisions, sanctions, watched words,
the audit log. Views only translate HTTP; permissions come from auth.permissions.can."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from audit import log as audit
from audit import wording as audit_wording
from auth import accounts
from auth.permissions import can
from auth.session import current_account
from core.extensions import db, limiter
from core.params import db_int
from core.ratelimit import user_or_address
from core.types import utcnow
from forum import queries as forum_queries
from forum.forms import ConfirmForm
from moderation import actions, flags, history, queue, watched, wording
from moderation.forms import (
    DecisionForm,
    FlagForm,
    NoteForm,
    SanctionForm,
    WatchedWordForm,
    flag_reason_choices,
)
from moderation.history import author_histories
from moderation.models import ModerationItem, WatchedWord

bp = Blueprint("moderation", __name__)


@bp.route("/p/<int:post_id>/flag", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per hour", key_func=user_or_address, methods=["POST"])
def flag(post_id: int):
    post = forum_queries.get_post(post_id)
    if post is None or not _visible(post):
        abort(404)
    if not can(current_user, "post.flag", post):
        abort(403)
    form = FlagForm()
    if form.validate_on_submit():
        try:
            flags.flag_post(
                post, user=current_account(), reason=form.reason.data, message=form.message.data
            )
            db.session.commit()
        except flags.FlagRefused as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        except IntegrityError:  # two submits at once: the unique constraint decides
            db.session.rollback()
            form.form_errors.append(_("この投稿はすでに通報済みです。"))
        else:
            flash(
                _("通報ありがとうございました。モデレーターが確認します。結果はお知らせします。"),
                "success",
            )
            return redirect(url_for("forum.permalink", post_id=post.id))
    return render_template("moderation/flag.html", form=form, post=post, thread=post.thread), (
        422 if form.errors else 200
    )


def _visible(post) -> bool:
    if not can(current_user, "thread.view", post.thread):
        return False
    return not post.is_hidden or can(current_user, "post.view_hidden", post)


@bp.get("/moderation/queue")
@login_required
def review_queue():
    if not can(current_user, "moderation.review"):
        abort(403)
    filters, board, _bad = queue.filters_from(request.args, current_user)  # bad: the default
    items = queue.list_queue(**filters)
    status, kind, reason = filters["status"], filters["kind"], filters["reason"]
    older = filters["older_than_hours"]
    return render_template(
        "moderation/queue.html", items=items, status=status, kind=kind,
        histories=author_histories(items), form=DecisionForm(), followup=_followup(),
        flags_by_post=history.open_flags_by_post(items),
        reason_labels={c.value: c.label for c in flag_reason_choices()},
        boards=_filter_boards(filters), board=board, reason=reason, older=older,
        choices=wording.choices, kind_label=wording.kind_label, done_label=wording.done_label,
        reason_hint=wording.reason_hint, priority=queue.priority,
        priority_label=wording.priority_label, high_priority=queue.HIGH_PRIORITY,
        medium_priority=queue.MEDIUM_PRIORITY,
    )  # fmt: skip


_FOLLOWUP = "moderation.followup"


def _followup() -> ModerationItem | None:
    """The flagged post just hidden or deleted whose author the moderator may sanction next:
    offered once, after the decision, as a separate step."""
    item_id = session.pop(_FOLLOWUP, None)
    item = db.session.get(ModerationItem, item_id) if isinstance(item_id, int) else None
    if item is None or item.subject_user is None:
        return None
    return item if can(current_user, "user.sanction", item.subject_user) else None


def review_count() -> int | None:
    """The header's one queue entry: for reviewers, how many items wait (None for others)."""
    if not current_user.is_authenticated or not can(current_user, "moderation.review"):
        return None
    return queue.pending_count(current_user)


def _filter_boards(filters: dict) -> list:
    """The queue's board filter names only the boards this reviewer reviews."""
    boards = forum_queries.list_boards()
    scope = filters["board_ids"]
    return boards if scope is None else [b for b in boards if b.id in scope]


@bp.post("/moderation/items/<int:item_id>/decide")
@login_required
def decide(item_id: int):
    if not can(current_user, "moderation.review"):
        abort(403)
    item = db.session.get(ModerationItem, item_id)
    if item is None:
        abort(404)
    back = url_for("moderation.review_queue", _anchor=f"item-{item.id}")
    form = DecisionForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors or form.version.errors:
            abort(400)
        if form.reason.errors:
            flash(_("理由は1000文字以内で入力してください。"), "error")
        else:  # no outcome chosen
            flash(_("対応を選んでから「この対応で決定する」を押してください。"), "error")
        return redirect(back), 303
    was_hidden = item.post is not None and item.post.is_hidden
    action = form.action.data
    try:
        queue.decide(item, moderator=current_account(), action=action, version=form.version.data,
                     reason=form.reason.data or "")  # fmt: skip
        db.session.commit()
    except queue.Forbidden:
        db.session.rollback()
        abort(403)
    except queue.IllegalAction:
        db.session.rollback()
        abort(400)
    except queue.Outdated as outdated:
        db.session.rollback()
        flash(outdated.message, "error")
        return redirect(url_for("moderation.review_queue")), 303
    except queue.Conflict:
        db.session.rollback()
        flash(_("ほかのモデレーターがすでに対応しました。最新の状態を確認してください。"), "error")
        return redirect(url_for("moderation.review_queue")), 303
    flash(wording.result_message(item, action, was_hidden=was_hidden), "success")
    if item.kind == "flagged_post" and action in ("agree_hide", "agree_delete", "delete"):
        session[_FOLLOWUP] = item.id  # the author's sanction: a separate, later step
    return redirect(url_for("moderation.review_queue"))


def _item_for_reviewer(item_id: int) -> ModerationItem:
    if not can(current_user, "moderation.review"):
        abort(403)
    item = db.session.get(ModerationItem, item_id) or abort(404)
    if not can(current_user, "moderation.decide", item):
        abort(403)
    return item


@bp.post("/moderation/items/<int:item_id>/claim")
@login_required
def claim(item_id: int):
    item = _item_for_reviewer(item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    queue.claim(item, moderator=current_account())
    db.session.commit()
    return redirect(url_for("moderation.review_queue", _anchor=f"item-{item.id}"))


@bp.post("/moderation/items/<int:item_id>/notes")
@login_required
def add_note(item_id: int):
    item = _item_for_reviewer(item_id)
    form = NoteForm()
    if form.validate_on_submit():
        queue.add_note(item, author=current_account(), body=form.body.data)
        db.session.commit()
    else:
        flash(_("メモを入力してください（1000文字以内）。"), "error")
    return redirect(url_for("moderation.review_queue", _anchor=f"item-{item.id}"))


@bp.route("/moderation/users/<handle>/sanction", methods=["GET", "POST"])
@login_required
def sanction(handle: str):
    if not can(current_user, "user.sanction"):
        abort(403)
    user = accounts.find_user_by_handle(handle) or abort(404)
    if not can(current_user, "user.sanction", user):
        abort(403)
    # reached from a queue item (the later step after hiding or deleting a post): say which
    # post, and go back to the queue afterwards
    item = db.session.get(ModerationItem, request.args.get("item", type=db_int) or 0)
    if item is not None and (
        item.subject_user_id != user.id
        or item.kind != "flagged_post"
        or not can(current_user, "moderation.decide", item)
    ):
        item = None
    form = SanctionForm()
    if form.validate_on_submit():
        until = utcnow() + timedelta(days=form.days.data) if form.days.data else None
        if form.kind.data == "suspend":
            actions.suspend_user(
                user, actor=current_account(), until=until, reason=form.reason.data
            )
        elif form.kind.data == "silence":
            actions.silence_user(
                user, actor=current_account(), until=until, reason=form.reason.data
            )
        else:
            actions.lift_sanctions(user, actor=current_account(), reason=form.reason.data)
        db.session.commit()
        flash(wording.sanction_message(user, form.kind.data, form.days.data), "success")
        if item is not None:
            return redirect(url_for("moderation.review_queue"))
        return redirect(url_for("auth.profile", handle=user.handle))
    return render_template(
        "moderation/sanction.html", form=form, user=user, item=item,
        post_reference=wording.post_reference(item) if item is not None else "",
    ), (422 if form.errors else 200)  # fmt: skip


@bp.route("/moderation/watched-words", methods=["GET", "POST"])
@login_required
def watched_words():
    if not can(current_user, "moderation.manage"):
        abort(403)
    form = WatchedWordForm()
    if form.validate_on_submit():
        saved = _save_watched_word(form, watched.add_watched_word, _("登録しました。"))
        if saved is not None:
            return saved
    return render_template(
        "moderation/watched_words.html", form=form, words=watched.list_watched_words(),
        is_valid=watched.is_valid,
    ), (422 if form.errors else 200)  # fmt: skip


def _save_watched_word(form, save, message: str):
    """Run the watched-word service with the form's values: redirect when saved, or put its
    Japanese message on the field and return None (the form is shown again)."""
    try:
        save(actor=current_account(), word=form.word.data, action=form.action.data,
             is_regex=form.is_regex.data)  # fmt: skip
    except watched.WatchedWordError as exc:
        db.session.rollback()
        getattr(form, exc.field).errors.append(exc.message)
        return None
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("moderation.watched_words"))


def _watched_word(word_id: int) -> WatchedWord:
    if not can(current_user, "moderation.manage"):
        abort(403)
    return db.session.get(WatchedWord, word_id) or abort(404)


@bp.route("/moderation/watched-words/<int:word_id>/edit", methods=["GET", "POST"])
@login_required
def edit_watched_word(word_id: int):
    entry = _watched_word(word_id)
    form = WatchedWordForm(obj=entry)
    if form.validate_on_submit():
        saved = _save_watched_word(
            form, lambda **values: watched.update_watched_word(entry, **values), _("変更しました。")
        )
        if saved is not None:
            return saved
    return render_template(
        "moderation/watched_word_edit.html", form=form, entry=entry, valid=watched.is_valid(entry)
    ), (422 if form.errors else 200)


@bp.post("/moderation/watched-words/<int:word_id>/delete")
@login_required
def delete_watched_word(word_id: int):
    entry = _watched_word(word_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    watched.delete_watched_word(entry, actor=current_account())
    db.session.commit()
    flash(_("削除しました。"), "success")
    return redirect(url_for("moderation.watched_words"))


@bp.get("/moderation/audit")
@login_required
def audit_log():
    if not can(current_user, "audit.view"):
        abort(403)
    action = request.args.get("action") or None
    if request.args.get("format") == "csv":
        entries = audit.list_entries(action=action, limit=100_000)
        filename = f"kyoso-audit-{utcnow():%Y%m%d}.csv"
        return Response(
            "\ufeff" + audit.export_csv(entries),  # BOM: Excel opens UTF-8 Japanese correctly
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    before = request.args.get("before", type=db_int)
    entries = audit.list_entries(action=action, before_id=before)
    return render_template("moderation/audit.html", entries=entries, action=action,
                           action_label=audit_wording.action_label,
                           target_label=audit_wording.target_label)  # fmt: skip


@bp.get("/settings/moderation")
@login_required
def my_moderation():
    """What happened to my held posts and to my flags (thanks, and the outcome)."""
    held = history.held_posts_of(current_user.id)
    return render_template(
        "moderation/mine.html",
        held=held,
        pending_count=sum(item.status == "pending" for _held, item in held),
        flags=history.flags_of(current_user.id),
        reason_labels={c.value: c.label for c in flag_reason_choices()},
        review_hours=current_app.config["MODERATION_EXPECTED_REVIEW_HOURS"],
    )


@bp.get("/settings/moderation/held/<int:held_id>")
@login_required
def held_post(held_id: int):
    """「確認待ち」: what the author sent and is waiting for review, the review time the site aims
    for, and its status (where a held new thread lands; its author's only)."""
    found = history.held_post_of(current_user.id, held_id)
    if found is None:
        abort(404)
    held, item = found
    return render_template(
        "moderation/held.html", held=held, item=item,
        review_hours=current_app.config["MODERATION_EXPECTED_REVIEW_HOURS"],
    )  # fmt: skip
