"""Admin forms for taxonomies."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Regexp


class TermForm(FlaskForm):
    """A player field or a life-support domain."""

    name = StringField(
        _l("名称"),
        validators=[
            InputRequired(message=_l("入力してください。")),
            Length(max=40, message=_l("40文字以内で入力してください。")),
        ],
    )
    slug = StringField(
        _l("URL名"),
        validators=[
            InputRequired(message=_l("入力してください。")),
            Regexp(
                r"^[a-z0-9][a-z0-9-]{1,39}$",
                message=_l("半角小文字の英数字とハイフンで2〜40文字にしてください。"),
            ),
        ],
    )
    position = IntegerField(
        _l("表示順"),
        validators=[
            InputRequired(message=_l("数字を入力してください。")),
            NumberRange(min=0, max=10000, message=_l("0〜10000の数字にしてください。")),
        ],
    )
    submit = SubmitField(_l("保存する"))


class PrefectureForm(FlaskForm):
    """Which regional block a prefecture belongs to (e.g. 三重県 in 近畿 or 中部)."""

    region_code = SelectField(_l("地方ブロック"))
    submit = SubmitField(_l("保存する"))
