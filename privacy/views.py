"""The privacy pages: the policy's data section (/privacy, from the inventory), and in the settings
the member's data — download it (開示), see what others see, and leave (退会). Views only
translate HTTP; the operations are ``privacy.exporting`` and ``privacy.erasure``."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from auth import accounts, session
from auth.session import current_account
from core.extensions import db, limiter
from privacy import erasure, exporting
from privacy.forms import LeaveForm
from privacy.inventory import INVENTORY

bp = Blueprint("privacy", __name__)
EXPORT_LIMIT = "10 per hour"


@bp.get("/privacy")
def policy():
    return render_template(
        "privacy/policy.html",
        entries=INVENTORY,
    )


def _settings(form: LeaveForm | None = None, status: int = 200):
    return render_template(
        "privacy/settings.html", form=form or LeaveForm(formdata=None), user=current_account()
    ), status


@bp.get("/settings/privacy")
@login_required
def settings():
    return _settings()


@bp.get("/settings/privacy/export")
@login_required
@limiter.limit(EXPORT_LIMIT)
def export():
    data = exporting.archive_for(current_account())
    return Response(
        data,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{exporting.ARCHIVE_NAME}"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/settings/privacy/leave")
@login_required
@limiter.limit("10 per hour")
def leave():
    form = LeaveForm()
    if not form.validate_on_submit():
        return _settings(form, 422)
    user = current_account()
    try:
        erasure.erase_account(
            user,
            by=user,
            password=form.password.data,
            confirmed=form.confirm.data,
            erase_posts=form.erase_posts.data,
        )
    except erasure.ErasureRefused as exc:
        db.session.rollback()
        if exc.field is not None:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            form.form_errors.append(exc.message)
        return _settings(form, 422)
    db.session.commit()
    session.log_out()
    flash(_("退会しました。ご利用ありがとうございました。"), "success")
    return redirect(url_for("forum.index"))


@bp.post("/settings/privacy/consent")
@login_required
def consent():
    """Accept the current version of the terms and privacy policy (after a revision)."""
    accounts.accept_terms(current_account(), current_app.config["TERMS_VERSION"])
    db.session.commit()
    flash(_("改定後のプライバシーポリシーに同意しました。"), "success")
    return redirect(url_for("privacy.settings"))
