"""``/api/v1/spaces``: the platforms, one with its boards, and joining one."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from api.serialize import board_json
from auth.session import current_account
from auth.spaces import Space, get_space, list_spaces
from core.extensions import csrf, db
from core.jsonapi import api_error, authenticate_writes
from core.urls import absolute_url
from forum import queries
from spaces import service

bp = Blueprint("spaces_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
bp.before_request(authenticate_writes)


def space_json(space: Space) -> dict:
    return {
        "slug": space.slug,
        "name": space.name,
        "kind": space.kind,
        "prefecture": space.prefecture_code,
        "join": space.join_policy,
        "description": space.description,
        "url": absolute_url("forum.index") if space.is_national
        else absolute_url("spaces.home", slug=space.slug),
    }  # fmt: skip


@bp.get("/spaces")
def spaces():
    return jsonify(spaces=[space_json(s) for s in list_spaces()])


@bp.get("/spaces/<slug>")
def space(slug: str):
    found = get_space(slug)
    if found is None:
        return api_error(404, "not_found", _("プラットフォームが見つかりません。"))
    boards = queries.readable_boards(current_user, space_id=found.id)
    return jsonify(space=space_json(found), boards=[board_json(b) for b in boards])


@bp.post("/spaces/<slug>/join")
def join(slug: str):
    found = get_space(slug)
    if found is None:
        return api_error(404, "not_found", _("プラットフォームが見つかりません。"))
    result = service.request_join(current_account(), found)
    if result == "refused":
        return api_error(403, "forbidden", _("メールアドレスの確認が済むと参加できます。"))
    db.session.commit()
    status = {"joined": 201, "pending": 202, "already": 200}[result]
    return jsonify(space=space_json(found), membership=result), status
