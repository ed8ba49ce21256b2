"""Forms of the spaces pages (creating a platform, setting a member's role)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length


class SpaceForm(FlaskForm):
    name = StringField(
        _l("名前"), description=_l("例：兵庫県生活支援共創プラットフォーム"),
        validators=[InputRequired(message=_l("入力してください。")),
                    Length(max=80, message=_l("80文字以内で入力してください。"))],
    )  # fmt: skip
    slug = StringField(
        _l("URL名"), description=_l("半角小文字の英数字とハイフン。例：hyogo（/pf/hyogo になります）"),
        validators=[InputRequired(message=_l("入力してください。"))],
    )  # fmt: skip
    prefecture = SelectField(_l("都道府県"), validators=[InputRequired(message=_l("選んでください。"))])
    description = TextAreaField(
        _l("説明"), validators=[Length(max=2000, message=_l("2000文字以内で入力してください。"))]
    )
    join = SelectField(
        _l("参加の方式"),
        choices=[SelectChoice("open", _l("だれでも参加できる")),
                 SelectChoice("approval", _l("このプラットフォームのモデレーターが承認する"))],  # fmt: skip
    )
    submit = SubmitField(_l("作成する"))


class MemberForm(FlaskForm):
    handle = StringField(
        _l("ハンドル名"), validators=[InputRequired(message=_l("入力してください。"))]
    )
    role = SelectField(
        _l("役割"),
        choices=[SelectChoice("member", _l("メンバー")),
                 SelectChoice("moderator", _l("モデレーター")),
                 SelectChoice("admin", _l("管理者"))],  # fmt: skip
    )
    submit = SubmitField(_l("設定する"))
