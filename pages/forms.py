"""Forms of the site pages: an admin's edit of a page, and the contact form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

#: what a message to the secretariat is about (the form's choices, the queue's label)
CONTACT_CATEGORIES = {
    "question": _l("サイトの使い方についての質問"),
    "account": _l("アカウント・認証について"),
    "content": _l("投稿の内容について（削除の依頼など）"),
    "accessibility": _l("使いにくさ・アクセシビリティについて"),
    "bug": _l("不具合のお知らせ"),
    "other": _l("その他"),
}

MAX_PAGE_LENGTH = 50_000
MAX_MESSAGE_LENGTH = 5_000


def _required():
    return InputRequired(message=_l("入力してください。"))


def _not_blank(form, field) -> None:
    if field.data is not None and not field.data.strip():
        raise ValidationError(_l("入力してください。"))


class PageForm(FlaskForm):
    title = StringField(_l("ページの名前"), validators=[
        _required(), _not_blank,
        Length(max=120, message=_l("ページの名前は120文字以内にしてください。")),
    ])  # fmt: skip
    body = TextAreaField(
        _l("本文"),
        validators=[_required(), _not_blank, Length(
            max=MAX_PAGE_LENGTH,
            message=_l("本文は%(n)s文字以内にしてください。", n=f"{MAX_PAGE_LENGTH:,}"),
        )],
        description=_l(
            "書式（Markdown記法）が使えます：行頭に「## 」で見出し、「- 」で箇条書き、"
            "「[文字](/contact)」でリンク。"
        ),
    )  # fmt: skip
    note = StringField(
        _l("変更の内容（履歴と監査ログに残ります）"),
        validators=[Length(max=200, message=_l("200文字以内にしてください。"))],
    )
    #: the page version the editor loaded: a save against an older one is refused
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    preview = SubmitField(_l("プレビュー"))
    submit = SubmitField(_l("保存する"))


class ContactForm(FlaskForm):
    name = StringField(
        _l("お名前（任意）"),
        validators=[Length(max=80, message=_l("お名前は80文字以内にしてください。"))],
        description=_l("所属やお名前を書いていただくと、返事がしやすくなります。"),
    )
    email = EmailField(
        _l("返信先のメールアドレス"),
        validators=[_required(), Email(message=_l("メールアドレスの形式が正しくありません。")),
                    Length(max=254, message=_l("メールアドレスが長すぎます。"))],
    )  # fmt: skip
    category = SelectField(
        _l("お問い合わせの種類"),
        choices=[SelectChoice(code, label) for code, label in CONTACT_CATEGORIES.items()],
        validators=[_required()],
        validate_choice=True,
    )
    message = TextAreaField(
        _l("お問い合わせの内容"),
        validators=[_required(), _not_blank, Length(
            max=MAX_MESSAGE_LENGTH,
            message=_l("%(n)s文字以内にしてください。", n=f"{MAX_MESSAGE_LENGTH:,}"),
        )],
        description=_l(
            "住民の方の氏名・住所・電話番号・病名など、個人が特定できる情報は書かないでください。"
        ),
    )  # fmt: skip
    confirm = BooleanField(_l("内容を確認しました。このまま事務局に送ります"))
    submit = SubmitField(_l("送信する"))
