"""``GET /api/v1/organizations``: the directory as JSON (read-only, public), the same filters and
cursor as the page. Field names follow the API conventions: slugs and prefecture codes."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from core.cursors import BadCursor
from core.jsonapi import api_error
from core.urls import absolute_url
from directory import queries
from directory.kinds import KIND_LABELS
from directory.models import Organization

bp = Blueprint("directory_api", __name__, url_prefix="/api/v1")


def organization_json(org: Organization) -> dict:
    """``website`` is the organisation's site only when it chose to publish it, else null."""
    return {
        "slug": org.slug,
        "name": org.name,
        "kind": org.kind,
        "player_field": org.player_field.slug if org.player_field else None,
        "prefecture": org.prefecture_code,
        "description": org.description,
        "website": org.published_website,
        "url": absolute_url("directory.organization", slug=org.slug),
    }


@bp.get("/organizations")
def organizations():
    field_slug = request.args.get("field", "")
    kind = request.args.get("kind", "")
    problems = {}
    field = queries.get_player_field(field_slug) if field_slug else None
    if field_slug and field is None:
        problems["field"] = [_("分野のURL名が正しくありません。")]
    if kind and kind not in KIND_LABELS:
        problems["kind"] = [_("種別は %(kinds)s のいずれかにしてください。",
                              kinds=", ".join(KIND_LABELS))]  # fmt: skip
    if problems:
        return api_error(400, "invalid_filter", _("絞り込みの条件が正しくありません。"), problems)
    limit = min(max(request.args.get("limit", 50, type=int), 1), 100)
    try:
        page = queries.list_organizations(
            field=field, kind=kind, cursor=request.args.get("cursor") or None, limit=limit
        )
    except BadCursor:
        return api_error(400, "bad_cursor", _("cursor の値が正しくありません。"))
    return jsonify(
        organizations=[organization_json(o) for o in page.organizations],
        next_cursor=page.next_cursor,
    )
