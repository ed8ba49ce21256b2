"""The leaving form (退会): the password, a confirmation, and the choice of erasing post bodies."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import InputRequired


class LeaveForm(FlaskForm):
    password = PasswordField(
        _l("パスワード"), validators=[InputRequired(message=_l("入力してください。"))]
    )
    erase_posts = BooleanField(_l("投稿の本文も消去する（スレッドと他の会員の返信は残ります）"))
    confirm = BooleanField(_l("退会すると元に戻せないことを理解しました"))
