"""Notification forms (CSRF through Flask-WTF; Japanese messages)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from notifications.kinds import EMAIL_MODE_LABELS, KIND_LABELS, KINDS, LEVEL_LABELS
from notifications.models import THREAD_LEVELS


class ButtonForm(FlaskForm):
    """Only the CSRF token (mark read, open, unmute)."""

    submit = SubmitField(_l("実行する"))


def _auto_watch_choices():
    return [SelectChoice(level, LEVEL_LABELS[level]) for level in THREAD_LEVELS if level != "muted"]


def _email_choices():
    return [SelectChoice(mode, label) for mode, label in EMAIL_MODE_LABELS.items()]


class SettingsForm(FlaskForm):
    auto_watch_start = SelectField(_l("スレッドを作成したとき"), choices=_auto_watch_choices)
    auto_watch_reply = SelectField(_l("スレッドに返信したとき"), choices=_auto_watch_choices)
    submit = SubmitField(_l("保存する"))


# one e-mail select per kind, named email_<kind>
for _kind in KINDS:
    setattr(
        SettingsForm,
        f"email_{_kind}",
        SelectField(KIND_LABELS[_kind], choices=_email_choices),
    )


class MuteForm(FlaskForm):
    handle = StringField(
        _l("ミュートする人のハンドル名"),
        validators=[
            InputRequired(message=_l("入力してください。")),
            Length(max=31, message=_l("ハンドル名が長すぎます。")),
        ],
        description=_l("@なしで入力します。例：hanako_y"),
    )
    submit = SubmitField(_l("ミュートする"))
