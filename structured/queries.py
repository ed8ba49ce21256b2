"""Listings of structured threads: filters that combine, keyset pagination, bulk loading.

The same ``Filters`` serve the pages, the API, the calendar and the exports, so a filtered URL
means the same everywhere.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, union_all
from sqlalchemy.orm import contains_eager, noload

from auth.spaces import NATIONAL_SPACE_ID, Space
from core import cursors
from core.extensions import db
from forum import audience
from forum.models import Board, Thread
from structured import counts
from structured.models import (
    CaseOrigin,
    ListingCount,
    ThreadDetail,
    thread_life_domains,
    thread_player_fields,
)
from structured.schema import (
    ATTENDANCE_MODES,
    CHALLENGE_STATUSES,
    EVENT_STATUSES,
    FUNDING_KINDS,
    POLICY_KINDS,
    POPULATION_BANDS,
    TOKYO,
)
from taxonomy.models import LifeDomain, PlayerField, Prefecture, Region

#: which filters each listing offers (the API and the pages accept exactly these)
KIND_FILTERS = {
    "case": ("q", "space", "prefecture", "block", "field", "domain", "population", "funding",
             "origin"),
    "event": ("q", "space", "prefecture", "block", "field", "domain", "mode", "status", "from", "to", "when"),
    "policy": ("q", "space", "prefecture", "block", "field", "domain", "ministry", "fiscal_year", "policy_kind"),
    "challenge": ("q", "space", "prefecture", "block", "field", "domain", "status"),
}

#: the keyword (``q``): at most this many characters, and at most this many matching threads
#: (the best-scoring ones) narrow the listing
MAX_KEYWORD_LENGTH = 100
KEYWORD_THREADS = 1000

#: ``matcher(kind, keyword) -> thread ids | None`` (None: the index is not ready). Registered by
#: the search package (the listings know nothing of it: the dependency points up); it applies the
#: audience rule of the search page, and the listing's own conditions apply again to every id.
KeywordMatcher = Callable[[str, str], "list[int] | None"]
_keyword_matcher: list[KeywordMatcher] = []


def set_keyword_matcher(matcher: KeywordMatcher) -> None:
    _keyword_matcher[:] = [matcher]


class BadFilter(ValueError):
    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name
        self.message = message


@dataclass(frozen=True)
class Filters:
    kind: str
    q: str | None = None  # a keyword: the threads the site search finds for it
    space: str | None = None  # a space's slug: only its boards
    prefecture: str | None = None
    block: str | None = None
    field: str | None = None
    domain: str | None = None
    population: str | None = None
    funding: str | None = None
    mode: str | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    when: str | None = None  # events: "upcoming" (default) | "past" | "all"
    ministry: str | None = None
    fiscal_year: int | None = None
    policy_kind: str | None = None
    #: cases: ``platform`` — only the cases born from a local problem on this platform
    origin: str | None = None
    _ids: dict = dataclasses.field(default_factory=dict, compare=False, repr=False)
    #: a notice for the page (an inconsistent 地方 was dropped), never a URL argument
    _notice: str | None = dataclasses.field(default=None, compare=False, repr=False)

    def args(self) -> dict[str, str]:
        """The filters as URL query arguments (for links, pagination, exports)."""
        out = {}
        for f in fields(self):
            if f.name in ("kind", "_ids", "_notice"):
                continue
            value = getattr(self, f.name)
            if value is None:
                continue
            name = {"date_from": "from", "date_to": "to"}.get(f.name, f.name)
            out[name] = value.isoformat() if isinstance(value, date) else str(value)
        return out

    @property
    def active(self) -> bool:
        return bool({k for k in self.args() if k != "when"})

    @property
    def notice(self) -> str | None:
        return self._notice

    def without(self, *names: str) -> Filters:
        """These filters less ``names`` (URL argument names); the lookups made stay."""
        attrs = {"from": "date_from", "to": "date_to"}
        return replace(self, **{attrs.get(n, n): None for n in names})


FILTER_LABELS = {
    "population": _l("人口規模"),
    "funding": _l("財源"),
    "mode": _l("参加方法"),
    "status": _l("状況"),
    "when": _l("期間"),
    "policy_kind": _l("種別"),
    "origin": _l("生まれた場所"),
}
#: ``origin`` filter values of the case listing
CASE_ORIGINS = {"platform": _l("このプラットフォームから生まれた事例")}


def _choice(name: str, value: str, allowed) -> str:
    if value not in allowed:
        label = FILTER_LABELS.get(name, name)
        raise BadFilter(name, _("「%(name)s」の値が正しくありません。", name=label))
    return value


def parse_filters(kind: str, args) -> Filters:
    """Read the listing filters from query arguments; raises BadFilter naming the argument."""
    allowed = KIND_FILTERS[kind]
    values: dict = {}
    ids: dict = {}

    def get(name: str) -> str | None:
        value = (args.get(name) or "").strip()
        return value if value and name in allowed else None

    if (slug := get("space")) is not None:
        found = db.session.scalar(select(Space.id).where(Space.slug == slug))
        if found is None:
            raise BadFilter("space", _("プラットフォームが見つかりません。"))
        values["space"], ids["space"] = slug, found
    prefecture = None
    if (code := get("prefecture")) is not None:
        prefecture = db.session.get(Prefecture, code)
        if prefecture is None:
            raise BadFilter("prefecture", _("都道府県コードが正しくありません。"))
        values["prefecture"] = code
    notice = None
    if (block := get("block")) is not None:
        codes = list(
            db.session.scalars(select(Prefecture.code).where(Prefecture.region_code == block))
        )
        if not codes:
            raise BadFilter("block", _("地方ブロックが正しくありません。"))
        if prefecture is not None and prefecture.code not in codes:
            # 中部 + 東京都: the prefecture is the narrower choice; the 地方 is dropped, and said
            region = db.session.get(Region, block)
            notice = _("%(prefecture)sは%(region)sにないため、地方の条件を外して%(prefecture)sを表示しています。",
                       prefecture=prefecture.name, region=region.name if region else block)  # fmt: skip
        else:
            values["block"], ids["block"] = block, codes
    if (slug := get("field")) is not None:
        found = db.session.scalar(select(PlayerField.id).where(PlayerField.slug == slug))
        if found is None:
            raise BadFilter("field", _("分野が正しくありません。"))
        values["field"], ids["field"] = slug, found
    if (slug := get("domain")) is not None:
        found = db.session.scalar(select(LifeDomain.id).where(LifeDomain.slug == slug))
        if found is None:
            raise BadFilter("domain", _("生活支援の領域が正しくありません。"))
        values["domain"], ids["domain"] = slug, found
    if (v := get("population")) is not None:
        values["population"] = _choice("population", v, POPULATION_BANDS)
    if (v := get("funding")) is not None:
        values["funding"] = _choice("funding", v, FUNDING_KINDS)
    if (v := get("mode")) is not None:
        values["mode"] = _choice("mode", v, ATTENDANCE_MODES)
    if (v := get("status")) is not None:
        values["status"] = _choice(
            "status", v, EVENT_STATUSES if kind == "event" else CHALLENGE_STATUSES
        )
    if (v := get("when")) is not None:
        values["when"] = _choice("when", v, ("upcoming", "past", "all"))
    for name, key in (("from", "date_from"), ("to", "date_to")):
        if (v := get(name)) is not None:
            try:
                values[key] = date.fromisoformat(v[:10])
            except ValueError:
                raise BadFilter(name, _("日付は「2026-12-01」の形で指定してください。")) from None
    if (
        values.get("date_from")
        and values.get("date_to")
        and values["date_to"] < values["date_from"]
    ):
        raise BadFilter("to", _("終わりの日付は始まりの日付より後にしてください。"))
    if (v := get("ministry")) is not None:
        values["ministry"] = v[:80]
    if (v := get("fiscal_year")) is not None:
        if not (v.isdigit() and 2000 <= int(v) <= 2100):
            raise BadFilter("fiscal_year", _("年度は西暦の年（例：2026）で指定してください。"))
        values["fiscal_year"] = int(v)
    if (v := get("policy_kind")) is not None:
        values["policy_kind"] = _choice("policy_kind", v, POLICY_KINDS)
    if (v := get("origin")) is not None:
        values["origin"] = _choice("origin", v, CASE_ORIGINS)
    if (v := get("q")) is not None:  # last: the other filters are checked before searching
        values["q"], ids["q"] = v, _keyword_threads(kind, v)
    return Filters(kind=kind, _ids=ids, _notice=notice, **values)


def _keyword_threads(kind: str, keyword: str) -> list[int]:
    if len(keyword) > MAX_KEYWORD_LENGTH:
        raise BadFilter("q", _("検索ワードは%(n)d文字以内で入力してください。", n=MAX_KEYWORD_LENGTH))
    if not _keyword_matcher:
        raise BadFilter("q", _("キーワードでの検索はいま使えません。"))
    found = _keyword_matcher[0](kind, keyword)
    if found is None:
        raise BadFilter("q", _("検索の準備ができていません。しばらくしてからもう一度お試しください。"))
    return found[:KEYWORD_THREADS]


def _tokyo_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=TOKYO).astimezone(UTC)


def _conditions(filters: Filters, *, counting: bool = False, few: bool = False) -> list:
    """The WHERE clauses of a listing over ``thread_details`` joined to its thread and board:
    visible threads of the kind that the viewer may read, with every filter applied. The one
    definition behind the pages, the API, the exports and the counts.

    ``counting``: the same rows over ``thread_details`` alone, as the counts read them — the
    thread's state from the detail's copies (``structured.copies``; no look-up of each item's
    thread), a field or domain as a list of threads (built once: a count visits every item of
    the kind, a page only its first few) unless ``few`` (a count of a few items: a look-up
    each)."""
    f = filters
    state = ThreadDetail if counting else Thread
    where = [ThreadDetail.kind == f.kind, state.is_deleted.is_(False),
             state.is_hidden.is_(False),
             audience.readable_filter(state.board_id, audience.viewer())]  # fmt: skip
    if f.q:
        where.append(ThreadDetail.thread_id.in_(f._ids["q"]))
    if f.space and counting:
        where.append(
            ThreadDetail.board_id.in_(select(Board.id).where(Board.space_id == f._ids["space"]))
        )
    elif f.space:
        where.append(Board.space_id == f._ids["space"])
    if f.prefecture:
        where.append(ThreadDetail.prefecture_code == f.prefecture)
    if f.block:
        where.append(ThreadDetail.prefecture_code.in_(f._ids["block"]))
    for table, column, name in ((thread_player_fields, "player_field_id", "field"),
                                (thread_life_domains, "life_domain_id", "domain")):  # fmt: skip
        if not getattr(f, name):
            continue
        if counting and not few:
            tagged = select(table.c.thread_id).where(table.c[column] == f._ids[name])
            where.append(ThreadDetail.thread_id.in_(tagged))
        else:
            where.append(exists().where(table.c.thread_id == ThreadDetail.thread_id,
                                        table.c[column] == f._ids[name]))  # fmt: skip
    if f.population:
        _, low, high = POPULATION_BANDS[f.population]
        where.append(ThreadDetail.population >= low)
        if high is not None:
            where.append(ThreadDetail.population < high)
    if f.funding:
        where.append(ThreadDetail.funding_kind == f.funding)
    if f.mode:
        where.append(ThreadDetail.attendance_mode == f.mode)
    if f.status:
        where.append(ThreadDetail.status == f.status)
    if f.date_from:
        where.append(ThreadDetail.starts_at >= _tokyo_midnight(f.date_from))
    if f.date_to:
        where.append(ThreadDetail.starts_at < _tokyo_midnight(f.date_to + timedelta(days=1)))
    if f.ministry:
        where.append(ThreadDetail.ministry == f.ministry)
    if f.fiscal_year:
        where.append(ThreadDetail.fiscal_year == f.fiscal_year)
    if f.policy_kind:
        where.append(ThreadDetail.policy_kind == f.policy_kind)
    if f.origin == "platform":
        where.append(exists().where(CaseOrigin.case_thread_id == ThreadDetail.thread_id))
    return where


def _joined(query: Select) -> Select:
    """``query`` over ``thread_details`` with the thread and its board (the space's filter and
    label) joined, as :func:`_conditions` expects."""
    return query.join(Thread, Thread.id == ThreadDetail.thread_id).join(
        Board, Board.id == Thread.board_id
    )


def _base(filters: Filters) -> Select:
    """Visible threads of the kind with every filter applied (no order, no page)."""
    return (
        _joined(select(ThreadDetail))
        .options(contains_eager(ThreadDetail.thread).contains_eager(Thread.board))
        .where(*_conditions(filters))
    )


def _event_window(filters: Filters, now: datetime) -> ColumnElement[bool] | None:
    """Which events a listing without a date range shows: from today on (``when`` unset or
    ``upcoming``), before today (``past``), or all (``all``: None); days are Tokyo days."""
    if filters.date_from or filters.date_to:
        return None
    today = _tokyo_midnight(now.astimezone(TOKYO).date())
    if filters.when in (None, "upcoming"):
        return ThreadDetail.starts_at >= today
    if filters.when == "past":
        return ThreadDetail.starts_at < today
    return None


def prefecture_counts(filters: Filters, *, now: datetime | None = None,
                      kept: bool = True) -> dict[str | None, int]:  # fmt: skip
    """How many items of the listing each prefecture has, by code (``None``: items with no
    prefecture): the listing's own conditions, events in its time window, but neither the
    prefecture nor the 地方 filter (a map of the current choice would show one prefecture).

    From the kept counts (``structured.counts``: a row per board and prefecture) when the
    filters are only a platform and one field or domain; otherwise (or ``kept=False``) one
    aggregate statement over ``thread_details`` alone: every column it reads is in
    ``ix_thread_details_kind_state`` (events: ``ix_thread_details_kind_start_state``), so
    neither the items' rows nor their threads are read — at 100,000 structured threads all the
    cases in about 5 ms of CPU in SQLite (bench/README.md, "Prefecture map")."""
    if kept and counts.answers(filters):
        return _kept_counts(filters, now or datetime.now(UTC))
    anywhere = replace(filters, prefecture=None, block=None)
    where = _conditions(anywhere, counting=True)
    if filters.kind == "event":
        window = _event_window(anywhere, now or datetime.now(UTC))
        if window is not None:
            where.append(window)
    code = ThreadDetail.prefecture_code
    query = select(code, func.count()).where(*where).group_by(code)
    return {code: count for code, count in db.session.execute(query)}


def _kept_counts(filters: Filters, now: datetime) -> dict[str | None, int]:
    """:func:`prefecture_counts` from the kept rows (``structured.counts``), for the viewer of
    this request. Events outside ``when=all``: the whole months on the window's side from the
    rows, the current month's items on that side from the index of start times."""
    c = ListingCount
    # (``Filters.without`` keeps the ids it looked up: the filter itself says whether it is on)
    field = filters._ids["field"] if filters.field else 0
    domain = filters._ids["domain"] if filters.domain else 0
    where = [c.kind == filters.kind, c.field_id == field, c.domain_id == domain,
             audience.readable_filter(c.board_id, audience.viewer())]  # fmt: skip
    if filters.space:
        where.append(c.board_id.in_(select(Board.id).where(Board.space_id == filters._ids["space"])))
    partial = None
    if filters.kind != "event":
        where.append(c.month == 0)
    elif filters.when != "all":
        today = _tokyo_midnight(now.astimezone(TOKYO).date())  # as _event_window
        first = datetime(today.year, today.month, 1, tzinfo=UTC)
        following = (first + timedelta(days=32)).replace(day=1)
        if filters.when == "past":
            where.append(c.month < counts.month_of(today))
            partial = (first, today)
        else:
            where.append(c.month > counts.month_of(today))
            partial = (today, following)
    parts = [select(c.prefecture_code.label("code"), c.items.label("n")).where(*where)]
    if partial is not None:  # the current month's items on the window's side, in one statement
        anywhere = replace(filters, prefecture=None, block=None)
        code = func.coalesce(ThreadDetail.prefecture_code, "")
        parts.append(select(code.label("code"), func.count().label("n")).where(
            *_conditions(anywhere, counting=True, few=True),
            ThreadDetail.starts_at >= partial[0], ThreadDetail.starts_at < partial[1],
        ).group_by(code))  # fmt: skip
    rows = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("kept_counts")
    query = select(rows.c.code, func.sum(rows.c.n)).group_by(rows.c.code)
    found = {code or None: int(n) for code, n in db.session.execute(query)}
    return {code: n for code, n in found.items() if n}


def total_of(filters: Filters, by_code: dict[str | None, int]) -> int:
    """How many items the listing ``filters`` has, from the counts by prefecture of the same
    filters (:func:`prefecture_counts`, which leave out the prefecture and the 地方): no
    statement of its own."""
    if filters.prefecture:
        return by_code.get(filters.prefecture, 0)
    if filters.block:
        return sum(by_code.get(code, 0) for code in filters._ids["block"])
    return sum(by_code.values())


@dataclass
class Page:
    items: list[ThreadDetail]
    next_cursor: str | None


def _event_direction(filters: Filters) -> str:
    if filters.date_from or filters.date_to:
        return "asc"
    return "desc" if filters.when == "past" else "asc"


def list_page(filters: Filters, *, cursor: str | None = None, limit: int = 20,
              now: datetime | None = None, with_tags: bool = True) -> Page:  # fmt: skip
    """One page of a listing. Events: upcoming first (soonest first) unless ``when=past``
    (latest first) or a date range is given; other kinds: newest first."""
    query = _base(filters)
    if filters.kind == "event":
        query = _event_order(query, filters, cursor, now or datetime.now(UTC))
    else:
        query = query.order_by(ThreadDetail.thread_id.desc())
        if cursor:
            (last_id,) = cursors.decode(cursor, int)
            query = query.where(ThreadDetail.thread_id < last_id)
    if not with_tags:
        query = query.options(noload(ThreadDetail.player_fields), noload(ThreadDetail.life_domains))
    rows = list(db.session.scalars(query.limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        if filters.kind == "event":
            next_cursor = cursors.encode(last.starts_at, last.thread_id)
        else:
            next_cursor = cursors.encode(last.thread_id)
    return Page(rows, next_cursor)


def _event_order(query: Select, filters: Filters, cursor: str | None, now: datetime) -> Select:
    direction = _event_direction(filters)
    window = _event_window(filters, now)
    if window is not None:
        query = query.where(window)
    if cursor:
        at, thread_id = cursors.decode(cursor, datetime, int)
        if direction == "asc":
            query = query.where(or_(ThreadDetail.starts_at > at,
                                    and_(ThreadDetail.starts_at == at, ThreadDetail.thread_id > thread_id)))  # fmt: skip
        else:
            query = query.where(or_(ThreadDetail.starts_at < at,
                                    and_(ThreadDetail.starts_at == at, ThreadDetail.thread_id < thread_id)))  # fmt: skip
    if direction == "asc":
        return query.order_by(ThreadDetail.starts_at.asc(), ThreadDetail.thread_id.asc())
    return query.order_by(ThreadDetail.starts_at.desc(), ThreadDetail.thread_id.desc())


def list_events_between(
    filters: Filters, start: date, end: date, limit: int = 1000
) -> list[ThreadDetail]:
    """Events starting on ``start``..``end`` (inclusive, Tokyo days), soonest first."""
    query = (
        _base(replace(filters, date_from=None, date_to=None, when=None))
        .where(ThreadDetail.starts_at >= _tokyo_midnight(start),
               ThreadDetail.starts_at < _tokyo_midnight(end + timedelta(days=1)))
        .order_by(ThreadDetail.starts_at, ThreadDetail.thread_id)
        .limit(limit)
    )  # fmt: skip
    return list(db.session.scalars(query).unique())


def list_for_export(
    filters: Filters, limit: int = 1000, now: datetime | None = None, with_tags: bool = False
) -> list[ThreadDetail]:
    """What a filtered export contains: the listing's order, up to ``limit`` rows. Tags (fields,
    domains) only for the exports that write them (a workbook): each tag list for all the rows at
    once (SQLAlchemy's selectin, 500 rows a statement), none for the calendar and the CSV."""
    return list_page(filters, limit=limit, now=now, with_tags=with_tags).items


def newest(filters: Filters, limit: int = 30) -> list[ThreadDetail]:
    """The most recently registered items (feeds), whatever their event dates."""
    query = _base(replace(filters, when=None)).order_by(ThreadDetail.thread_id.desc()).limit(limit)
    return list(db.session.scalars(query).unique())


def list_ministries() -> list[str]:
    """The 所管 choices: the ministries of the policies the viewer may read, from
    ``ix_thread_details_kind_state`` alone (the thread's state from the detail's copies)."""
    query = (
        select(ThreadDetail.ministry)
        .where(ThreadDetail.kind == "policy", ThreadDetail.ministry.is_not(None),
               ThreadDetail.is_deleted.is_(False), ThreadDetail.is_hidden.is_(False),
               audience.readable_filter(ThreadDetail.board_id, audience.viewer()))
        .distinct()
        .order_by(ThreadDetail.ministry)
    )
    return list(db.session.scalars(query))


def for_space_home(space, *, limit: int = 12) -> list[ThreadDetail]:
    """A prefectural platform's home: its own cases, events, policies and local problems, and the
    national platform's that concern its prefecture (held there, or national policies), newest
    first — what the viewer may read."""
    own = Board.space_id == space.id
    national = Board.space_id == NATIONAL_SPACE_ID
    concerns = or_(
        ThreadDetail.prefecture_code == space.prefecture_code,
        and_(ThreadDetail.kind == "policy", ThreadDetail.prefecture_code.is_(None)),
    )
    query = (
        select(ThreadDetail)
        .join(Thread, Thread.id == ThreadDetail.thread_id)
        .join(Board, Board.id == Thread.board_id)
        .options(contains_eager(ThreadDetail.thread).contains_eager(Thread.board))
        .where(Thread.is_deleted.is_(False), Thread.is_hidden.is_(False),
               audience.readable_filter(Thread.board_id, audience.viewer()),
               or_(own, and_(national, concerns)))
        .order_by(Thread.created_at.desc(), Thread.id.desc())
        .limit(limit)
    )  # fmt: skip
    return list(db.session.scalars(query).unique())
