"""``/api/v1/stats``: each statistic as JSON, so prefectures can build their own reports."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from core.extensions import csrf
from core.jsonapi import api_error, authenticate_writes
from core.urls import absolute_url
from stats import service
from stats.scope import BadScope, parse_scope

bp = Blueprint("stats_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
bp.before_request(authenticate_writes)


@bp.get("/stats")
def catalogue():
    user = current_user._get_current_object()
    return jsonify(stats=[
        {"name": s.name, "title": str(s.title), "section": s.section, "staff_only": s.staff_only,
         "url": absolute_url("stats_api.table", name=s.name)}
        for s in service.visible_stats(user)
    ])  # fmt: skip


@bp.get("/stats/<name>")
def table(name: str):
    user = current_user._get_current_object()
    stat = service.find(name, user)
    if stat is None:
        return api_error(404, "not_found", _("その統計はありません。"))
    try:
        scope = parse_scope(request.args)
    except BadScope as exc:
        return api_error(400, "validation", exc.message, {exc.name: [exc.message]})
    result = service.compute(stat, scope, user)
    return jsonify(
        scope={"period": scope.args()["period"], "period_label": scope.period_label,
               "prefecture": scope.prefecture, "space": scope.space},
        counted_at=result.counted_at.isoformat(),
        table=result.table.as_json(),
    )  # fmt: skip
