"""The kept counts of the listings (``listing_counts``, migration 0033): how many visible items of
each kind every board has in each prefecture, in all and per player field and life domain.

**Why.** The prefecture map of a listing counts the whole country for the listing's other
filters, and the listing's 「N件」 comes from those counts. Counted from the items, that is one
index entry per item of the kind (40,000 cases at 100,000 structured threads): 6-20 ms, more
than a listing narrowed to one prefecture costs on its own (bench/README.md, "Prefecture map").
Read from here it is one row per board and prefecture (events: and per month of their start).

**Exact, in the same transaction.** No worker and no delay: just before a transaction commits
(through :mod:`core.events`, from ``structured.copies``, after the thread's state has been
copied into its details), every (kind, prefecture) group whose items changed is counted again
from ``thread_details`` — the group's rows deleted, and inserted from one grouped statement. A
group is the items of one kind in one prefecture (about 850 cases at that scale), so a change
costs two statements of a millisecond or two, whatever made it: web, API, CLI, moderation. The
groups touched are

- a detail row inserted or deleted, or whose kind, prefecture or ``updated_at`` changed: the
  group before the flush and the one after (every save of the details sets ``updated_at``, and
  the player fields and life domains change only with a save: ``structured.details``);
- a thread whose deleted or hidden flag or board changed: the groups of the details whose
  copies the copier changed (it returns them);
- a bulk ``UPDATE`` that names no rows: every detail the copier put right.

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
WATCHED = ("kind", "prefecture_code", "updated_at")
#: pg_advisory_xact_lock's two keys: 'KYOS', and this table's number
_LOCK = (0x4B594F53, 33)
#: more groups than this in one transaction: their kinds are counted whole
_MANY = 60
#: the URL filters the kept counts answer (:func:`answers`; the others are counted from the items)
_ANSWERED = frozenset({"prefecture", "block", "space", "field", "domain"})

Group = tuple[str, str]  # (kind, prefecture code or "")


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


def month_of(value) -> int:
    """:class:`utc_month` of an aware datetime, in Python."""
    return value.year * 100 + value.month


def detail_groups(detail: ThreadDetail) -> set[Group]:
    """The groups a detail row belongs to before the flush and after it (a
    :func:`core.events.watch` key function: called while the history holds the old values)."""
    attrs = inspect(detail).attrs
    kind, code = attrs.kind.history, attrs.prefecture_code.history
    after = (detail.kind, detail.prefecture_code or "")
    before = (kind.deleted[0] if kind.deleted else detail.kind,
              (code.deleted[0] if code.deleted else detail.prefecture_code) or "")  # fmt: skip
    return {after, before}


def _in_groups(groups: Iterable[Group] | None, kinds: Iterable[str] | None):
    d = ThreadDetail.__table__.c
    if kinds is not None:
        return d.kind.in_(sorted(kinds))
    if groups is None:
        return literal(True)
    return or_(*(and_(d.kind == kind, d.prefecture_code == code if code else d.prefecture_code.is_(None))
                 for kind, code in sorted(groups)))  # fmt: skip


def _counted(where):
    """The rows of ``listing_counts`` for the details that ``where`` selects, counted afresh."""
    d = ThreadDetail.__table__
    code = func.coalesce(d.c.prefecture_code, "")
    visible = and_(where, d.c.is_deleted.is_(False), d.c.is_hidden.is_(False))
    zero = literal(0, Integer)
    month = case((d.c.kind == "event", func.coalesce(utc_month(d.c.starts_at), 0)), else_=zero)
    plain = select(d.c.kind, zero, zero, month, code, d.c.board_id, func.count()).where(visible)
    plain = plain.group_by(d.c.kind, month, code, d.c.board_id)
    parts = [plain]
    for table, column, slot in ((thread_player_fields, "player_field_id", 1),
                                (thread_life_domains, "life_domain_id", 2)):  # fmt: skip
        tag = table.c[column]
        ids = [zero, zero]
        ids[slot - 1] = tag
        part = select(d.c.kind, *ids, month, code, d.c.board_id, func.count())
        part = part.join_from(d, table, table.c.thread_id == d.c.thread_id).where(visible)
        parts.append(part.group_by(d.c.kind, tag, month, code, d.c.board_id))
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
        kinds = {kind for kind, _code in groups}
    table = ListingCount.__table__
    if groups is None:
        connection.execute(delete(table))
    elif kinds is not None:
        connection.execute(delete(table).where(table.c.kind.in_(sorted(kinds))))
    else:
        connection.execute(delete(table).where(or_(*(
            and_(table.c.kind == kind, table.c.prefecture_code == code)
            for kind, code in sorted(groups)))))  # fmt: skip
    connection.execute(
        insert(table).from_select(_COLUMNS, _counted(_in_groups(groups, kinds)))
    )


def rebuild_sql(dialect) -> list[str]:
    """The statements of :func:`rebuild` as SQL text for ``dialect``, for tools that write items
    without the application (``bench/structured_bench.py``)."""
    table = ListingCount.__table__
    statements = [delete(table), insert(table).from_select(_COLUMNS, _counted(literal(True)))]
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
    fresh = {tuple(row[:6]): row[6] for row in session.execute(_counted(literal(True)))}
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
