"""Saving and reading a structured thread's typed fields. The caller owns the transaction.

Values travel in their API representation (JSON types: dates ``YYYY-MM-DD``, times ISO 8601
with +09:00, taxonomy slugs, prefecture codes): that is what a draft, a held post and a revision
keep. ``save_details`` turns it into the indexed columns, the JSON ``data`` and the rendered HTML.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select

from auth.models import User
from core.extensions import db
from core.types import utcnow
from forum.models import Thread
from forum.rendering import render_markdown
from structured.models import (
    ThreadDetail,
    ThreadDetailRevision,
    thread_life_domains,
    thread_player_fields,
)
from structured.schema import parse_datetime, specs_for, to_tokyo_iso
from structured.status import change_status
from taxonomy.models import LifeDomain, PlayerField

COMMON = ("prefecture", "municipality_code", "municipality_name", "player_fields", "life_domains")


def to_api(values: dict[str, Any]) -> dict[str, Any]:
    """Form values (Python types) → the API representation (JSON types)."""
    out = {}
    for name, value in values.items():
        if isinstance(value, datetime):
            value = to_tokyo_iso(value)
        elif isinstance(value, date):
            value = value.isoformat()
        out[name] = value
    return out


def text_fields(kind: str, fields: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """The free-text typed fields (text, Markdown, links) as (name, label, text): what the
    gatekeepers screen and the censor rewrites, like a draft's title and body."""
    specs = [(s.name, s.label) for s in specs_for(kind) if s.type in ("text", "markdown", "url")]
    specs.append(("municipality_name", _l("市区町村")))  # typed when not in the list
    return [(n, label, v) for n, label in specs if isinstance(v := fields.get(n), str) and v]


def markdown_text(kind: str, fields: dict[str, Any]) -> str:
    """The free-text (Markdown) parts, for the gatekeepers that screen a draft."""
    parts = [fields.get(s.name) for s in specs_for(kind) if s.type == "markdown"]
    return "\n\n".join(p for p in parts if p)


def save_details(
    *, thread: Thread, kind: str, fields: dict[str, Any], editor: User
) -> ThreadDetail:
    """Create or replace ``thread``'s typed fields; keeps the previous values as a revision."""
    detail = db.session.get(ThreadDetail, thread.id)
    now = utcnow()
    old_status = None if detail is None else detail.status
    if detail is None:
        detail = ThreadDetail(thread_id=thread.id, kind=kind)
        db.session.add(detail)
    else:
        previous = serialize_fields(detail)
        if previous != _normalised(kind, fields):
            db.session.add(
                ThreadDetailRevision(
                    thread_id=thread.id, fields=previous, created_at=detail.updated_at,
                    replaced_at=now, editor_id=editor.id,
                )
            )  # fmt: skip
    _apply(detail, kind, fields)
    if old_status is not None and kind == "challenge" and detail.status != old_status:
        # a status changed in the edit form: through the one status path (audit, notices)
        new_status, detail.status = detail.status, old_status
        change_status(actor=editor, thread=thread, detail=detail, status=new_status,
                      authorised=True)  # fmt: skip
    detail.updated_at = now
    db.session.flush()
    _set_taxonomy(thread.id, fields)
    return detail


def _normalised(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    names = [*COMMON, *(s.name for s in specs_for(kind))]
    out = {name: fields.get(name) for name in names}
    out["player_fields"] = sorted(out["player_fields"] or [])
    out["life_domains"] = sorted(out["life_domains"] or [])
    return out


def _apply(detail: ThreadDetail, kind: str, fields: dict[str, Any]) -> None:
    detail.kind = kind
    detail.prefecture_code = fields.get("prefecture") or None
    detail.municipality_code = fields.get("municipality_code")
    data, html = {}, {}
    for spec in specs_for(kind):
        value = fields.get(spec.name)
        data[spec.name] = value
        if spec.type == "markdown" and value:
            html[spec.name] = render_markdown(value)
    data["municipality_name"] = fields.get("municipality_name")
    detail.data, detail.html = data, html
    detail.status = fields.get("status") or ""
    if kind == "event":
        detail.starts_at = parse_datetime(fields["start_at"])
        end = fields.get("end_at")
        detail.ends_at = parse_datetime(end) if end else None
        detail.attendance_mode = fields.get("attendance_mode")
    elif kind == "policy":
        detail.ministry = fields.get("ministry")
        detail.fiscal_year = fields.get("fiscal_year")
        detail.policy_kind = fields.get("policy_kind")
    elif kind == "case":
        detail.funding_kind = fields.get("funding_kind")
        detail.population = fields.get("population")


def _set_taxonomy(thread_id: int, fields: dict[str, Any]) -> None:
    db.session.execute(
        delete(thread_player_fields).where(thread_player_fields.c.thread_id == thread_id)
    )
    db.session.execute(
        delete(thread_life_domains).where(thread_life_domains.c.thread_id == thread_id)
    )
    field_slugs = fields.get("player_fields") or []
    domain_slugs = fields.get("life_domains") or []
    if field_slugs:
        ids = db.session.scalars(select(PlayerField.id).where(PlayerField.slug.in_(field_slugs)))
        rows = [{"thread_id": thread_id, "player_field_id": i} for i in ids]
        db.session.execute(insert(thread_player_fields), rows)
    if domain_slugs:
        ids = db.session.scalars(select(LifeDomain.id).where(LifeDomain.slug.in_(domain_slugs)))
        rows = [{"thread_id": thread_id, "life_domain_id": i} for i in ids]
        db.session.execute(insert(thread_life_domains), rows)
    # the relationships are view-only: reload them on next access
    detail = db.session.get(ThreadDetail, thread_id)
    if detail is not None:
        db.session.expire(detail, ["player_fields", "life_domains"])


def serialize_fields(detail: ThreadDetail) -> dict[str, Any]:
    """The API representation of a thread's typed fields."""
    out: dict[str, Any] = {
        "prefecture": detail.prefecture_code,
        "municipality_code": detail.municipality_code,
        "municipality_name": (detail.data or {}).get("municipality_name"),
        "player_fields": sorted(f.slug for f in detail.player_fields),
        "life_domains": sorted(d.slug for d in detail.life_domains),
    }
    for spec in specs_for(detail.kind):
        out[spec.name] = (detail.data or {}).get(spec.name)
    return out


def form_data(detail: ThreadDetail) -> dict[str, Any]:
    """Values to pre-fill the edit form (Python types for WTForms)."""
    values = serialize_fields(detail)
    for spec in specs_for(detail.kind):
        value = values.get(spec.name)
        if value is None:
            continue
        if spec.type == "datetime":
            values[spec.name] = parse_datetime(value)
        elif spec.type == "date":
            values[spec.name] = date.fromisoformat(value)
    return values


def load_details(thread_ids: list[int]) -> dict[int, ThreadDetail]:
    """Bulk-load the details of several threads (listings): one statement plus two for tags."""
    if not thread_ids:
        return {}
    rows = db.session.scalars(select(ThreadDetail).where(ThreadDetail.thread_id.in_(thread_ids)))
    return {d.thread_id: d for d in rows}
