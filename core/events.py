"""Domain events: queued in the transaction, recorded and delivered from one place.

Every change that other packages care about goes through here, whatever entry point made it:

1. A service queues an event in the session (``queue(session, signal, **ids)``; the forum and
   moderation wrap it as ``forum.signals.queue_after_commit`` and ``moderation.signals.queue``).
   Rows of watched models whose watched columns change are collected at every flush
   (``watch(model, kind, columns)``), so bulk of the work needs no call at all. A bulk
   ``UPDATE``/``DELETE`` of a watched model that may change a watched column names its kind as
   *unseen* (the rows are not known): a recorder that must not miss one can then look at all.
2. Just before the transaction commits, every *recorder* (``add_recorder``) gets the queued
   events and the changed rows and writes what must commit with the change: the search outbox,
   the notification jobs. Their rows commit or roll back with the post that caused them.
3. After the commit, each event is sent (a blinker signal: ids only) to its receivers — the
   real-time emitter, and the wake-up of the in-process workers. On rollback, nothing is sent.
4. After a commit that wrote anything at all (a flushed row of a model not marked ``quiet``, or
   any statement other than a SELECT), each ``after_writes`` hook runs: caches of what pages
   show drop their content (``core.pagecache``). A hook may name the writes its cache does not
   depend on (``unless``): a commit that made only those does not run it.

These are the only SQLAlchemy session listeners of the project's domain packages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from blinker import Signal
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

_PENDING = "kyoso.events.pending"
_CHANGES = "kyoso.events.changes"
_UNSEEN = "kyoso.events.unseen"
_WROTE = "kyoso.events.wrote"
_WRITTEN = "kyoso.events.written"

#: what a committing transaction wrote, for the hooks with ``unless``: model → the columns of its
#: changed rows, or ``ALL`` (rows inserted or deleted, or a statement whose columns are unknown);
#: the model ``None`` stands for a statement on no model (text)
ALL = None
Written = dict[type | None, set[str] | None]


@dataclass
class Batch:
    """What one committing transaction did: ``events`` in order, ``changes`` by kind → ids,
    ``unseen``: the kinds whose rows a bulk statement may have changed without naming them
    (no :func:`touch` can tell whether it named them all)."""

    events: list[tuple[Signal, dict[str, Any]]] = field(default_factory=list)
    changes: dict[str, set[Any]] = field(default_factory=dict)
    unseen: set[str] = field(default_factory=set)


Recorder = Callable[[Session, Batch], None]

_recorders: list[Recorder] = []
_watched: dict[type, list[tuple[str, tuple[str, ...], str | Callable[[Any], Any], bool]]] = {}
_write_hooks: list[Callable[[], None]] = []
_unless: dict[Callable[[], None], dict[type, frozenset[str] | None]] = {}
_only: dict[Callable[[], None], dict[type, frozenset[str] | None]] = {}
_quiet: set[type] = set()


def queue(session: Session, signal: Signal, **payload: Any) -> None:
    """Queue ``signal`` with ``payload`` (ids) in the session's transaction."""
    session.info.setdefault(_PENDING, []).append((signal, payload))


def pending(session: Session) -> list[tuple[Signal, dict[str, Any]]]:
    """The events queued in the session's current transaction."""
    return list(session.info.get(_PENDING, ()))


def add_recorder(recorder: Recorder) -> None:
    """``recorder(session, batch)`` writes rows in the committing transaction (once per process)."""
    if recorder not in _recorders:
        _recorders.append(recorder)


def watch(model: type, kind: str, columns: tuple[str, ...], *,
          key: str | Callable[[Any], Any] = "id", new_and_deleted: bool = True) -> None:  # fmt: skip
    """Collect the ids of ``model`` rows that are inserted, deleted, or change one of
    ``columns``, under ``kind``, for the recorders (``key``: the attribute that holds the id,
    e.g. the thread a thread's detail row belongs to, or ``key(row)``: the keys a row stands
    for, an iterable, called at the flush while the attributes' history still holds the values
    before it; ``new_and_deleted=False``: only rows that change). A model may be watched under
    several kinds. Bulk ``UPDATE`` statements bypass
    this: code that changes a watched column that way calls :func:`touch` (and the kind is also
    named in ``Batch.unseen``)."""
    specs = _watched.setdefault(model, [])
    spec = (kind, columns, key, new_and_deleted)
    specs[:] = [spec for spec in specs if spec[0] != kind] + [spec]


def touch(session: Session, kind: str, ids) -> None:
    """Mark rows changed by a bulk statement, as if a flush had seen them."""
    session.info.setdefault(_CHANGES, {}).setdefault(kind, set()).update(ids)


def after_writes(
    hook: Callable[[], None], *, unless: dict[type, tuple[str, ...] | None] | None = None,
    only: dict[type, tuple[str, ...] | None] | None = None,
) -> None:
    """``hook()`` after every commit that wrote something (see :func:`quiet`), in any thread, with
    or without an application context (once per process). ``unless``: the writes that do not
    concern the hook, model → ``ALL`` (any row of it inserted, changed or deleted) or the columns
    whose changes alone do not (a row inserted or deleted, or another column changed, still
    does). A commit that wrote nothing else does not run it; a statement whose columns are not
    known (a bulk ``UPDATE`` is read from its SET clause) always does. ``only``: the reverse,
    for a hook that depends on a few models — it runs after a commit that inserted or deleted a
    row of one of them, changed one of the columns named (``ALL``: any), or ran a statement whose
    model is not known; every other commit leaves it alone."""
    if hook not in _write_hooks:
        _write_hooks.append(hook)
    if unless is not None:
        _unless[hook] = {model: None if columns is ALL else frozenset(columns)
                         for model, columns in unless.items()}  # fmt: skip
    if only is not None:
        _only[hook] = {model: None if columns is ALL else frozenset(columns)
                       for model, columns in only.items()}  # fmt: skip


def quiet(*models: type) -> None:
    """Rows of ``models`` are a person's or a worker's own bookkeeping (read positions, logins,
    job queues) that no page shows to others: writing only them runs no ``after_writes`` hook."""
    _quiet.update(models)


def _changed(obj, columns: tuple[str, ...]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in columns)


def _note(written: Written, model: type | None, columns: set[str] | None) -> None:
    if columns is ALL or written.get(model, set()) is ALL:
        written[model] = ALL
    else:
        written.setdefault(model, set()).update(columns)


def _concerns(hook: Callable[[], None], written: Written) -> bool:
    """Whether ``written`` holds a write that ``hook``'s ``unless`` does not name (or, with
    ``only``, one that it names)."""
    only = _only.get(hook)
    if only is not None:
        for model, columns in written.items():
            if model is None:
                return True
            if model in only:
                wanted = only[model]
                if wanted is ALL or columns is ALL or columns & wanted:
                    return True
        return False
    unless = _unless.get(hook)
    if unless is None:
        return True
    for model, columns in written.items():
        if model not in unless:
            return True
        spared = unless[model]
        if spared is not ALL and (columns is ALL or not columns <= spared):
            return True
    return False


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _flush_context) -> None:
    if _write_hooks and _WROTE not in session.info:
        quiet = _quiet
        for obj in (*session.new, *session.dirty, *session.deleted):
            if type(obj) not in quiet:
                session.info[_WROTE] = True
                break
    if _unless or _only:
        written = session.info.setdefault(_WRITTEN, {})
        for obj in (*session.new, *session.deleted):
            if type(obj) not in _quiet:
                _note(written, type(obj), ALL)
        for obj in session.dirty:
            if type(obj) not in _quiet:
                attrs = inspect(obj).attrs
                _note(written, type(obj), {a.key for a in attrs if a.history.has_changes()})
    if not _watched:
        return
    changes = session.info.setdefault(_CHANGES, {})
    for obj in (*session.new, *session.deleted):
        for kind, _columns, key, new_and_deleted in _watched.get(type(obj), ()):
            if new_and_deleted:
                _add_keys(changes, kind, obj, key)
    for obj in session.dirty:
        for kind, columns, key, _new_and_deleted in _watched.get(type(obj), ()):
            if _changed(obj, columns):
                _add_keys(changes, kind, obj, key)


def _add_keys(changes: dict[str, set], kind: str, obj, key) -> None:
    if callable(key):
        changes.setdefault(kind, set()).update(key(obj))
    elif (value := getattr(obj, key)) is not None:
        changes.setdefault(kind, set()).add(value)


@event.listens_for(Session, "before_commit")
def _record(session: Session) -> None:
    session.flush()  # what is still pending is collected now, before the recorders run
    batch = Batch(events=pending(session), changes=session.info.pop(_CHANGES, {}),
                  unseen=session.info.pop(_UNSEEN, set()))  # fmt: skip
    if not (batch.events or batch.changes or batch.unseen):
        return
    for recorder in _recorders:
        recorder(session, batch)


@event.listens_for(Session, "do_orm_execute")
def _statement(state) -> None:
    """Bulk ``UPDATE``/``DELETE``/``INSERT`` and textual statements bypass the flush."""
    if (state.is_update or state.is_delete) and state.bind_mapper is not None:
        specs = _watched.get(state.bind_mapper.class_, ())
        if specs:
            columns = _set_columns(state.statement)
            for kind, watched, _key, _new_and_deleted in specs:
                if columns is ALL or columns & set(watched):
                    state.session.info.setdefault(_UNSEEN, set()).add(kind)
    if not state.is_select and _write_hooks:
        mapper = state.bind_mapper
        if mapper is None or mapper.class_ not in _quiet:
            state.session.info[_WROTE] = True
            if _unless or _only:
                _note(state.session.info.setdefault(_WRITTEN, {}),
                      mapper.class_ if mapper is not None else None,
                      _set_columns(state.statement))  # fmt: skip


def _set_columns(statement) -> set[str] | None:
    """The columns an ``UPDATE`` sets (``ALL`` for other statements, or when not known)."""
    values = getattr(statement, "_values", None) if getattr(statement, "is_update", False) else None
    if not values:  # SQLAlchemy has no public accessor of the SET clause; without it: unknown
        return ALL
    return {getattr(key, "key", key) for key in values}


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    session.info.pop(_CHANGES, None)
    session.info.pop(_UNSEEN, None)
    for signal, payload in session.info.pop(_PENDING, []):
        signal.send(None, **payload)
    written = session.info.pop(_WRITTEN, {})
    if session.info.pop(_WROTE, False):
        for hook in _write_hooks:
            if _concerns(hook, written):
                hook()


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, previous_transaction) -> None:
    if previous_transaction.nested:  # a savepoint: the outer transaction goes on
        return
    session.info.pop(_PENDING, None)
    session.info.pop(_CHANGES, None)
    session.info.pop(_UNSEEN, None)
    session.info.pop(_WROTE, None)
    session.info.pop(_WRITTEN, None)
