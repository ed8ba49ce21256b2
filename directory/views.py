"""Public directory pages: 団体・行政機関リスト, an organisation's page, 関連リンク."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user

from auth.permissions import can
from core.cursors import BadCursor
from directory import queries
from directory.kinds import KIND_LABELS
from taxonomy.queries import list_player_fields

bp = Blueprint("directory", __name__)


def _per_page() -> int:
    return int(current_app.config.get("DIRECTORY_PER_PAGE", 30))


@bp.get("/directory")
def organizations():
    fields = list_player_fields()
    field_slug = request.args.get("field", "")
    kind = request.args.get("kind", "")
    field = next((f for f in fields if f.slug == field_slug), None)
    if (field_slug and field is None) or (kind and kind not in KIND_LABELS):
        abort(400)
    cursor = request.args.get("cursor") or None
    try:
        page = queries.list_organizations(field=field, kind=kind, cursor=cursor, limit=_per_page())
    except BadCursor:
        abort(400)
    filters = {"field": field_slug or None, "kind": kind or None}

    def link(**changes) -> str:
        args = {**filters, **changes}
        return url_for("directory.organizations", **{k: v for k, v in args.items() if v})

    return render_template(
        "directory/organizations.html",
        page=page,
        fields=fields,
        field=field,
        kind=kind,
        kind_labels=KIND_LABELS,
        link=link,
        is_first_page=cursor is None,
    )


@bp.get("/directory/<slug>")
def organization(slug: str):
    org = queries.get_organization(slug)
    if org is None or not (org.is_listed or can(current_user, "directory.manage")):
        abort(404)
    return render_template(
        "directory/organization.html",
        org=org,
        kind_labels=KIND_LABELS,
        activity=queries.list_activity(org, limit=current_app.config.get("DIRECTORY_ACTIVITY", 10)),
    )


@bp.get("/links")
def links():
    return render_template("directory/links.html", groups=queries.group_links(queries.list_links()))
