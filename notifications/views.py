"""Notification pages: the centre, tracked threads with their unread counts, settings (e-mail, auto-watch, mutes), watch levels of a
thread / board / tag, event RSVP, one-click unsubscribe."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.accounts import find_user_by_handle
from auth.permissions import can
from core.cursors import BadCursor
from core.extensions import csrf, db, limiter
from core.params import db_int
from core.ratelimit import PER_USER_POSTING, user_or_address
from core.urls import safe_next_url
from forum import queries
from notifications import inbox, mailing, reading, reminders, targets, watching
from notifications.forms import ButtonForm, MuteForm, SettingsForm
from notifications.kinds import KIND_LABELS, KINDS, LEVEL_LABELS
from notifications.models import RSVP_STATUSES, Notification
from notifications.presenting import present

bp = Blueprint("notifications", __name__)
UNREAD_SHOWN = 100


@bp.get("/notifications")
@login_required
def centre():
    """Unread first (newest activity first), then the read ones, keyset-paginated."""
    cursor = request.args.get("cursor")
    unread = [] if cursor else inbox.list_page(current_user.id, unread_only=True,
                                               limit=UNREAD_SHOWN).items  # fmt: skip
    try:
        read = inbox.list_page(current_user.id, read_only=True, cursor=cursor, limit=30)
    except BadCursor:
        abort(400)
    shown = present(unread + read.items)
    return render_template(
        "notifications/centre.html",
        unread=shown[: len(unread)],
        read=shown[len(unread) :],
        next_cursor=read.next_cursor,
        form=ButtonForm(),
    )


@bp.get("/notifications/tracking")
@login_required
def tracking():
    """追跡中のスレッド: the threads one tracks or watches, newest activity first, with 新着 N."""
    try:
        page = reading.tracked_page(current_user.id, cursor=request.args.get("cursor"), limit=30)
    except BadCursor:
        abort(400)
    items = [i for i in page.items if can(current_user, "thread.view", i.thread)]
    return render_template(
        "notifications/tracking.html", items=items, next_cursor=page.next_cursor,
        is_first_page=not request.args.get("cursor"),
    )  # fmt: skip


@bp.post("/notifications/read")
@login_required
def mark_read():
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    if request.form.get("all"):
        inbox.mark_all_read(current_user.id)
        flash(_("すべて既読にしました。"), "success")
    else:
        inbox.mark_read(current_user.id, [request.form.get("id", 0, type=db_int)])
    db.session.commit()
    return redirect(url_for("notifications.centre"))


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int):
    """Mark one read and go to what it is about."""
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    n = db.session.get(Notification, notification_id)
    if n is None or n.user_id != current_user.id:
        abort(404)
    inbox.mark_read(current_user.id, [n.id])
    db.session.commit()
    return redirect(present([n])[0].url)


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    row = watching.settings_for(current_user.id)
    form = SettingsForm(obj=None)
    if request.method == "GET":
        form.auto_watch_start.data = row.auto_watch_start
        form.auto_watch_reply.data = row.auto_watch_reply
        for kind in KINDS:
            form[f"email_{kind}"].data = watching.email_mode(row, kind)
    elif form.validate_on_submit():
        watching.save_settings(
            current_user,
            email_modes={kind: form[f"email_{kind}"].data for kind in KINDS},
            auto_watch_start=form.auto_watch_start.data,
            auto_watch_reply=form.auto_watch_reply.data,
        )
        db.session.commit()
        flash(_("通知の設定を保存しました。"), "success")
        return redirect(url_for("notifications.settings"))
    return _settings_page(form, MuteForm(prefix="mute"))


def _settings_page(form: SettingsForm, mute_form: MuteForm, status: int = 200):
    return render_template(
        "notifications/settings.html", form=form, mute_form=mute_form,
        email_fields=[form[f"email_{kind}"] for kind in KINDS],
        mutes=watching.list_mutes(current_user), button=ButtonForm(),
    ), status  # fmt: skip


@bp.post("/notifications/mutes")
@login_required
def add_mute():
    mute_form = MuteForm(prefix="mute")
    if mute_form.validate_on_submit():
        other = find_user_by_handle(mute_form.handle.data.lstrip("@"))
        if other is None:
            mute_form.handle.errors.append(_("そのハンドル名の人は見つかりません。"))
        elif other.id == current_user.id:
            mute_form.handle.errors.append(_("自分はミュートできません。"))
        else:
            watching.mute_user(current_user, other)
            db.session.commit()
            flash(_("%(name)sさんをミュートしました。", name=other.display_name), "success")
            return redirect(url_for("notifications.settings"))
    row = watching.settings_for(current_user.id)
    form = SettingsForm(formdata=None)
    form.auto_watch_start.data = row.auto_watch_start
    form.auto_watch_reply.data = row.auto_watch_reply
    for kind in KINDS:
        form[f"email_{kind}"].data = watching.email_mode(row, kind)
    return _settings_page(form, mute_form, 422)


@bp.post("/notifications/mutes/<int:user_id>/delete")
@login_required
def remove_mute(user_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    watching.unmute_user(current_user, user_id)
    db.session.commit()
    flash(_("ミュートを解除しました。"), "success")
    return redirect(url_for("notifications.settings"))


@bp.post("/notifications/watch/<target_kind>/<key>")
@login_required
@limiter.limit(PER_USER_POSTING, key_func=user_or_address)
def set_watch(target_kind: str, key: str):
    if not ButtonForm().validate_on_submit():
        abort(400)
    found = targets.resolve(target_kind, key)
    if found is None or not targets.may_watch(current_user, target_kind, found[0]):
        abort(404)
    target, key = found
    level = request.form.get("level", "")
    if level not in watching.levels_for(target_kind):
        abort(400)
    watching.set_level(current_user, target_kind, key, level)
    db.session.commit()
    flash(_("通知の設定を「%(level)s」にしました。", level=LEVEL_LABELS[level]), "success")
    return redirect(safe_next_url(request.form.get("next")) or targets.url_of(target_kind, target))


@bp.post("/t/<int:thread_id>/rsvp")
@login_required
@limiter.limit(PER_USER_POSTING, key_func=user_or_address)
def rsvp(thread_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    thread = queries.get_thread(thread_id)
    if thread is None or not can(current_user, "thread.view", thread):
        abort(404)
    if not can(current_user, "event.rsvp", thread):
        abort(403)
    status = request.form.get("status")
    reminders.set_rsvp(current_user, thread, status if status in RSVP_STATUSES else None)
    db.session.commit()
    return redirect(url_for("forum.thread", thread_id=thread.id))


@bp.get("/notifications/unsubscribe/<token>")
def unsubscribe(token: str):
    """Shows what will be stopped; the button (or the mail client's one-click POST) does it."""
    found = mailing.read_unsubscribe_token(token)
    return render_template(
        "notifications/unsubscribe.html", valid=found is not None, token=token,
        kind_label=KIND_LABELS.get(found[1]) if found else None, done=False,
    ), 200 if found else 400  # fmt: skip


@bp.post("/notifications/unsubscribe/<token>")
@csrf.exempt  # RFC 8058 one-click: the mail client posts without a CSRF token; the signed token
# is the authorisation
def unsubscribe_post(token: str):
    found = mailing.read_unsubscribe_token(token)
    if found is None:
        return render_template("notifications/unsubscribe.html", valid=False, token=token,
                               kind_label=None, done=False), 400  # fmt: skip
    mailing.unsubscribe(*found)
    db.session.commit()
    return render_template(
        "notifications/unsubscribe.html", valid=True, token=token,
        kind_label=KIND_LABELS.get(found[1]), done=True,
    )  # fmt: skip
