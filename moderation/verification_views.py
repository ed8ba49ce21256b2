"""Asking for a verified role, and confirming the work e-mail."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from auth.session import current_account
from core.extensions import db, limiter
from core.mail import send_mail
from core.urls import absolute_url
from moderation import verification
from moderation.forms import VerificationForm
from moderation.models import RoleRequest
from taxonomy.queries import list_prefectures

bp = Blueprint("verification", __name__)


@bp.route("/settings/verification", methods=["GET", "POST"])
@login_required
@limiter.limit("5 per hour", methods=["POST"])
def request_role():
    roles = {str(r.id): r for r in verification.requestable_roles()}
    form = VerificationForm()
    form.role_id.choices = [SelectChoice(rid, r.name) for rid, r in roles.items()]
    form.prefecture_code.choices = [SelectChoice("", _("選択しない"))] + [
        SelectChoice(p.code, p.name) for p in list_prefectures()
    ]
    if form.validate_on_submit():
        request = verification.request_role(
            current_account(), role=roles[form.role_id.data],
            organisation=form.organisation.data, prefecture_code=form.prefecture_code.data or None,
            municipality=form.municipality.data or "", work_email=form.work_email.data,
        )  # fmt: skip
        db.session.commit()
        token = verification.make_confirmation_token(request)
        link = absolute_url("verification.confirm", token=token)
        send_mail(request.work_email, _("【共創】勤務先メールアドレスの確認"),
                  render_template("moderation/email/verify_work_email.txt", request=request, link=link))  # fmt: skip
        flash(
            _(
                "確認メールを %(email)s に送りました。メールのリンクを開いてください。",
                email=request.work_email,
            ),
            "info",
        )
        return redirect(url_for("verification.request_role"))
    latest = db.session.scalar(
        select(RoleRequest).where(RoleRequest.user_id == current_user.id)
        .order_by(RoleRequest.id.desc()).limit(1)
    )  # fmt: skip
    return render_template("moderation/verification.html", form=form, latest=latest), (
        422 if form.errors else 200
    )


@bp.get("/verify/<token>")
def confirm(token: str):
    request = verification.confirm_work_email(token)
    if request is None:
        flash(_("このリンクは無効か、有効期限が切れています。もう一度申請してください。"), "error")
        return redirect(url_for("verification.request_role"))
    db.session.commit()
    if request.status == "approved":
        flash(
            _("確認できました。「%(role)s」として認証されました。", role=request.role.name),
            "success",
        )
    else:
        flash(_("メールアドレスを確認しました。事務局が確認してから認証します。"), "info")
    return redirect(url_for("auth.profile", handle=request.user.handle))
