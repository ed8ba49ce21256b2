"""Conversation API under /api/v1 (same authentication and error shape as ``api``):

``GET /conversations`` (the member's inbox), ``POST /conversations {"participants": [handle…],
"subject", "body", "challenge_id"?, "confirm"?}``, ``GET /conversations/<id>/messages?after=``,
``POST /conversations/<id>/messages {"body", "confirm"?}``. A conversation the caller does not
take part in is 404, as on the pages.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from auth.session import current_account
from conversations import queries, service
from conversations.forms import split_handles
from conversations.limits import START_SCOPE, conversations_limit, started
from conversations.models import Conversation, ConversationMessage
from conversations.service import Outcome
from core.extensions import csrf, db, limiter
from core.jsonapi import api_error, iso, json_body, signed_in_only
from core.params import db_int
from core.ratelimit import PER_ADDRESS_POSTING, PER_USER_POSTING, user_or_address
from core.urls import absolute_url
from forum import queries as forum_queries

bp = Blueprint("conversations_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
bp.before_request(signed_in_only)


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "handle": user.handle, "display_name": user.display_name}


def message_json(m: ConversationMessage) -> dict:
    hidden = m.hidden_at is not None
    return {
        "id": m.id,
        "conversation_id": m.conversation_id,
        "author": _person(m.author),
        "body": "" if hidden else m.body_source,
        "body_html": "" if hidden else m.body_html,
        "is_hidden": hidden,
        "created_at": iso(m.created_at),
    }


def conversation_json(c: Conversation, people, unread: int) -> dict:
    return {
        "id": c.id,
        "subject": c.subject,
        "url": absolute_url("conversations.conversation", conversation_id=c.id),
        "participants": [_person(u) for u in people],
        "unread_count": unread,
        "message_count": c.message_count,
        "last_message_id": c.last_message_id,
        "last_message_at": iso(c.last_message_at),
        "challenge_id": c.thread_id,
        "offer_id": c.offer_id,
    }


def _refusal(outcome: Outcome):
    if outcome.status == "forbidden":
        return api_error(403, "forbidden", outcome.text)
    if outcome.status == "invalid":
        return api_error(422, "validation", _("入力内容を確認してください。"), outcome.errors)
    concerns = [{"code": c.code, "message": c.message, "matches": list(c.details)}
                for c in outcome.concerns]  # fmt: skip
    if outcome.status == "needs_confirmation":
        return api_error(422, "needs_confirmation", _(
            "送信する前に確認してください。よければ confirm: true を付けて送り直してください。"
        ), concerns=concerns)  # fmt: skip
    return api_error(422, "refused", _("この内容は送信できません。"), concerns=concerns)


def _id(value) -> int | None:
    """A positive id from a query string or a JSON number, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    try:
        number = db_int(value)
    except ValueError:
        return None
    return number if number >= 0 else None


def _not_found():
    return api_error(404, "not_found", _("メッセージが見つかりません。"))


@bp.get("/conversations")
def list_conversations():
    before = request.args.get("before")
    before_id = _id(before) if before else None
    if before and before_id is None:
        return api_error(400, "bad_request", _("before の値が正しくありません。"))
    rows = queries.inbox(current_user, before_id=before_id)
    more = len(rows) == queries.INBOX_LIMIT
    return jsonify(
        conversations=[
            conversation_json(r.conversation, [current_user, *r.others], r.unread) for r in rows
        ],
        next_before=rows[-1].conversation.last_message_id if more else None,
    )


def _text(data: dict, name: str, errors: dict) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[name] = [_("文字列で指定してください。")]
        return ""
    return value


@bp.post("/conversations")
@limiter.shared_limit(conversations_limit, scope=START_SCOPE, key_func=user_or_address,
                      deduct_when=started)  # fmt: skip
@limiter.limit(PER_ADDRESS_POSTING)
def create_conversation():
    data = json_body()
    errors: dict[str, list[str]] = {}
    names = data.get("participants")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        errors["participants"] = [_("宛先のハンドル名を配列で指定してください。")]
        names = []
    body, subject = _text(data, "body", errors), _text(data, "subject", errors)
    challenge = None
    raw = data.get("challenge_id")
    if raw is not None:
        number = _id(raw) if isinstance(raw, int) else None
        challenge = forum_queries.get_thread(number) if number else None
        if challenge is None or not service.may_view_thread(current_user, challenge):
            errors["challenge_id"] = [_("地域課題が見つかりません。")]
    users, unknown = service.users_by_handle(split_handles(" ".join(names[:100])))
    if unknown:
        errors["participants"] = [
            _("見つからないハンドル名があります：%(names)s", names="、".join(unknown))
        ]
    if errors:
        return api_error(422, "validation", _("入力内容を確認してください。"), errors)
    outcome = service.start_conversation(
        starter=current_account(), participants=users, body=body, subject=subject,
        challenge=challenge, confirmed=data.get("confirm") is True,
    )  # fmt: skip
    if not outcome.saved:
        return _refusal(outcome)
    db.session.commit()
    c = outcome.conversation
    body = {
        "conversation": conversation_json(c, [u.user for u in queries.people(c)], 0),
        "message": message_json(outcome.message),
    }
    return jsonify(body), 201, {"Location": body["conversation"]["url"]}


@bp.get("/conversations/<int:conversation_id>/messages")
def list_messages(conversation_id: int):
    conversation = service.get_for(current_user, conversation_id)
    if conversation is None:
        return _not_found()
    after_id = _id(request.args.get("after", "0"))
    if after_id is None:
        return api_error(400, "bad_request", _("after の値が正しくありません。"))
    rows = queries.messages(conversation, after=after_id)
    return jsonify(messages=[message_json(m) for m in rows],
                   last_message_id=conversation.last_message_id)  # fmt: skip


@bp.post("/conversations/<int:conversation_id>/messages")
@limiter.limit(PER_USER_POSTING, key_func=user_or_address)
@limiter.limit(PER_ADDRESS_POSTING)
def create_message(conversation_id: int):
    conversation = service.get_for(current_user, conversation_id)
    if conversation is None:
        return _not_found()
    data = json_body()
    errors: dict[str, list[str]] = {}
    body = _text(data, "body", errors)
    if errors:
        return api_error(422, "validation", _("入力内容を確認してください。"), errors)
    outcome = service.send_message(conversation=conversation, author=current_account(),
                                   body=body, confirmed=data.get("confirm") is True)  # fmt: skip
    if not outcome.saved:
        return _refusal(outcome)
    response = jsonify(message_json(outcome.message))
    db.session.commit()
    return response, 201
