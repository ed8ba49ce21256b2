"""How typed values read on the page: Tokyo dates with weekdays, 令和 fiscal years, yen."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape

from core.templating import current_locale, reiwa_fiscal_year
from structured.models import ThreadDetail
from structured.schema import (
    KIND_LABELS,
    NATIONAL_ONLINE,
    TOKYO,
    Spec,
    choice_label,
    field_labels,
    parse_datetime,
    specs_for,
)
from taxonomy import municipalities
from taxonomy import queries as taxonomy

WEEKDAYS_JA = "月火水木金土日"
#: URLs shown as a privacy-enhanced player (YouTube, Vimeo) or a plain link
VIDEO_FIELDS = ("video_url", "archive_video_url")
STRUCTURED = frozenset(KIND_LABELS) - {"discussion"}


def format_date(value: date) -> str:
    if current_locale() == "en":
        return value.strftime("%a %Y-%m-%d")
    return f"{value.year}年{value.month}月{value.day}日（{WEEKDAYS_JA[value.weekday()]}）"


def format_datetime(value: datetime) -> str:
    local = value.astimezone(TOKYO)
    return f"{format_date(local.date())} {local.hour}:{local.minute:02d}"


def event_when(detail: ThreadDetail) -> str:
    """「2026年12月1日（火） 10:00〜12:00」; an end on another day is written out in full."""
    if detail.starts_at is None:
        return ""
    start = detail.starts_at.astimezone(TOKYO)
    text = format_datetime(start)
    if detail.ends_at is not None:
        end = detail.ends_at.astimezone(TOKYO)
        same_day = end.date() == start.date()
        text += "〜" + (f"{end.hour}:{end.minute:02d}" if same_day else format_datetime(end))
    return text


def format_value(spec: Spec, value: Any) -> Markup | str:
    if value is None or value == "":
        return ""
    if spec.type == "choice":
        return choice_label(spec, value)
    if spec.type == "fiscal_year":
        return reiwa_fiscal_year(int(value))
    if spec.type == "int":
        if spec.name in ("funding_amount", "amount_yen"):
            return _("%(n)s円", n=f"{int(value):,}")
        if spec.name in ("population", "capacity"):
            return _("%(n)s人", n=f"{int(value):,}")
        return str(value)
    if spec.type == "decimal":
        return f"{float(value):.1f}%"
    if spec.type == "date":
        return format_date(date.fromisoformat(value))
    if spec.type == "datetime":
        return format_datetime(parse_datetime(value))
    if spec.type == "url":
        url = escape(value)
        return Markup(
            f'<a href="{url}" rel="noopener noreferrer nofollow" class="external">{url}</a>'
        )
    return str(value)


def card_rows(detail: ThreadDetail) -> list[tuple[Spec, Any]]:
    """(spec, formatted value) for every filled non-Markdown field, in declaration order."""
    data = detail.data or {}
    rows = []
    for spec in specs_for(detail.kind):
        if spec.type == "markdown" or spec.name in ("status", "start_at", "end_at", *VIDEO_FIELDS):
            continue
        value = data.get(spec.name)
        if value is None or value == "":
            continue
        rows.append((spec, format_value(spec, value)))
    return rows


def card_sections(detail: ThreadDetail) -> list[tuple[Spec, Markup]]:
    """(spec, sanitised HTML) for every filled Markdown field (rendered on write)."""
    html = detail.html or {}
    return [
        (spec, Markup(html[spec.name]))
        for spec in specs_for(detail.kind)
        if spec.type == "markdown" and html.get(spec.name)
    ]


def card_value(detail: ThreadDetail, name: str) -> Markup | str:
    """One typed field formatted for reading (listings)."""
    for spec in specs_for(detail.kind):
        if spec.name == name:
            return format_value(spec, (detail.data or {}).get(name))
    return ""


def prefecture_name(detail: ThreadDetail) -> str:
    """The prefecture as read: 「全国（オンライン）」 for an online event of national scope."""
    if detail.prefecture is not None:
        return detail.prefecture.name
    return str(NATIONAL_ONLINE)


def municipality_name(detail: ThreadDetail) -> str:
    """The municipality's name: as saved, or from the master list for a code saved alone."""
    return (detail.data or {}).get("municipality_name") or (
        municipalities.name_of(detail.municipality_code) or ""
    )


def municipality_options(prefecture_code: str | None) -> list:
    """The suggestions the compose form renders: the chosen prefecture's municipalities (none
    before a prefecture is chosen; kyoso.js fills them in when it is)."""
    return municipalities.for_prefecture(prefecture_code) if prefecture_code else []


def place_label(detail: ThreadDetail) -> str:
    """「長野県 長野市」, 「長野県」 or 「全国（オンライン）」."""
    city = municipality_name(detail)
    return f"{prefecture_name(detail)} {city}" if city else prefecture_name(detail)


def tokyo_time(value: datetime) -> str:
    local = value.astimezone(TOKYO)
    return f"{local.hour}:{local.minute:02d}"


def readable_changes(kind: str, changes: list[tuple[Any, dict]]) -> list[tuple[Any, dict]]:
    """Revision diffs with values as people read them (labels, names, Tokyo dates)."""
    show = _reader(kind)
    return [
        (rev, {k: (show(k, old), show(k, new)) for k, (old, new) in diff.items()})
        for rev, diff in changes
    ]


def draft_rows(kind: str, fields: dict[str, Any] | None) -> list[tuple[str, Any]]:
    """(label, value as people read it) of every filled typed field of a draft not published
    yet (a held item's API representation), in the form's order: what its author sent."""
    if not fields or kind not in STRUCTURED:
        return []
    show = _reader(kind)
    rows = []
    for name, label in field_labels(kind).items():
        value = show(name, fields.get(name))
        if value is not None:
            rows.append((str(label), value))
    return rows


def _reader(kind: str):
    names = {p.code: p.name for p in taxonomy.list_prefectures()}
    names |= {f.slug: f.name for f in taxonomy.list_player_fields()}
    names |= {d.slug: d.name for d in taxonomy.list_life_domains()}
    specs = {s.name: s for s in specs_for(kind)}

    def show(name: str, value: Any) -> Any:
        if value is None or value == "" or value == []:
            return None
        if name == "municipality_code":
            return f"{municipalities.name_of(value) or ''}（{value}）"
        if name in ("prefecture", "player_fields", "life_domains"):
            values = value if isinstance(value, list) else [value]
            return "、".join(names.get(v, v) for v in values)
        if name in specs and specs[name].type != "markdown":
            return format_value(specs[name], value)
        return value

    return show


def card_videos(detail: ThreadDetail) -> list[tuple[Spec, str]]:
    data = detail.data or {}
    return [
        (s, data[s.name])
        for s in specs_for(detail.kind)
        if s.name in VIDEO_FIELDS and data.get(s.name)
    ]
