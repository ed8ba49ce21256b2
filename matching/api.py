"""``GET /api/v1/challenges/<id>/suggestions``: the suggestions of a local problem as JSON, the
same service as the page; 404 when the problem is not one the caller may read."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from auth.permissions import can
from core.extensions import db
from core.jsonapi import api_error
from core.urls import absolute_url
from forum.models import Thread
from matching import service

bp = Blueprint("matching_api", __name__, url_prefix="/api/v1")


def suggestion_json(s: service.Suggestion) -> dict:
    if s.kind == "organization":
        url = absolute_url("directory.organization", slug=s.slug)
        return {"id": s.id, "slug": s.slug, "name": s.title, "url": url,
                "score": round(s.score, 3), "reasons": s.reasons}  # fmt: skip
    return {"id": s.id, "title": s.title, "url": absolute_url("forum.thread", thread_id=s.id),
            "prefecture": s.prefecture, "score": round(s.score, 3), "reasons": s.reasons}  # fmt: skip


@bp.get("/challenges/<int:thread_id>/suggestions")
def suggestions(thread_id: int):
    thread = db.session.get(Thread, thread_id)
    if thread is None or thread.kind != "challenge" or not can(current_user, "thread.view", thread):
        return api_error(404, "not_found", _("地域課題が見つかりません。"))
    found = service.for_challenge(thread, viewer=current_user)
    return jsonify(
        organizations=[suggestion_json(s) for s in found.organizations],
        cases=[suggestion_json(s) for s in found.cases],
        challenges=[suggestion_json(s) for s in found.challenges],
    )
