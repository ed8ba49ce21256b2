"""Account forms. Every message is Japanese through Flask-Babel; nothing typed is lost on error
(WTForms re-renders the submitted values, except passwords)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, Regexp

HANDLE_PATTERN = r"^[A-Za-z0-9_]{3,30}$"


def _required():
    return InputRequired(message=_l("入力してください。"))


def _email():
    return Email(message=_l("メールアドレスの形式が正しくありません。"))


def _password_rules():
    return [
        _required(),
        Length(min=10, max=128, message=_l("パスワードは10文字以上128文字以下にしてください。")),
    ]


class RegisterForm(FlaskForm):
    display_name = StringField(
        _l("表示名"),
        validators=[_required(), Length(max=50, message=_l("50文字以内で入力してください。"))],
        description=_l("日本語で入力できます。例：山田 花子"),
    )
    handle = StringField(
        _l("ハンドル名"),
        validators=[
            _required(),
            Regexp(
                HANDLE_PATTERN,
                message=_l("半角英数字とアンダースコア（_）で3〜30文字にしてください。"),
            ),
        ],
        description=_l(
            "@で呼びかけるときの名前で、プロフィールのURLにも使います（あとから変えられません）。"
            "半角英数字と _ で3〜30文字。例：hanako_y"
        ),
    )
    email = EmailField(_l("メールアドレス"), validators=[_required(), _email()])
    password = PasswordField(
        _l("パスワード"), validators=_password_rules(), description=_l("10文字以上")
    )
    password_confirm = PasswordField(
        _l("パスワード（確認）"),
        validators=[_required(), EqualTo("password", message=_l("パスワードが一致しません。"))],
    )


class LoginForm(FlaskForm):
    email = EmailField(_l("メールアドレス"), validators=[_required(), _email()])
    password = PasswordField(_l("パスワード"), validators=[_required()])
    remember = BooleanField(_l("ログインしたままにする"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("メールアドレス"), validators=[_required(), _email()])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("新しいパスワード"), validators=_password_rules())
    password_confirm = PasswordField(
        _l("新しいパスワード（確認）"),
        validators=[_required(), EqualTo("password", message=_l("パスワードが一致しません。"))],
    )


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("表示名"),
        validators=[_required(), Length(max=50, message=_l("50文字以内で入力してください。"))],
    )
    affiliation = StringField(
        _l("所属（団体名）"),
        validators=[Length(max=100, message=_l("100文字以内で入力してください。"))],
    )
    role_title = StringField(
        _l("役職・役割"),
        validators=[Length(max=100, message=_l("100文字以内で入力してください。"))],
        description=_l("例：第2層生活支援コーディネーター"),
    )
    prefecture_code = SelectField(_l("都道府県"), validators=[Optional()])
    municipality = StringField(
        _l("市区町村"),
        validators=[Length(max=50, message=_l("50文字以内で入力してください。"))],
    )
    player_fields = SelectMultipleField(_l("分野"), coerce=int, validators=[Optional()])
    bio = TextAreaField(
        _l("自己紹介"),
        validators=[Length(max=1000, message=_l("1000文字以内で入力してください。"))],
        description=_l("健康や病気に関することは書かないでください。"),
    )
    show_affiliation = BooleanField(_l("所属と役職をプロフィールに表示する"))
    show_region = BooleanField(_l("地域（都道府県・市区町村）をプロフィールに表示する"))
    show_fields = BooleanField(_l("分野をプロフィールに表示する"))


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("トークンの名前"),
        validators=[_required(), Length(max=60, message=_l("60文字以内で入力してください。"))],
        description=_l("どこで使うかが分かる名前にしてください。例：集計スクリプト"),
    )
