"""Asking for a verified role, and confirming the work e-mail (signed in, as the requester)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
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
        try:
            role_request = verification.request_role(
                current_account(), role=roles[form.role_id.data],
                organisation=form.organisation.data,
                prefecture_code=form.prefecture_code.data or None,
                municipality=form.municipality.data or "", work_email=form.work_email.data,
            )  # fmt: skip
        except verification.VerificationRefused as exc:
            form.work_email.errors.append(exc.message)
        else:
            db.session.commit()
            _send_confirmation(role_request)
            flash(
                _(
                    "確認メールを %(email)s に送りました。このアカウントでログインしたまま、"
                    "メールのリンクを開いてください。",
                    email=role_request.work_email,
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


def _send_confirmation(role_request: RoleRequest) -> None:
    """Only the site's wording and the requester's handle: nothing the requester typed."""
    token = verification.make_confirmation_token(role_request)
    link = absolute_url("verification.confirm", token=token)
    send_mail(role_request.work_email, _("【共創】勤務先メールアドレスの確認"),
              render_template("moderation/email/verify_work_email.txt", request=role_request,
                              link=link))  # fmt: skip


@bp.route("/verify/<token>", methods=["GET", "POST"])
@login_required
def confirm(token: str):
    """Signed out, the link asks to log in first. Signed in as the requester, it shows a button
    (a GET never writes); anyone else is refused and nothing changes."""
    try:
        if request.method == "GET":
            role_request = verification.request_for_token(token)
            if role_request is not None and role_request.user_id != current_user.id:
                raise verification.not_your_request()
        else:
            role_request = verification.confirm_work_email(token, user=current_account())
    except verification.VerificationRefused as exc:
        return render_template("moderation/verify_confirm.html", refusal=exc.message), 403
    if role_request is None:
        flash(_("このリンクは無効か、有効期限が切れています。もう一度申請してください。"), "error")
        return redirect(url_for("verification.request_role"))
    if request.method == "GET":
        return render_template("moderation/verify_confirm.html", role_request=role_request)
    db.session.commit()
    if role_request.status == "approved":
        flash(
            _("確認できました。「%(role)s」として認証されました。", role=role_request.role.name),
            "success",
        )
    else:
        flash(_("メールアドレスを確認しました。事務局が確認してから認証します。"), "info")
    return redirect(url_for("auth.profile", handle=role_request.user.handle))
