"""Settings → ログインとセキュリティ: this account's logins and API tokens, ending them, and the
e-mail confirmation link. Views only translate HTTP; the operations are in ``auth.accounts``
and ``auth.session``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth import accounts, session
from auth.forms import ApiTokenForm
from auth.session import current_account
from auth.views import send_confirmation_mail
from core.extensions import db, limiter

bp = Blueprint("security", __name__)


def _page(form: ApiTokenForm | None = None, new_token: str | None = None, status: int = 200):
    user = current_account()
    return render_template(
        "auth/security.html",
        logins=session.list_logins(user),
        current_login_id=session.current_login_id(),
        tokens=accounts.list_api_tokens(user),
        form=form or ApiTokenForm(formdata=None),
        new_token=new_token,
    ), status


@bp.get("/settings/security")
@login_required
def overview():
    return _page()


@bp.post("/settings/security/logins/<int:login_id>/end")
@login_required
def end_login(login_id: int):
    if login_id == session.current_login_id():
        session.log_out()
        db.session.commit()
        flash(_("ログアウトしました。"), "success")
        return redirect(url_for("auth.login"))
    if session.end_login(current_account(), login_id):
        db.session.commit()
        flash(_("その端末のログインを終了しました。"), "success")
    else:
        flash(_("そのログインは見つかりませんでした。すでに終了しています。"), "error")
    return redirect(url_for("security.overview"))


@bp.post("/settings/security/logout-everywhere")
@login_required
def logout_everywhere():
    accounts.log_out_everywhere(current_account())
    db.session.commit()
    session.log_out()
    flash(
        _(
            "すべての端末からログアウトし、APIトークンをすべて無効にしました。もう一度ログインしてください。"
        ),
        "success",
    )
    return redirect(url_for("auth.login"))


@bp.post("/settings/security/tokens")
@login_required
@limiter.limit("20 per hour")
def create_token():
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    token = accounts.create_api_token(current_account(), form.name.data.strip())
    db.session.commit()
    flash(_("APIトークンを作成しました。この画面を離れると二度と表示されません。"), "success")
    return _page(new_token=token)


@bp.post("/settings/security/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    if accounts.revoke_api_token(current_account(), token_id):
        db.session.commit()
        flash(_("APIトークンを無効にしました。"), "success")
    else:
        flash(_("そのAPIトークンは見つかりませんでした。"), "error")
    return redirect(url_for("security.overview"))


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The link in the mail shows a button; pressing it (POST) confirms — a GET never writes, so
    a mail scanner that fetches links confirms nothing."""
    if request.method == "GET":
        return render_template("auth/confirm_email.html")
    user = accounts.confirm_email(token)
    if user is None:
        flash(
            _(
                "このリンクは無効か、有効期限が切れています。ログインして確認メールを再送してください。"
            ),
            "error",
        )
        return redirect(url_for("auth.login"))
    db.session.commit()
    flash(_("メールアドレスを確認しました。"), "success")
    # registration is complete: its page says what to do first (profile, verification)
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(url_for("auth.welcome"))
    return redirect(url_for("auth.login", next=url_for("auth.welcome")))


@bp.post("/settings/confirm-email/resend")
@login_required
@limiter.limit("3 per hour")
def resend_confirmation():
    user = current_account()
    if user.email_confirmed:
        flash(_("メールアドレスは確認済みです。"), "info")
    else:
        send_confirmation_mail(user)
        flash(_("確認メールを %(email)s に送りました。", email=user.email), "success")
    return redirect(url_for("security.overview"))
