"""Admin forms of the directory. Choices that come from the database are set by the view."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from core.urls import is_web_url
from directory.kinds import KIND_LABELS

SLUG_RE = r"^[a-z0-9][a-z0-9-]{1,59}$"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _required():
    return InputRequired(message=_l("入力してください。"))


def http_url(form, field) -> None:
    """Only ``http``/``https`` URLs with a host: no ``javascript:``, ``data:`` or spaces."""
    value = field.data or ""
    if not value:
        return
    if not is_web_url(value):
        raise ValidationError(_l("http:// または https:// で始まるURLを入力してください。"))


class OrganizationForm(FlaskForm):
    name = StringField(
        _l("名称"),
        filters=[_strip],
        validators=[_required(), Length(max=120, message=_l("120文字以内で入力してください。"))],
    )
    slug = StringField(
        _l("URL名"),
        filters=[_strip],
        description=_l("ページのアドレスに使います（例：sasaeai-nishinomiya）。"),
        validators=[
            _required(),
            Regexp(SLUG_RE, message=_l("半角小文字の英数字とハイフンで2〜60文字にしてください。")),
        ],
    )
    kind = SelectField(
        _l("種別"),
        choices=[SelectChoice(value, label) for value, label in KIND_LABELS.items()],
        validators=[InputRequired(message=_l("選択してください。"))],
    )
    player_field_id = SelectField(_l("分野"), validators=[Optional()])
    prefecture_code = SelectField(_l("都道府県"), validators=[Optional()])
    description = TextAreaField(
        _l("紹介文"),
        filters=[_strip],
        description=_l("書式なしのテキストです。改行はそのまま表示されます。"),
        validators=[Length(max=2000, message=_l("2000文字以内で入力してください。"))],
    )
    website_url = StringField(
        _l("ウェブサイトのURL"),
        filters=[_strip],
        validators=[Length(max=300, message=_l("300文字以内で入力してください。")), http_url],
    )
    publish_website = BooleanField(_l("ウェブサイトへのリンクを公開する（団体が希望した場合のみ）"))
    is_listed = BooleanField(_l("団体・行政機関リストに掲載する"), default=True)
    submit = SubmitField(_l("保存する"))

    def validate_publish_website(self, field) -> None:
        if field.data and not self.website_url.data:
            raise ValidationError(_l("公開するにはウェブサイトのURLを入力してください。"))


class MemberForm(FlaskForm):
    """Link an account to the organisation by its handle."""

    handle = StringField(
        _l("ハンドル名"),
        filters=[_strip],
        validators=[_required(), Length(max=31, message=_l("30文字以内で入力してください。"))],
    )
    submit = SubmitField(_l("メンバーに追加する"))


class RelatedLinkForm(FlaskForm):
    category = StringField(
        _l("分類"),
        filters=[_strip],
        description=_l("同じ分類のリンクは一つの見出しの下にまとめて表示されます。"),
        validators=[_required(), Length(max=60, message=_l("60文字以内で入力してください。"))],
    )
    title = StringField(
        _l("タイトル"),
        filters=[_strip],
        validators=[_required(), Length(max=120, message=_l("120文字以内で入力してください。"))],
    )
    url = StringField(
        _l("URL"),
        filters=[_strip],
        validators=[
            _required(),
            Length(max=300, message=_l("300文字以内で入力してください。")),
            http_url,
        ],
    )
    description = TextAreaField(
        _l("説明"),
        filters=[_strip],
        validators=[Length(max=500, message=_l("500文字以内で入力してください。"))],
    )
    position = IntegerField(
        _l("表示順"),
        default=0,
        validators=[
            InputRequired(message=_l("数字を入力してください。")),
            NumberRange(min=0, max=100000, message=_l("0〜100000の数字にしてください。")),
        ],
    )
    submit = SubmitField(_l("保存する"))


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token (delete, remove a member, move a link)."""

    submit = SubmitField(_l("実行する"))
