"""The 知る / うまれる listing pages: 取組事例, イベント (list and month calendar), 施策・予算, 地域課題."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _

from core.cursors import BadCursor
from forum import queries as forum_queries
from structured import queries
from structured.schema import (
    ATTENDANCE_MODES,
    CHALLENGE_STATUSES,
    EVENT_STATUSES,
    FUNDING_KINDS,
    KIND_LABELS,
    POLICY_KINDS,
    POPULATION_BANDS,
    SECTIONS,
    TOKYO,
)
from structured.views import bp
from taxonomy import queries as taxonomy
from taxonomy.models import Prefecture, Region

#: URL segment and board of each listing
CALENDAR_LIMIT = 500  # events shown in one month; beyond that the page asks for a filter
BOARDS = {"case": "jirei", "event": "events", "policy": "seisaku", "challenge": "chiiki-kadai"}


def _filters_or_error(kind: str):
    try:
        return queries.parse_filters(kind, request.args), None
    except queries.BadFilter as exc:
        return queries.Filters(kind=kind), exc


@dataclass(frozen=True)
class Listing:
    """What a panel beside a listing's results is given: its filters, and the prefectures and
    地方 the page has already loaded for the filter form (no panel loads them again)."""

    kind: str
    filters: queries.Filters
    prefectures: list[Prefecture]
    regions: list[Region]


@dataclass(frozen=True)
class Panel:
    """A part of a listing page that a higher package makes (stats: the prefecture map):
    ``template`` is included after the filters, with this panel as ``panel``."""

    template: str
    data: Any


#: ``panel(listing) -> Panel | None``, registered by the packages that add to the listings (the
#: listings know nothing of them: the dependency points up, as with ``forum.thread_page``)
_panels: list[Callable[[Listing], Panel | None]] = []


def add_panel(panel: Callable[[Listing], Panel | None]) -> None:
    if panel not in _panels:
        _panels.append(panel)


def _filter_options(
    kind: str, prefectures: list[Prefecture] | None = None, regions: list[Region] | None = None
) -> dict:
    prefectures = taxonomy.list_prefectures() if prefectures is None else prefectures
    regions = taxonomy.list_regions() if regions is None else regions
    options = {
        "prefectures": [(p.code, p.name) for p in prefectures],
        "regions": [(r.code, r.name) for r in regions],
        "fields": [(f.slug, f.name) for f in taxonomy.list_player_fields()],
        "domains": [(d.slug, d.name) for d in taxonomy.list_life_domains()],
    }
    if kind == "case":
        options["population"] = {k: v[0] for k, v in POPULATION_BANDS.items()}
        options["funding"] = FUNDING_KINDS
    elif kind == "event":
        options["modes"] = ATTENDANCE_MODES
        options["statuses"] = EVENT_STATUSES
    elif kind == "policy":
        options["ministries"] = [(m, m) for m in queries.list_ministries()]
        options["policy_kinds"] = POLICY_KINDS
    elif kind == "challenge":
        options["statuses"] = CHALLENGE_STATUSES
    return options


def listing(kind: str):
    filters, error = _filters_or_error(kind)
    try:
        page = queries.list_page(filters, cursor=request.args.get("cursor"))
    except BadCursor:
        abort(400)
    board = forum_queries.get_board(BOARDS[kind])
    prefectures, regions = taxonomy.list_prefectures(), taxonomy.list_regions()
    here = Listing(kind, filters, prefectures, regions)
    panels = [p for p in (make(here) for make in _panels) if p is not None]
    return render_template(
        "structured/listing.html", kind=kind, kind_label=KIND_LABELS[kind], filters=filters,
        filter_error=error, page=page, options=_filter_options(kind, prefectures, regions),
        board=board, is_first_page=not request.args.get("cursor"), panels=panels,
    ), (400 if error else 200)  # fmt: skip


# one endpoint, ``structured.listing``, for the four listings (/cases, /events …)
for _kind, _segment in SECTIONS.items():
    bp.add_url_rule(f"/{_segment}", "listing", listing, defaults={"kind": _kind})


def _month_arg(value: str | None) -> date:
    if value:
        try:
            year, month = (int(x) for x in value.split("-"))
            return date(year, month, 1)
        except ValueError:
            abort(400)
    today = datetime.now(UTC).astimezone(TOKYO).date()
    return today.replace(day=1)


@bp.get("/events/calendar")
def calendar_view():
    filters, error = _filters_or_error("event")
    first = _month_arg(request.args.get("month"))
    if not (1900 < first.year < 2200):
        abort(400)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    events = queries.list_events_between(filters, first, last, limit=CALENDAR_LIMIT + 1)
    truncated = len(events) > CALENDAR_LIMIT
    events = events[:CALENDAR_LIMIT]
    by_day: dict[int, list] = {}
    for detail in events:
        by_day.setdefault(detail.starts_at.astimezone(TOKYO).day, []).append(detail)
    weeks = calendar.Calendar(firstweekday=6).monthdayscalendar(first.year, first.month)
    prev_month = (first - timedelta(days=1)).replace(day=1)
    next_month = last + timedelta(days=1)
    args = {k: v for k, v in filters.args().items() if k not in ("when", "from", "to")}
    return render_template(
        "structured/calendar.html", kind="event", kind_label=KIND_LABELS["event"],
        filters=filters, filter_error=error, options=_filter_options("event"), month=first,
        weeks=weeks, by_day=by_day, event_count=len(events), truncated=truncated, args=args,
        prev_url=url_for("structured.calendar_view", month=prev_month.strftime("%Y-%m"), **args),
        next_url=url_for("structured.calendar_view", month=next_month.strftime("%Y-%m"), **args),
        month_ics_url=url_for("structured.events_ics", **{**args, "from": first.isoformat(),
                                                           "to": last.isoformat()}),
        today=datetime.now(UTC).astimezone(TOKYO).date(), board=forum_queries.get_board("events"),
        weekday_names=[_("日"), _("月"), _("火"), _("水"), _("木"), _("金"), _("土")],
    ), (400 if error else 200)  # fmt: skip
