"""Moderation forms (Japanese labels and messages through Flask-Babel)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)


def flag_reason_choices():
    return [
        SelectChoice("spam", _l("スパム（宣伝・無関係なリンクなど）")),
        SelectChoice("inappropriate", _l("不適切（誹謗中傷・差別的な表現など）")),
        SelectChoice("off_topic", _l("話題違い")),
        SelectChoice("personal_info", _l("個人情報（住民の氏名・住所・電話番号・病名など）")),
        SelectChoice("illegal", _l("違法な内容")),
        SelectChoice("other", _l("その他（内容を書いてください）")),
    ]


class FlagForm(FlaskForm):
    reason = RadioField(
        _l("通報の理由"),
        choices=flag_reason_choices(),
        validators=[InputRequired(message=_l("通報の理由を選んでください。"))],
    )
    message = TextAreaField(
        _l("モデレーターへの補足（「その他」の場合は必須）"),
        validators=[Length(max=1000, message=_l("1000文字以内で入力してください。"))],
    )


class DecisionForm(FlaskForm):
    action = HiddenField(validators=[InputRequired()])
    version = IntegerField(validators=[InputRequired()])
    reason = TextAreaField(
        _l("理由（任意）"),  # who reads it depends on the kind: moderation.wording.reason_hint
        validators=[Length(max=1000, message=_l("1000文字以内で入力してください。"))],
    )


class SanctionForm(FlaskForm):
    kind = SelectField(
        _l("措置"),
        choices=[
            SelectChoice("silence", _l("投稿停止（閲覧はできる）")),
            SelectChoice("suspend", _l("利用停止（ログインできない）")),
            SelectChoice("lift", _l("措置を解除する")),
        ],
    )
    days = IntegerField(
        _l("期間（日数。空欄は無期限）"),
        validators=[
            Optional(),
            NumberRange(min=1, max=3650, message=_l("1〜3650の数字にしてください。")),
        ],
    )
    reason = TextAreaField(
        _l("理由（本人に伝えられます）"),
        validators=[
            InputRequired(message=_l("入力してください。")),
            Length(max=1000, message=_l("1000文字以内で入力してください。")),
        ],
    )


class WatchedWordForm(FlaskForm):
    word = StringField(
        _l("語句"),
        validators=[
            InputRequired(message=_l("入力してください。")),
            Length(max=100, message=_l("100文字以内で入力してください。")),
        ],
    )
    action = SelectField(
        _l("対応"),
        choices=[
            SelectChoice("require_approval", _l("確認してから公開する")),
            SelectChoice("block", _l("投稿させない")),
            SelectChoice("censor", _l("伏せ字にする（■に置き換える）")),
            SelectChoice("flag", _l("公開して確認待ちに入れる")),
        ],
    )
    is_regex = BooleanField(_l("正規表現として扱う"))
    # the pattern itself is checked by moderation.watched (RE2), for the web and the API alike


class VerificationForm(FlaskForm):
    role_id = SelectField(
        _l("申請する認証"), validators=[InputRequired(message=_l("選んでください。"))]
    )
    organisation = StringField(
        _l("所属（団体名・自治体名・省庁名）"),
        validators=[
            InputRequired(message=_l("入力してください。")),
            Length(max=100, message=_l("100文字以内で入力してください。")),
        ],
    )
    prefecture_code = SelectField(_l("都道府県"), validators=[Optional()])
    municipality = StringField(
        _l("市区町村"), validators=[Length(max=50, message=_l("50文字以内で入力してください。"))]
    )
    work_email = EmailField(
        _l("勤務先のメールアドレス"),
        validators=[
            InputRequired(message=_l("入力してください。")),
            Email(message=_l("メールアドレスの形式が正しくありません。")),
        ],
        description=_l(
            "確認メールを送ります。自治体（lg.jp）・省庁（go.jp）のアドレスは確認後すぐに認証されます。"
        ),
    )


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("モデレーター用メモ"),
        validators=[
            InputRequired(message=_l("入力してください。")),
            Length(max=1000, message=_l("1000文字以内で入力してください。")),
        ],
    )
