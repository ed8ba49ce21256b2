"""The structured items' summary rows (issue #18 item 4): 事例・イベント・地域課題 counted per board,
month, prefecture and facet (``stats.models.StatsItemCount``), so that each of their tables is
one statement over a few thousand rows instead of a look-up of every item's thread.

A kind's rows are rebuilt whole from the items when anything of that kind changed (the thread, its
details, an RSVP: each leaves a thread row in the search outbox, see ``stats.register``). Rows
are per board, so the audience rule and the platform filter apply when they are read, with the
boards as they are then.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, func, insert, select

from core.extensions import db
from forum import audience
from forum.models import Board, Thread
from notifications.models import EventRsvp
from stats.models import StatsItemCount
from stats.scope import Scope, fiscal_year_of_month, month_of
from structured.models import ThreadDetail, ThreadDetailRevision, thread_life_domains
from structured.models import thread_player_fields as detail_fields
from structured.schema import POPULATION_BANDS
from taxonomy.models import Prefecture

KINDS = ("case", "event", "challenge")
#: the facets read per month (イベント：開催月別); the others keep one row per fiscal year
#: (``month`` 0), twelve times fewer for a year and 37 times fewer for all time
MONTHLY = {("event", "mode")}
PARTNERED_OR_CLOSED = ("partnered", "closed")


def partnership_days(threads: dict) -> dict[int, float]:
    """Days from registration to the edit that first set 連携成立, for ``threads`` (id → a row
    with ``status`` and ``created_at``), from the details' history (each revision keeps the fields
    an edit replaced)."""
    history: dict[int, list] = defaultdict(list)
    ids = list(threads)
    for i in range(0, len(ids), 500):
        for r in db.session.execute(
            select(ThreadDetailRevision.thread_id, ThreadDetailRevision.fields,
                   ThreadDetailRevision.replaced_at)
            .where(ThreadDetailRevision.thread_id.in_(ids[i : i + 500]))
            .order_by(ThreadDetailRevision.thread_id, ThreadDetailRevision.replaced_at,
                      ThreadDetailRevision.id)
        ):  # fmt: skip
            history[r.thread_id].append(r)
    days = {}
    for thread_id, row in threads.items():
        states = [((r.fields or {}).get("status"), r.replaced_at) for r in history[thread_id]]
        # the state each revision held was replaced at replaced_at by the next one
        sequence = [s for s, _at in states] + [row.status]
        for i in range(1, len(sequence)):
            if sequence[i] == "partnered" and sequence[i - 1] != "partnered":
                days[thread_id] = (states[i - 1][1] - row.created_at).total_seconds() / 86400
                break
    return days


def _links(table, column, kind: str) -> dict[int, list[int]]:
    ids = select(ThreadDetail.thread_id).where(ThreadDetail.kind == kind)
    out: dict[int, list[int]] = defaultdict(list)
    for thread_id, value in db.session.execute(
        select(table.c.thread_id, column).where(table.c.thread_id.in_(ids))
    ):
        out[thread_id].append(value)
    return out


def rebuild_kind(kind: str) -> int:
    """Replace the rows of ``kind`` from the items; returns the number of rows written."""
    items = db.session.execute(
        select(ThreadDetail.thread_id, Thread.board_id, Thread.created_at, ThreadDetail.starts_at,
               ThreadDetail.prefecture_code, ThreadDetail.status, ThreadDetail.funding_kind,
               ThreadDetail.population, ThreadDetail.attendance_mode)
        .select_from(ThreadDetail).join(Thread, Thread.id == ThreadDetail.thread_id)
        .where(ThreadDetail.kind == kind, Thread.is_deleted.is_(False),
               Thread.is_hidden.is_(False))
    ).all()  # fmt: skip
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])

    def add(item, facet: str, value: str, going: int = 0) -> None:
        moment = item.starts_at if kind == "event" else item.created_at
        month = month_of(moment) if moment is not None else 0
        year = fiscal_year_of_month(month) if month else 0
        if (kind, facet) not in MONTHLY:  # read per fiscal year only: a row per year, not month
            month = 0
        cell = cells[(facet, value, item.board_id, month, year, item.prefecture_code or "")]
        cell[0] += 1
        cell[1] += going

    if kind == "case":
        domains = _links(thread_life_domains, thread_life_domains.c.life_domain_id, kind)
        fields = _links(detail_fields, detail_fields.c.player_field_id, kind)
        for item in items:
            add(item, "all", "")
            for d in set(domains.get(item.thread_id, ())):
                add(item, "domain", str(d))
            for f in set(fields.get(item.thread_id, ())):
                add(item, "field", str(f))
            if item.population is None:
                add(item, "band", "none")
            for key, (_label, low, high) in POPULATION_BANDS.items():
                if (
                    item.population is not None
                    and low <= item.population
                    and (high is None or item.population < high)
                ):
                    add(item, "band", key)
            add(item, "funding", item.funding_kind or "")
    elif kind == "event":
        going = dict(db.session.execute(
            select(EventRsvp.thread_id, func.count()).where(EventRsvp.status == "going")
            .group_by(EventRsvp.thread_id)
        ).all())  # fmt: skip
        for item in items:
            n = int(going.get(item.thread_id, 0))
            add(item, "all", "", n)
            add(item, "mode", item.attendance_mode or "", n)
    elif kind == "challenge":
        ended = {}
        for item in items:
            add(item, "status", item.status or "")
            if item.status in PARTNERED_OR_CLOSED:
                ended[item.thread_id] = item
        for thread_id, value in partnership_days(ended).items():
            add(ended[thread_id], "days", repr(value))
    db.session.execute(delete(StatsItemCount).where(StatsItemCount.kind == kind))
    rows = [{"kind": kind, "facet": f, "value": v, "board_id": b, "month": m, "fiscal_year": y,
             "prefecture_code": p, "n": n, "going": g}
            for (f, v, b, m, y, p), (n, g) in cells.items()]  # fmt: skip
    if rows:
        db.session.execute(insert(StatsItemCount), rows)
    return len(rows)


# --- reading -----------------------------------------------------------------------------------


def counts(kind: str, facet: str, scope: Scope, *group, period: bool = True, region: bool = False,
           where_also=()) -> list:  # fmt: skip
    """``(*group, n, going)`` rows of ``kind``'s ``facet`` that this viewer may read, in the
    scope (the fiscal year, unless ``period`` is False, and the prefecture and platform);
    ``region``: joined to the prefecture (items without one left out) for its 地方."""
    c = StatsItemCount
    where = [c.kind == kind, c.facet == facet,
             audience.readable_filter(c.board_id, audience.viewer())]  # fmt: skip
    if scope.space_id is not None:
        where.append(c.board_id.in_(select(Board.id).where(Board.space_id == scope.space_id)))
    if period and scope.fiscal_year is not None:
        where.append(c.fiscal_year == scope.fiscal_year)
    if scope.prefecture:
        where.append(c.prefecture_code == scope.prefecture)
    query = select(*group, func.sum(c.n), func.sum(c.going)).where(*where, *where_also)
    if region:
        query = query.select_from(c).join(Prefecture, Prefecture.code == c.prefecture_code)
    if group:
        query = query.group_by(*group)
    rows = db.session.connection().execute(query).all()  # Core: no ORM work per row
    return [(*r[:-2], int(r[-2] or 0), int(r[-1] or 0)) for r in rows]
