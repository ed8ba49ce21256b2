"""Pages for moderating private conversations: a participant flags a message; a reviewer sees
a flagged message with the message before and after it; opening the whole conversation takes a
reason, which is written to the audit log (``moderation.messages``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from auth.session import current_account
from conversations import service as conversation_service
from conversations.models import ConversationMessage
from core.extensions import db, limiter
from core.ratelimit import user_or_address
from moderation import messages
from moderation.flags import FlagRefused
from moderation.models import ModerationItem

bp = Blueprint("moderation_messages", __name__)


def reason_choices() -> list[SelectChoice]:
    return [
        SelectChoice("spam", _l("迷惑メッセージ・宣伝")),
        SelectChoice("inappropriate", _l("不適切（誹謗中傷・嫌がらせなど）")),
        SelectChoice("personal_info", _l("個人情報（住民の氏名・住所・電話番号・病名など）")),
        SelectChoice("other", _l("その他（内容を書いてください）")),
    ]


class FlagMessageForm(FlaskForm):
    reason = RadioField(
        _l("通報の理由"), choices=reason_choices(),
        validators=[InputRequired(message=_l("通報の理由を選んでください。"))],
    )  # fmt: skip
    message = TextAreaField(_l("モデレーターへの補足（任意）"), validators=[Length(max=1000)])


class OpenConversationForm(FlaskForm):
    reason = TextAreaField(
        _l("会話全体を開く理由（記録されます）"),
        validators=[InputRequired(message=_l("理由を入力してください。")), Length(max=1000)],
    )  # fmt: skip
    submit = SubmitField(_l("理由を記録して会話全体を開く"))


@bp.route("/messages/m/<int:message_id>/flag", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per hour", key_func=user_or_address, methods=["POST"])
def flag(message_id: int):
    message = db.session.get(ConversationMessage, message_id)
    if (
        message is None
        or conversation_service.participant(message.conversation_id, current_user) is None
    ):
        abort(404)
    form = FlagMessageForm()
    if form.validate_on_submit():
        try:
            messages.flag_message(message, user=current_account(), reason=form.reason.data,
                                  note=form.message.data)  # fmt: skip
            db.session.commit()
        except FlagRefused as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        except IntegrityError:
            db.session.rollback()
            form.form_errors.append(_("このメッセージはすでに通報済みです。"))
        else:
            flash(_("通報ありがとうございました。モデレーターが確認します。"), "success")
            return redirect(url_for("conversations.conversation",
                                    conversation_id=message.conversation_id))  # fmt: skip
    return render_template("moderation/flag_message.html", form=form, message=message), (
        422 if form.errors else 200
    )


def _item_or_404(item_id: int) -> ModerationItem:
    if not messages.may_review_messages(current_user):
        abort(404)
    item = db.session.get(ModerationItem, item_id)
    if item is None or item.kind != "flagged_message" or item.message is None:
        abort(404)
    return item


@bp.route("/moderation/items/<int:item_id>/message", methods=["GET", "POST"])
@login_required
def flagged(item_id: int):
    """The flagged message and its neighbours; with a recorded reason, the whole conversation."""
    item = _item_or_404(item_id)
    form = OpenConversationForm()
    whole = None
    if form.validate_on_submit():
        try:
            whole = messages.open_conversation(
                item.message.conversation, moderator=current_account(), reason=form.reason.data,
                item=item,
            )  # fmt: skip
        except messages.ReasonRequired as exc:
            form.reason.errors = [*form.reason.errors, str(exc)]
        else:
            db.session.commit()
    before, message, after = messages.flagged_context(item)
    return render_template(
        "moderation/flagged_message.html", item=item, before=before, message=message,
        after=after, form=form, whole=whole,
    ), (422 if form.errors else 200)  # fmt: skip
