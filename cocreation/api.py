"""JSON for co-creation: offers on a local problem and the answers to them, the problem's status
by hand. The same service functions as the web; one outcome → JSON translation."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from auth.permissions import can
from auth.session import current_account
from cocreation import service
from cocreation.models import Offer
from core.extensions import csrf, db, limiter
from core.jsonapi import api_error, authenticate_writes, iso, json_body
from core.ratelimit import PER_ADDRESS_POSTING, PER_USER_POSTING, user_or_address
from core.urls import absolute_url
from forum import queries
from forum.models import Thread

bp = Blueprint("cocreation_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
bp.before_request(authenticate_writes)

_HTTP = {"not_found": (404, "not_found"), "forbidden": (403, "forbidden"),
         "invalid": (422, "validation"), "refused": (422, "refused"),
         "needs_confirmation": (422, "needs_confirmation"), "conflict": (409, "conflict")}  # fmt: skip


def offer_json(offer: Offer) -> dict:
    return {
        "id": offer.id,
        "challenge_id": offer.thread_id,
        "organization": {"slug": offer.organization.slug, "name": offer.organization.name,
                         "url": absolute_url("directory.organization", slug=offer.organization.slug)},
        "status": offer.status,
        "message": offer.message_source,
        "message_html": offer.message_html,
        "created_at": iso(offer.created_at),
        "decided_at": iso(offer.decided_at) if offer.decided_at else None,
    }  # fmt: skip


def _refusal(outcome: service.Outcome):
    status, code = _HTTP.get(outcome.status, (422, "validation"))
    message = outcome.message or (_("入力内容を確認してください。") if status == 422 else "")
    concerns = [{"code": c.code, "message": c.message, "matches": list(c.details)}
                for c in outcome.concerns]  # fmt: skip
    extra = {"concerns": concerns} if concerns else {}
    return api_error(status, code, message, outcome.errors or None, **extra)


def _challenge(thread_id: int) -> Thread | None:
    thread = queries.get_thread(thread_id)
    if thread is None or thread.kind != "challenge" or not can(current_user, "thread.view", thread):
        return None
    return thread


def _not_found():
    return api_error(404, "not_found", _("地域課題が見つかりません。"))


@bp.get("/challenges/<int:thread_id>/offers")
def list_offers(thread_id: int):
    thread = _challenge(thread_id)
    if thread is None:
        return _not_found()
    offers = service.offers_of(thread.id)
    live = [o for o in offers if o.is_live]
    body: dict = {
        "count": len(live),
        "partners": [o.organization.name for o in offers if o.status == "partnered"],
    }
    if service.is_author_side(current_user, thread):
        body["offers"] = [offer_json(o) for o in offers]
    return jsonify(body)


@bp.post("/challenges/<int:thread_id>/offers")
@limiter.limit(PER_USER_POSTING, key_func=user_or_address)
@limiter.limit(PER_ADDRESS_POSTING)
def create_offer(thread_id: int):
    thread = _challenge(thread_id)
    if thread is None:
        return _not_found()
    data = json_body()
    message = data.get("message")
    if not isinstance(message, str):
        text = _("申し出の内容を文字列で送ってください。")
        return api_error(422, "validation", text, {"message": [text]})
    outcome = service.make_offer(actor=current_account(), thread=thread, message=message,
                                 confirmed=data.get("confirm") is True)  # fmt: skip
    if not outcome.saved:
        return _refusal(outcome)
    db.session.commit()
    return jsonify(offer_json(outcome.offer)), 201


def _answer(offer_id: int, action: str):
    offer = db.session.get(Offer, offer_id)
    if offer is None:
        return api_error(404, "not_found", _("申し出が見つかりません。"))
    data = json_body() if request.get_data(cache=True) else {}  # the body is optional
    reason = data.get("reason") if isinstance(data.get("reason"), str) else ""
    outcome = service.answer_offer(actor=current_account(), offer=offer, action=action,
                                   reason=reason)  # fmt: skip
    if not outcome.saved:
        return _refusal(outcome)
    db.session.commit()
    return jsonify(offer_json(outcome.offer))


@bp.post("/offers/<int:offer_id>/accept")
def accept_offer(offer_id: int):
    return _answer(offer_id, "accept")


@bp.post("/offers/<int:offer_id>/decline")
def decline_offer(offer_id: int):
    return _answer(offer_id, "decline")


@bp.post("/offers/<int:offer_id>/partner")
def partner_offer(offer_id: int):
    return _answer(offer_id, "partner")


@bp.post("/offers/<int:offer_id>/withdraw")
def withdraw_offer(offer_id: int):
    return _answer(offer_id, "withdraw")


@bp.post("/challenges/<int:thread_id>/status")
def set_status(thread_id: int):
    thread = _challenge(thread_id)
    if thread is None:
        return _not_found()
    data = json_body()
    status, reason = data.get("status"), data.get("reason")
    if not isinstance(status, str):
        text = _("状況を文字列で送ってください（募集中・調整中・連携成立・終了の英語名）。")
        return api_error(422, "validation", text, {"status": [text]})
    outcome = service.set_status(actor=current_account(), thread=thread, status=status,
                                 reason=reason if isinstance(reason, str) else "")  # fmt: skip
    if not outcome.saved:
        return _refusal(outcome)
    db.session.commit()
    return jsonify({"id": thread.id, "status": status})
