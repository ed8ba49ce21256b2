"""The 知る / うまれる listing pages: 取組事例, イベント (list and month calendar), 施策・予算, 地域課題."""

from __future__ import annotations

import calendar
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _

from core.cursors import BadCursor
from core.urls import absolute_url
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
#: where 「掲示板で質問する」 (an empty listing, a case page) starts a question
QUESTION_BOARD = "komarigoto"
QUESTION_BODY_MAX = 2000  # the pre-filled body is cut there (the form allows more)


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
    #: the listing's counts by prefecture code (``queries.prefecture_counts``, through the
    #: counter registered with :func:`count_with`): the page's result count comes from them
    by_prefecture: dict[str | None, int] = dataclasses.field(default_factory=dict)


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


#: ``counter(filters) -> {prefecture code: count}``: by default one statement a call; the stats
#: package registers its cached counts (the same numbers, shared with its map)
_counter: list[Callable[[queries.Filters], dict[str | None, int]]] = [queries.prefecture_counts]


def count_with(counter: Callable[[queries.Filters], dict[str | None, int]]) -> None:
    _counter[:] = [counter]


@dataclass(frozen=True)
class Widening:
    """One click out of an empty result: a wider listing and how many it has."""

    label: str
    url: str
    count: int


def _filter_options(
    kind: str, prefectures: list[Prefecture] | None = None, regions: list[Region] | None = None
) -> dict:
    """The choices of the filter form. With a 地方 chosen the form offers only its prefectures
    (the others are sent disabled and hidden, for ``static/js/filters.js`` to bring back when the
    地方 changes)."""
    prefectures = taxonomy.list_prefectures() if prefectures is None else prefectures
    regions = taxonomy.list_regions() if regions is None else regions
    options = {
        "prefectures": [(p.code, p.name) for p in prefectures],
        "prefecture_regions": {p.code: p.region_code for p in prefectures},
        "regions": [(r.code, r.name) for r in regions],
        "fields": [(f.slug, f.name) for f in taxonomy.list_player_fields()],
        "domains": [(d.slug, d.name) for d in taxonomy.list_life_domains()],
    }
    if kind == "case":
        options["population"] = {k: v[0] for k, v in POPULATION_BANDS.items()}
        options["funding"] = FUNDING_KINDS
        options["origins"] = queries.CASE_ORIGINS
    elif kind == "event":
        options["modes"] = ATTENDANCE_MODES
        options["statuses"] = EVENT_STATUSES
    elif kind == "policy":
        options["ministries"] = [(m, m) for m in queries.list_ministries()]
        options["policy_kinds"] = POLICY_KINDS
    elif kind == "challenge":
        options["statuses"] = CHALLENGE_STATUSES
    return options


def _choice_labels(options: dict) -> dict[str, dict[str, str]]:
    """URL argument → {value: label} of the filter form's choices."""
    labels = {name: dict(options[key]) for name, key in (
        ("prefecture", "prefectures"), ("block", "regions"), ("field", "fields"),
        ("domain", "domains"), ("ministry", "ministries"))
        if key in options}  # fmt: skip
    for name, key in (("population", "population"), ("funding", "funding"), ("mode", "modes"),
                      ("status", "statuses"), ("policy_kind", "policy_kinds"),
                      ("origin", "origins")):  # fmt: skip
        if key in options:
            labels[name] = {k: str(v) for k, v in options[key].items()}
    return labels


def _value_label(name: str, value: str, labels: dict[str, dict[str, str]]) -> str:
    if name == "q":
        return _("キーワード「%(q)s」", q=value)
    if name == "space":
        return _("プラットフォーム「%(slug)s」", slug=value)
    if name == "fiscal_year":
        return _("%(year)s年度", year=value)
    if name == "from":
        return _("%(day)sから", day=value)
    if name == "to":
        return _("%(day)sまで", day=value)
    return labels.get(name, {}).get(value, value)


def _widenings(listing: Listing, labels: dict[str, dict[str, str]]) -> list[Widening]:
    """An empty listing's ways out, each with its count: the prefecture's whole 地方, the
    listing without its prefecture, without its 地方, national, then without each other filter
    (one count each: only empty listings ask). Only those that find something, once each."""
    filters, by_code = listing.filters, listing.by_prefecture
    found: list[Widening] = []
    seen: set[tuple] = set()

    def offer(label: str, wider: queries.Filters, count: int) -> None:
        key = tuple(sorted(wider.args().items()))
        if count and key not in seen:
            seen.add(key)
            url = url_for("structured.listing", kind=listing.kind, **wider.args())
            found.append(Widening(label, url, count))

    region_of = {p.code: p.region_code for p in listing.prefectures}
    region_names = {r.code: r.name for r in listing.regions}
    if filters.prefecture and (region := region_of.get(filters.prefecture)):
        codes = [code for code, r in region_of.items() if r == region]
        whole = replace(filters, prefecture=None, block=region,
                        _ids={**filters._ids, "block": codes})  # fmt: skip
        offer(_("%(region)s全体に広げる", region=region_names.get(region, region)), whole,
              queries.total_of(whole, by_code))  # fmt: skip
    for name in ("prefecture", "block"):
        if value := filters.args().get(name):
            wider = filters.without(name)
            label = _("「%(value)s」を外す", value=_value_label(name, value, labels))
            offer(label, wider, queries.total_of(wider, by_code))
    if filters.prefecture or filters.block:
        national = filters.without("prefecture", "block")
        offer(_("全国に広げる"), national, queries.total_of(national, by_code))
    if listing.kind == "event" and filters.when in (None, "upcoming") and not (
        filters.date_from or filters.date_to
    ):
        every = replace(filters, when="all")  # upcoming events only: the past ones too
        offer(_("過去のイベントも含める"), every, queries.total_of(every, _counter[0](every)))
    for name, value in filters.args().items():
        if name in ("prefecture", "block", "when"):
            continue
        wider = filters.without(name)
        count = queries.total_of(wider, _counter[0](wider))
        label = (_("キーワード「%(q)s」を外す", q=value) if name == "q"
                 else _("「%(value)s」を外す", value=_value_label(name, value, labels)))  # fmt: skip
        offer(label, wider, count)
    return found


def question_url(title: str, body: str, *, pref=None, domain=None, field=None) -> str:
    """The new-thread form of the question board, pre-filled (``forum.new_thread`` reads
    ``title`` and ``body`` on GET, and ``pref``, ``domain``, ``field`` as the question's tags)."""
    tags = {k: v for k, v in (("pref", pref), ("domain", domain), ("field", field)) if v}
    return url_for("forum.new_thread", slug=QUESTION_BOARD, title=title[:120],
                   body=body[:QUESTION_BODY_MAX], **tags)  # fmt: skip


def case_question_url(thread) -> str:
    """「この事例について質問する」: a question thread that names the case and links to it,
    tagged with the case's prefecture."""
    title = _("取組事例「%(title)s」について質問", title=thread.title)
    body = "\n".join([
        _("取組事例「%(title)s」について質問です。", title=thread.title),
        absolute_url("forum.thread", thread_id=thread.id), "",
        _("（ここに質問を書いてください）"),
    ])  # fmt: skip
    from structured import thread_detail  # the package's per-request look-up (it imports us)

    detail = thread_detail(thread)
    return question_url(title, body, pref=detail.prefecture_code if detail else None)


def _listing_question(kind: str, filters: queries.Filters, labels: dict) -> str:
    kind_label = KIND_LABELS[kind]
    chosen = [_value_label(n, v, labels) for n, v in filters.args().items() if n != "when"]
    title = _("%(kind)sを探しています", kind=kind_label)
    if chosen:
        title += _("（%(conditions)s）", conditions="・".join(chosen))
    lines = [_("次の条件で%(kind)sを探しましたが、見つかりませんでした。", kind=kind_label),
             _("ご存じの取組や情報があれば教えてください。"), ""]  # fmt: skip
    lines += [f"- {c}" for c in chosen]
    lines += ["", _("探した一覧：%(url)s",
                    url=absolute_url("structured.listing", kind=kind, **filters.args()))]  # fmt: skip
    return question_url(title, "\n".join(lines), pref=filters.prefecture,
                        domain=filters.domain, field=filters.field)  # fmt: skip


def listing(kind: str):
    filters, error = _filters_or_error(kind)
    try:
        page = queries.list_page(filters, cursor=request.args.get("cursor"))
    except BadCursor:
        abort(400)
    board = forum_queries.get_board(BOARDS[kind])
    prefectures, regions = taxonomy.list_prefectures(), taxonomy.list_regions()
    here = Listing(kind, filters, prefectures, regions, by_prefecture=_counter[0](filters))
    panels = [p for p in (make(here) for make in _panels) if p is not None]
    options = _filter_options(kind, prefectures, regions)
    widenings, ask_url = [], None
    if not page.items and not request.args.get("cursor") and filters.active:
        labels = _choice_labels(options)
        widenings = _widenings(here, labels)
        ask_url = _listing_question(kind, filters, labels)
    return render_template(
        "structured/listing.html", kind=kind, kind_label=KIND_LABELS[kind], filters=filters,
        filter_error=error, page=page, options=options, board=board,
        is_first_page=not request.args.get("cursor"), panels=panels,
        total=queries.total_of(filters, here.by_prefecture), widenings=widenings, ask_url=ask_url,
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
        filters=filters, filter_error=error, month=first,
        options=_filter_options("event"),
        weeks=weeks, by_day=by_day, event_count=len(events), truncated=truncated, args=args,
        prev_url=url_for("structured.calendar_view", month=prev_month.strftime("%Y-%m"), **args),
        next_url=url_for("structured.calendar_view", month=next_month.strftime("%Y-%m"), **args),
        month_ics_url=url_for("structured.events_ics", **{**args, "from": first.isoformat(),
                                                           "to": last.isoformat()}),
        today=datetime.now(UTC).astimezone(TOKYO).date(), board=forum_queries.get_board("events"),
        weekday_names=[_("日"), _("月"), _("火"), _("水"), _("木"), _("金"), _("土")],
    ), (400 if error else 200)  # fmt: skip
