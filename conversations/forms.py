"""Conversation forms. Messages are Japanese; a failed send re-renders the form with what was
typed."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from conversations.service import MAX_BODY, MAX_SUBJECT

#: how many names one recipients field may hold (bounded parsing)
MAX_RECIPIENTS = 50
_SPLIT = re.compile(r"[\s,、，]+")


def split_handles(text: str | None) -> list[str]:
    """「@sato, suzuki」 → ["sato", "suzuki"] (at most MAX_RECIPIENTS, duplicates once)."""
    names = [n.lstrip("@＠") for n in _SPLIT.split((text or "")[:2000]) if n.strip("@＠")]
    return list(dict.fromkeys(names))[:MAX_RECIPIENTS]


def _handles(form, field) -> None:
    if not split_handles(field.data):
        raise ValidationError(_l("宛先のハンドル名を入力してください。"))


class NewConversationForm(FlaskForm):
    recipients = StringField(
        _l("宛先（ハンドル名。複数のときは空白かカンマで区切ります）"),
        validators=[_handles, Length(max=2000)],
    )
    subject = StringField(_l("件名（任意）"), validators=[Optional(), Length(max=MAX_SUBJECT)])
    body = TextAreaField(
        _l("本文"),
        validators=[InputRequired(message=_l("本文を入力してください。")), Length(max=MAX_BODY)],
        description=_l("Markdown が使えます。参加者だけが読めます。"),
    )
    challenge = HiddenField(validators=[Optional(), Length(max=19)])
    confirm = BooleanField(_l("確認しました。このまま送信します"))
    submit = SubmitField(_l("送信する"))


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("返信"),
        validators=[InputRequired(message=_l("本文を入力してください。")), Length(max=MAX_BODY)],
        description=_l("Markdown が使えます。参加者だけが読めます。"),
    )
    confirm = BooleanField(_l("確認しました。このまま送信します"))
    submit = SubmitField(_l("送信する"))


class InviteForm(FlaskForm):
    handle = StringField(
        _l("招待する人のハンドル名"),
        validators=[InputRequired(message=_l("ハンドル名を入力してください。")), Length(max=40)],
    )
    submit = SubmitField(_l("招待する"))


class LeaveForm(FlaskForm):
    submit = SubmitField(_l("このメッセージから退出する"))
