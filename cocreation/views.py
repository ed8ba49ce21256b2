"""Co-creation on the web: the offer form, the author side's answers, the status by hand and
「この取組を事例として公開する」. Views only translate HTTP; the service decides."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from auth.permissions import can
from auth.session import current_account
from cocreation import cases, service
from cocreation.forms import AnswerForm, OfferForm, StatusForm
from cocreation.models import Offer
from core.extensions import db, limiter
from core.ratelimit import PER_ADDRESS_POSTING, PER_USER_POSTING, user_or_address
from forum import queries
from forum.forms import ThreadForm
from forum.rendering import render_markdown
from forum.responses import settle, status_code
from structured import details as details_service
from structured.forms import details_form
from structured.models import ThreadDetail
from structured.schema import KIND_LABELS, specs_for

bp = Blueprint("cocreation", __name__)

DONE = {
    "accept": _l("申し出を受けました。話し合いを始めてください。"),
    "decline": _l("申し出を見送りました。申し出た方には、お礼の言葉とともにお知らせします。"),
    "partner": _l("連携が成立しました。連携先として課題に表示します。"),
    "withdraw": _l("申し出を取り下げました。"),
}


def _readable_challenge(thread_id: int):
    thread = queries.get_thread(thread_id)
    if thread is None or thread.kind != "challenge" or not can(current_user, "thread.view", thread):
        abort(404)
    return thread


@bp.route("/t/<int:thread_id>/offer", methods=["GET", "POST"])
@login_required
@limiter.limit(PER_USER_POSTING, key_func=user_or_address, methods=["POST"])
@limiter.limit(PER_ADDRESS_POSTING, methods=["POST"])
def offer(thread_id: int):
    thread = _readable_challenge(thread_id)
    detail = db.session.get(ThreadDetail, thread.id)
    form = OfferForm()
    outcome = None
    if request.method == "POST" and form.validate_on_submit():
        outcome = service.make_offer(actor=current_account(), thread=thread,
                                     message=form.message.data, confirmed=form.confirm.data)  # fmt: skip
        if outcome.saved:
            db.session.commit()
            flash(_("連携を申し出ました。課題の投稿者からのお返事をお待ちください。"), "success")
            return redirect(url_for("forum.thread", thread_id=thread.id) + "#offers")
        if outcome.status == "not_found":
            abort(404)
        for name, messages in outcome.errors.items():
            getattr(form, name).errors = list(messages)
    status = 200
    if request.method == "POST":
        status = {"forbidden": 403, "conflict": 409}.get(getattr(outcome, "status", ""), 422)
    return render_template(
        "cocreation/offer.html", thread=thread, board=thread.board, form=form, outcome=outcome,
        detail=detail, may_offer=service.may_offer(current_user, thread, detail),
    ), status  # fmt: skip


@bp.post("/offers/<int:offer_id>/<any(accept, decline, partner, withdraw):action>")
@login_required
def answer(offer_id: int, action: str):
    offer = db.session.get(Offer, offer_id)
    if offer is None or not AnswerForm().validate_on_submit():
        abort(404 if offer is None else 400)
    outcome = service.answer_offer(actor=current_account(), offer=offer, action=action,
                                   reason=request.form.get("reason", "")[:500])  # fmt: skip
    if outcome.status == "not_found":
        abort(404)
    if outcome.status == "forbidden":
        abort(403)
    back = url_for("forum.thread", thread_id=offer.thread_id) + "#offers"
    if outcome.saved:
        db.session.commit()
        flash(str(DONE[action]), "success")
    else:
        flash(outcome.message, "error")
    return redirect(back)


@bp.post("/t/<int:thread_id>/challenge-status")
@login_required
def change_status(thread_id: int):
    thread = _readable_challenge(thread_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = service.set_status(actor=current_account(), thread=thread, status=form.status.data,
                                 reason=form.reason.data or "")  # fmt: skip
    if outcome.status == "forbidden":
        abort(403)
    if outcome.saved:
        db.session.commit()
        flash(_("状況を変更しました。ウォッチしている人と申し出た人にお知らせします。"), "success")
    else:
        flash(outcome.message, "error")
    return redirect(url_for("forum.thread", thread_id=thread.id))


@bp.route("/t/<int:thread_id>/publish-case", methods=["GET", "POST"])
@login_required
@limiter.limit(PER_USER_POSTING, key_func=user_or_address, methods=["POST"])
@limiter.limit(PER_ADDRESS_POSTING, methods=["POST"])
def publish_case(thread_id: int):
    """The case form, prefilled from the partnered problem; publishing links the two."""
    thread = _readable_challenge(thread_id)
    detail = db.session.get(ThreadDetail, thread.id)
    if not cases.may_publish_case(current_user, thread, detail):
        abort(403)
    board = cases.case_board()
    if board is None:
        abort(404)
    form = ThreadForm()
    if request.method == "GET":
        title, body, prefill = cases.prefill(thread, detail)
        form.title.data, form.body.data = title, body
        fields = details_form("case", obj_data=prefill)
    else:
        fields = details_form("case")
    preview_html, outcome = None, None
    if request.method == "POST":
        valid = form.validate_on_submit()
        valid = fields.validate() and valid
        if valid and form.preview.data:
            preview_html = render_markdown(form.body.data)
        elif valid:
            values = details_service.to_api(fields.values())
            outcome = cases.publish_case(
                actor=current_account(), challenge=thread, title=form.title.data,
                body=form.body.data, fields=values, confirmed=form.confirm.data,
                extra_text=details_service.markdown_text("case", values),
            )  # fmt: skip
            response = settle(
                outcome, form=form, done_message=_("取組事例を公開しました。地域課題とつながっています。"),
                done_url=url_for("forum.thread", thread_id=getattr(outcome.thread, "id", 0)),
                held_url=url_for("forum.thread", thread_id=thread.id), held_page=True,
            )  # fmt: skip
            if response is not None:
                return response
    return render_template(
        "structured/new.html", board=board, kind="case", form=form, fields=fields,
        specs=specs_for("case"), preview_html=preview_html, kind_label=KIND_LABELS["case"],
        concerns=outcome.concerns if outcome else [],
    ), status_code(outcome, form, fields)  # fmt: skip
