"""The kept counts of the listings (``listing_counts``, migration 0033): how many visible items of
each kind every board has in each prefecture, in all and per player field and life domain.

**Why.** The prefecture map of a listing counts the whole country for the listing's other
filters, and the listing's 「N件」 comes from those counts. Counted from the items, that is one
index entry per item of the kind (40,000 cases at 100,000 structured threads): 6-20 ms, more
than a listing narrowed to one prefecture costs on its own (bench/README.md, "Prefecture map").
Read from here it is one row per board and prefecture (events: and per month of their start).

**Exact, in the same transaction.** No worker and no delay: just before a transaction commits
(through :mod:`core.events`, from ``structured.copies``, after the thread's state has been
copied into its details), every group whose items changed is counted again from
``thread_details`` — the group's rows deleted, and inserted from one grouped statement that
reads ``ix_thread_details_kind_state`` alone and probes the tag tables for each item. A group is
the items of one kind in one prefecture, and for events one month of their start: at 100,000
structured threads the largest (2,900 cases of one prefecture) takes 8 ms in SQLite and 12 ms
in PostgreSQL, a prefecture's month of events 6 / 8 ms (bench/README.md, "Prefecture map").
Two statements (three on PostgreSQL), whatever made the change: web, API, CLI, moderation. The
groups touched are

- a detail row inserted or deleted, or whose kind, prefecture, start or ``updated_at`` changed:
  the group before the flush and the one after (every save of the details sets ``updated_at``,
  and the player fields and life domains change only with a save: ``structured.details``);
- a thread whose deleted or hidden flag or board changed: the groups of the details whose
  copies the copier changed (it returns them);
- a bulk ``UPDATE`` that names no rows: every detail the copier put right; one of the details
  themselves: everything.

On PostgreSQL the counting takes a transaction-level advisory lock first, so that two
transactions never count the same group from snapshots that miss each other's items; SQLite
writes one transaction at a time anyway.

**Events** are kept per month of their start (``month``: YYYYMM of ``starts_at`` in UTC; 0 for
the other kinds), so that the upcoming or past window, which moves with the Tokyo day, reads
the whole months on its side from here and counts only the items of the current month from
the index of start times.

**Read** by ``structured.queries.prefecture_counts`` for the filters :func:`answers` (the
kind, the platform, one field or one domain, events' window — the prefecture and 地方 are the
map's own axis); the audience rule applies per board when read, with the boards as they are
then. Other filters (a keyword, a status, a year, population, dates) are counted from the
items. :func:`differences` compares the kept rows with a fresh count (tests, ``flask listings
counts``); :func:`rebuild` counts everything again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Integer,
    and_,
    case,
    delete,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from core.extensions import db
from structured.models import ListingCount, ThreadDetail, thread_life_domains, thread_player_fields

#: the :func:`core.events.watch` kind of the detail rows whose group changed
GROUPS = "listing_count_groups"
#: what a detail row's group depends on (``updated_at``: any save, which may change its tags)
WATCHED = ("kind", "prefecture_code", "starts_at", "updated_at")
#: pg_advisory_xact_lock's two keys: 'KYOS', and this table's number
_LOCK = (0x4B594F53, 33)
#: more groups than this in one transaction: their kinds are counted whole
_MANY = 60
#: the URL filters the kept counts answer (:func:`answers`; the others are counted from the items)
_ANSWERED = frozenset({"prefecture", "block", "space", "field", "domain"})

#: (kind, prefecture code or "", month: events YYYYMM of the start, other kinds 0)
Group = tuple[str, str, int]


class utc_month(FunctionElement):  # noqa: N801 - an SQL function's name
    """YYYYMM of a UTC datetime column, as an integer, on SQLite (naive UTC text) and
    PostgreSQL (``timestamptz``)."""

    type = Integer()
    inherit_cache = True


@compiles(utc_month, "sqlite")
def _utc_month_sqlite(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"CAST(strftime('%Y%m', {column}) AS INTEGER)"  # qmark parameters: % is plain


@compiles(utc_month, "postgresql")
def _utc_month_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"CAST(to_char({column} AT TIME ZONE 'UTC', 'YYYYMM') AS INTEGER)"


def month_of(value: datetime) -> int:
    """:class:`utc_month` in Python (a naive datetime is read as UTC, as SQLite keeps it)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.year * 100 + value.month


def group_of(kind: str, code: str | None, starts_at) -> Group:
    """The group of an item of ``kind`` in prefecture ``code`` starting at ``starts_at``."""
    month = month_of(starts_at) if kind == "event" and starts_at is not None else 0
    return (kind, code or "", month)


def detail_groups(detail: ThreadDetail) -> set[Group]:
    """The groups a detail row belongs to before the flush and after it (a
    :func:`core.events.watch` key function: called while the history holds the old values)."""
    attrs = inspect(detail).attrs

    def before(name: str):
        deleted = attrs[name].history.deleted
        return deleted[0] if deleted else getattr(detail, name)

    return {group_of(detail.kind, detail.prefecture_code, detail.starts_at),
            group_of(before("kind"), before("prefecture_code"), before("starts_at"))}  # fmt: skip


def _month_range(month: int):
    first = datetime(month // 100, month % 100, 1, tzinfo=UTC)
    return first, (first + timedelta(days=32)).replace(day=1)


def _scopes(groups: set[Group] | None, kinds: set[str] | None) -> list[tuple[str | None, object]]:
    """What to count, as (kind or None for any, WHERE clause) pairs: per kind and month, the
    prefectures of its groups as one ``IN`` (a range each of ``ix_thread_details_kind_state``,
    an event's month a range of ``starts_at`` within it), no prefecture on its own
    (``IS NULL``)."""
    d = ThreadDetail.__table__.c
    if groups is None:
        return [(None, literal(True))]
    if kinds is not None:
        return [(kind, d.kind == kind) for kind in sorted(kinds)]
    scopes = []
    for kind, month in sorted({(kind, month) for kind, _code, month in groups}):
        where = [d.kind == kind]
        if kind == "event" and month:
            first, following = _month_range(month)
            where += [d.starts_at >= first, d.starts_at < following]
        elif kind == "event":
            where.append(d.starts_at.is_(None))
        codes = sorted(c for k, c, m in groups if (k, m) == (kind, month) and c)
        if codes:
            scopes.append((kind, and_(*where, d.prefecture_code.in_(codes))))
        if (kind, "", month) in groups:
            scopes.append((kind, and_(*where, d.prefecture_code.is_(None))))
    return scopes


def _counted(scopes: list[tuple[str | None, object]]):
    """The rows of ``listing_counts`` for the details of ``scopes``, counted afresh. A scope of
    one kind other than events never reads ``starts_at``, so that it reads the state index
    alone (``ix_thread_details_kind_state``, which carries ``starts_at`` for the events'
    months)."""
    d = ThreadDetail.__table__
    code = func.coalesce(d.c.prefecture_code, "")
    zero = literal(0, Integer)
    event_month = func.coalesce(utc_month(d.c.starts_at), 0)
    parts = []
    for kind, where in scopes:
        if kind is None:
            month = case((d.c.kind == "event", event_month), else_=zero)
        else:
            month = event_month if kind == "event" else zero
        visible = and_(where, d.c.is_deleted.is_(False), d.c.is_hidden.is_(False))
        # (a constant is not grouped by: written out, SQLite would read it as a column number)
        by = [d.c.kind, code, d.c.board_id] + ([] if month is zero else [month])
        plain = select(d.c.kind, zero, zero, month, code, d.c.board_id, func.count())
        parts.append(plain.where(visible).group_by(*by))
        for table, column, slot in ((thread_player_fields, "player_field_id", 1),
                                    (thread_life_domains, "life_domain_id", 2)):  # fmt: skip
            tag = table.c[column]
            ids = [zero, zero]
            ids[slot - 1] = tag
            part = select(d.c.kind, *ids, month, code, d.c.board_id, func.count())
            part = part.join_from(d, table, table.c.thread_id == d.c.thread_id).where(visible)
            parts.append(part.group_by(tag, *by))
    return union_all(*parts)


_COLUMNS = ("kind", "field_id", "domain_id", "month", "prefecture_code", "board_id", "items")


def recount(session: Session, groups: Iterable[Group] | None) -> None:
    """Count the ``groups`` again (None: everything), in the session's transaction."""
    groups = None if groups is None else set(groups)
    if groups is not None and not groups:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(*_LOCK)))
    kinds = None
    if groups is not None and len(groups) > _MANY:
        kinds = {kind for kind, _code, _month in groups}
    table = ListingCount.__table__
    if groups is None:
        connection.execute(delete(table))
    elif kinds is not None:
        connection.execute(delete(table).where(table.c.kind.in_(sorted(kinds))))
    else:
        connection.execute(delete(table).where(or_(*(
            and_(table.c.kind == kind, table.c.month == month,
                 table.c.prefecture_code.in_(sorted(c for k, c, m in groups if (k, m) == (kind, month))))
            for kind, month in sorted({(k, m) for k, _c, m in groups})))))  # fmt: skip
    connection.execute(insert(table).from_select(_COLUMNS, _counted(_scopes(groups, kinds))))


def rebuild_sql(dialect) -> list[str]:
    """The statements of :func:`rebuild` as SQL text for ``dialect``, for tools that write items
    without the application (``bench/structured_bench.py``)."""
    table = ListingCount.__table__
    statements = [delete(table), insert(table).from_select(_COLUMNS, _counted(_scopes(None, None)))]
    return [str(s.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
            for s in statements]  # fmt: skip


def rebuild(session: Session | None = None) -> int:
    """Count every item again; how many rows there are then."""
    session = session or db.session
    recount(session, None)
    return session.execute(select(func.count()).select_from(ListingCount)).scalar_one()


def differences(session: Session | None = None) -> list[tuple]:
    """The rows where the kept counts differ from a fresh count: ``(kind, field, domain, month,
    prefecture, board, kept, counted)``; empty when they agree."""
    session = session or db.session
    table = ListingCount.__table__
    kept = {tuple(row[:6]): row[6] for row in session.execute(select(*table.c[_COLUMNS]))}
    fresh = {tuple(row[:6]): row[6] for row in session.execute(_counted(_scopes(None, None)))}
    return sorted(
        (*key, kept.get(key), fresh.get(key))
        for key in kept.keys() | fresh.keys()
        if kept.get(key) != fresh.get(key)
    )


def answers(filters) -> bool:
    """Whether the kept counts can count the listing ``filters`` (events in any window)."""
    names = set(filters.args())
    names.discard("when")
    return names <= _ANSWERED and not (filters.field and filters.domain)
