"""Web forms of co-creation (the limits are the service's; the form only carries the text)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from cocreation.service import MESSAGE_MAX
from structured.schema import CHALLENGE_STATUSES


class OfferForm(FlaskForm):
    message = TextAreaField(
        _l("申し出の内容"),
        validators=[InputRequired(message=_l("入力してください。")), Length(max=MESSAGE_MAX)],
        description=_l("団体としてできること、条件、連絡の取り方などを書いてください（2,000文字まで。"
                       "Markdownが使えます）。住民の方の個人情報は書かないでください。"),
    )  # fmt: skip
    confirm = BooleanField(_l("内容を確認しました。このまま送信します"))
    submit = SubmitField(_l("連携を申し出る"))


class StatusForm(FlaskForm):
    status = SelectField(_l("状況"),
                         choices=[SelectChoice(k, v) for k, v in CHALLENGE_STATUSES.items()])  # fmt: skip
    reason = StringField(_l("理由（任意）"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("状況を変更する"))


class AnswerForm(FlaskForm):
    """An answer button (accept, decline, partner, withdraw): carries the CSRF token."""

    submit = SubmitField(_l("実行する"))
