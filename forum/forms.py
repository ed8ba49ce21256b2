"""Forum forms: Japanese messages; the preview button re-renders the form with what was typed."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput


def _required():
    return InputRequired(message=_l("入力してください。"))


def _body_length(form, field) -> None:
    limit = current_app.config["MAX_POST_LENGTH"]
    if field.data is not None and len(field.data) > limit:
        raise ValidationError(
            _l("本文は%(limit)s文字以内にしてください（現在%(count)s文字）。",
               limit=f"{limit:,}", count=f"{len(field.data):,}")
        )  # fmt: skip
    if field.data is not None and not field.data.strip():
        raise ValidationError(_l("入力してください。"))


def _confirm_field():
    return BooleanField(
        _l("内容を確認しました。このまま送信します（モデレーターの確認後に公開されます）")
    )


def _title_field():
    return StringField(
        _l("タイトル"),
        validators=[
            _required(),
            Length(min=2, max=120, message=_l("タイトルは2文字以上120文字以内にしてください。")),
        ],
    )


def _body_field(label=None):
    return TextAreaField(
        label or _l("本文"),
        validators=[_required(), _body_length],
        description=_l(
            "書式（Markdown記法）が使えます：行頭に「- 」で箇条書き、「**語句**」で太字。"
            "住民の氏名・住所・電話番号・病名など個人が特定できる情報は書かないでください。"
        ),
    )


class ThreadForm(FlaskForm):
    title = _title_field()
    body = _body_field()
    confirm = _confirm_field()
    preview = SubmitField(_l("プレビュー"))
    submit = SubmitField(_l("投稿する"))


class TagFields:
    """A discussion's optional tags as form fields (``forum.tags`` checks them, for the API
    too; the choices are the taxonomies'): a new discussion's and its first post's edit."""

    prefecture = SelectField(_l("都道府県"), validate_choice=False)
    life_domains = SelectMultipleField(_l("生活支援の領域（5つまで）"), validate_choice=False)
    player_fields = SelectMultipleField(_l("分野（5つまで）"), validate_choice=False)

    def load_choices(self):
        """The taxonomies' choices, for drawing the form (three statements; a submission that
        is published never draws it)."""
        from forum import tags

        options = tags.options()
        self.prefecture.choices = [SelectChoice("", _l("指定しない"))] + [
            SelectChoice(v, n) for v, n in options["prefecture"]
        ]
        self.life_domains.choices = [SelectChoice(v, n) for v, n in options["domain"]]
        self.player_fields.choices = [SelectChoice(v, n) for v, n in options["field"]]
        return self

    def tag_fields(self) -> dict:
        return {"prefecture": self.prefecture.data or None,
                "life_domains": list(self.life_domains.data or []),
                "player_fields": list(self.player_fields.data or [])}  # fmt: skip

    def fill_tags(self, fields: dict) -> None:
        """Show a discussion's current tags (``forum.tags.as_fields``)."""
        self.prefecture.data = fields.get("prefecture") or ""
        self.life_domains.data = list(fields.get("life_domains") or [])
        self.player_fields.data = list(fields.get("player_fields") or [])


class DiscussionForm(TagFields, ThreadForm):
    """The web form of a new discussion: ThreadForm with its optional tags."""


class ReplyForm(FlaskForm):
    body = _body_field(_l("返信"))
    confirm = _confirm_field()
    preview = SubmitField(_l("プレビュー"))
    submit = SubmitField(_l("返信する"))


class EditPostForm(FlaskForm):
    title = StringField(
        _l("タイトル"),
        validators=[Length(max=120, message=_l("タイトルは120文字以内にしてください。"))],
    )
    body = _body_field()
    #: the post version the editor loaded (optimistic concurrency: a save against an older
    #: version is refused with both texts shown)
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    confirm = _confirm_field()
    preview = SubmitField(_l("プレビュー"))
    submit = SubmitField(_l("保存する"))


class EditDiscussionForm(TagFields, EditPostForm):
    """The edit of a discussion's first post: its title, body and tags."""


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token (delete, pin, lock, logout)."""

    submit = SubmitField(_l("実行する"))


class BoardForm(FlaskForm):
    name = StringField(
        _l("掲示板名"),
        validators=[_required(), Length(max=80, message=_l("80文字以内で入力してください。"))],
    )
    slug = StringField(
        _l("URL名"),
        validators=[
            _required(),
            Regexp(
                r"^[a-z0-9][a-z0-9-]{1,59}$",
                message=_l("半角小文字の英数字とハイフンで2〜60文字にしてください。"),
            ),
        ],
    )
    description = TextAreaField(
        _l("説明"), validators=[Length(max=500, message=_l("500文字以内で入力してください。"))]
    )
    kind = SelectField(
        _l("種類"),
        choices=[
            SelectChoice("cross", _l("分野を超えた交流")),
            SelectChoice("field", _l("分野別")),
        ],
    )
    position = IntegerField(
        _l("表示順"),
        validators=[
            InputRequired(message=_l("数字を入力してください。")),
            NumberRange(min=0, max=10000, message=_l("0〜10000の数字にしてください。")),
        ],
    )
    is_premoderated = BooleanField(_l("投稿をモデレーターの確認後に公開する（事前承認制）"))
    space_id = SelectField(_l("プラットフォーム"), coerce=int)
    audience = SelectField(
        _l("読める人"),
        default="public",
        choices=[
            SelectChoice("public", _l("だれでも（公開）")),
            SelectChoice("members", _l("このプラットフォームのメンバーだけ")),
            SelectChoice("roles", _l("選んだ役割の認証を受けたメンバーだけ")),
        ],
        description=_l("限定にした掲示板は、読めない人には検索・一覧・通知のどこにも表示されません。"),
    )
    audience_roles = SelectMultipleField(
        _l("読める役割（「選んだ役割」のとき）"),
        description=_l("例：行政職員限定なら、市町村職員・都道府県職員・府省庁担当者を選びます。"),
    )
    moderators = StringField(
        _l("この掲示板のモデレーター"),
        description=_l("ハンドル名をカンマで区切って入力します。例：sato_akita, tanaka_okayama"),
        validators=[Length(max=500, message=_l("500文字以内で入力してください。"))],
    )
    submit = SubmitField(_l("保存する"))


class MoveThreadForm(FlaskForm):
    board = SelectField(
        _l("移動先の掲示板"), validators=[InputRequired(message=_l("選んでください。"))]
    )


class SplitThreadForm(FlaskForm):
    title = _title_field()
    numbers = SelectMultipleField(
        _l("新しいスレッドに移す返信"),
        coerce=int,
        validators=[InputRequired(message=_l("移す返信を選んでください。"))],
    )
