"""Account pages. Views only translate HTTP: forms in, service calls, redirects/templates out."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from auth import accounts, posting_rights, session
from auth.forms import ForgotPasswordForm, LoginForm, ProfileForm, RegisterForm, ResetPasswordForm
from core.extensions import db, limiter
from core.mail import send_mail
from core.ratelimit import per_form_value, unless_redirect
from core.templating import datetime_ja
from core.urls import absolute_url, safe_next_url
from taxonomy.queries import list_player_fields, list_prefectures

bp = Blueprint("auth", __name__)

LOGIN_PER_ACCOUNT = "10 per minute; 50 per hour"
LOGIN_PER_ADDRESS = "30 per minute; 200 per hour"
RESET_PER_ADDRESS = "10 per hour"
RESET_PER_EMAIL = "3 per hour"


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("forum.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            outcome = accounts.sign_up(
                email=form.email.data,
                handle=form.handle.data,
                display_name=form.display_name.data,
                password=form.password.data,
                terms_version=current_app.config["TERMS_VERSION"],
            )
        except accounts.AccountError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            if outcome.user is not None:
                db.session.commit()
                send_confirmation_mail(outcome.user)
            elif outcome.blocked:  # a sanctioned account left: told by mail, not on the page
                send_mail(
                    accounts.normalize_email(form.email.data),
                    _("【共創】登録の申し込みについて"),
                    render_template(
                        "auth/email/registration_blocked.txt", until=outcome.blocked_until
                    ),
                )
            else:
                owner = outcome.address_owner
                send_mail(
                    owner.email,
                    _("【共創】登録の申し込みがありました"),
                    render_template("auth/email/already_registered.txt", user=owner),
                )
            # Same answer whether or not the address was registered: no account enumeration.
            flash(
                _(
                    "確認メールを %(email)s に送りました。メールのリンクを開いて登録を完了してから、"
                    "ログインしてください。",
                    email=accounts.normalize_email(form.email.data),
                ),
                "success",
            )
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


def send_confirmation_mail(user) -> None:
    link = absolute_url("security.confirm_email", token=accounts.make_email_confirm_token(user))
    days = current_app.config["EMAIL_CONFIRM_MAX_AGE"] // 86400
    send_mail(
        user.email,
        _("【共創】メールアドレスの確認"),
        render_template("auth/email/confirm_email.txt", user=user, link=link, days=days),
    )


@bp.route("/login", methods=["GET", "POST"])
# failed attempts, per target account and (looser) per client address: one person's wrong
# passwords neither lock other people out nor let them try many accounts
@limiter.limit(LOGIN_PER_ACCOUNT, key_func=per_form_value("email"), methods=["POST"],
               deduct_when=unless_redirect)  # fmt: skip
@limiter.limit(LOGIN_PER_ADDRESS, methods=["POST"], deduct_when=unless_redirect)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("forum.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(_("メールアドレスまたはパスワードが正しくありません。"))
        elif not user.is_active:
            form.form_errors.append(_suspension_message(user))
        else:
            session.log_in(user, remember=form.remember.data)
            db.session.commit()
            flash(_("ログインしました。"), "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("forum.index"))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


def _suspension_message(user) -> str:
    message = _("このアカウントは利用停止中です。")
    if user.suspended_until is not None:
        message += " " + _("停止期間: %(until)sまで", until=datetime_ja(user.suspended_until))
    if user.sanction_reason:
        message += " " + _("理由: %(reason)s", reason=user.sanction_reason)
    return message


@bp.post("/logout")
def logout():
    session.log_out()
    db.session.commit()
    flash(_("ログアウトしました。"), "success")
    return redirect(url_for("forum.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(RESET_PER_ADDRESS, methods=["POST"])
@limiter.limit(RESET_PER_EMAIL, key_func=per_form_value("email"), methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = accounts.find_user_by_email(form.email.data)
        if user is not None and user.is_active:
            token = accounts.make_reset_token(user)
            link = absolute_url("auth.reset_password", token=token)
            minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
            send_mail(
                user.email,
                _("【共創】パスワードの再設定"),
                render_template(
                    "auth/email/reset_password.txt", user=user, link=link, minutes=minutes
                ),
            )
        # Same answer whether or not the address exists: no account enumeration.
        flash(_("入力されたアドレスが登録されていれば、再設定用のメールを送りました。"), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = accounts.user_for_reset_token(token)
    if user is None:
        flash(_("このリンクは無効か、有効期限が切れています。もう一度お試しください。"), "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        accounts.set_password(user, form.password.data)  # also ends every login of the account
        db.session.commit()
        if current_user.is_authenticated and current_user.id == user.id:
            session.log_out()  # this browser's login ended too: clear its cookies
        flash(_("パスワードを変更しました。新しいパスワードでログインしてください。"), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200


@bp.get("/u/<handle>")
def profile(handle: str):
    user = accounts.find_user_by_handle(handle)
    if user is None:
        abort(404)
    return render_template("auth/profile.html", user=user)


@bp.get("/welcome")
@login_required
def welcome():
    """Registration complete: what to do first — the profile, and for organisation and public
    staff the verification request that unlocks events, cases and policies."""
    return render_template("auth/welcome.html", roles=posting_rights.requestable_roles_kinds())


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user if request.method == "GET" else None)
    form.prefecture_code.choices = [SelectChoice("", _("選択しない"))] + [
        SelectChoice(p.code, p.name) for p in list_prefectures()
    ]
    form.player_fields.choices = [SelectChoice(f.id, f.name) for f in list_player_fields()]
    if request.method == "GET":
        form.prefecture_code.data = user.prefecture_code or ""
        form.player_fields.data = [f.id for f in user.player_fields]
    if form.validate_on_submit():
        try:
            accounts.update_profile(
                user,
                display_name=form.display_name.data,
                affiliation=form.affiliation.data or "",
                role_title=form.role_title.data or "",
                prefecture_code=form.prefecture_code.data or None,
                municipality=form.municipality.data or "",
                player_field_ids=form.player_fields.data or [],
                bio=form.bio.data or "",
                shown={name: getattr(form, name).data
                       for name in ("show_affiliation", "show_region", "show_fields")},
            )
        except accounts.AccountError as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("プロフィールを保存しました。"), "success")
            return redirect(url_for("auth.profile", handle=user.handle))
    return render_template(
        "auth/edit_profile.html", form=form,
        verification_roles=posting_rights.requestable_roles_kinds(),
    ), 422 if form.errors else 200  # fmt: skip
