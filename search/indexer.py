"""The indexer: applies outbox rows to the index in order, and rebuilds the index from the
database. Exactly one indexer writes to an index directory at a time (``search.runner`` holds
the lock); each index directory records how far it got, so a crash loses nothing.

Applying a row means "make the documents of this post / of this thread's posts match the
database now": it is idempotent, so replaying rows after a crash or a rebuild is harmless.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from whoosh.index import Index

from core.extensions import db
from core.types import utcnow
from search import outbox, store
from search.documents import PostRow, build_document, iter_all_rows, load_rows
from search.models import POST, THREAD
from search.schema import SCHEMA_VERSION

#: a transaction that takes longer than this to commit after taking its outbox id may be missed
#: (ids are taken in order but can commit out of order); also the replay margin of a rebuild
GAP_SECONDS = 60.0
MAX_GAPS = 10_000
BATCH = 500


@dataclass(frozen=True)
class Progress:
    applied_rows: int
    last_applied: int


def index_root() -> Path:
    return Path(current_app.config["SEARCH_INDEX_DIR"])


def _write_documents(ix: Index, rows: list[PostRow], *, thread_ids=(), post_ids=()) -> None:
    writer = store.writer(ix, timeout=30.0)
    try:
        for thread_id in sorted(set(thread_ids)):
            writer.delete_by_term("thread_id", str(thread_id))
        for post_id in sorted(set(post_ids)):
            writer.delete_by_term("post_id", str(post_id))
        seen: set[int] = set()
        for row in rows:
            if row.post_id in seen:
                continue
            seen.add(row.post_id)
            doc = build_document(row)
            if doc is not None:
                writer.add_document(**doc)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def _next_state(state: store.IndexState, ids: list[int], now: float) -> store.IndexState:
    """The state after applying rows ``ids`` (sorted): advance, note new gaps, forget old ones."""
    gaps = {gap: seen for gap, seen in state.gaps.items() if now - seen < GAP_SECONDS}
    present = set(ids)
    for found in present:
        gaps.pop(found, None)
    top = max(ids[-1], state.last_applied)
    if top - state.last_applied <= MAX_GAPS:
        for missing in range(state.last_applied + 1, top):
            if missing not in present:
                gaps[missing] = now
    return store.IndexState(
        last_applied=top,
        gaps=gaps,
        schema_version=state.schema_version,
        built_at=state.built_at,
        applied_at=now,
    )


def apply_pending(path: Path, ix: Index, *, limit: int = BATCH) -> Progress:
    """Apply every outbox row that the index at ``path`` has not applied yet."""
    state = store.read_state(path)
    applied = 0
    while True:
        rows = outbox.read_batch(after=state.last_applied, gaps=state.gaps, limit=limit)
        now = time.time()
        if not rows:
            expired = {g: t for g, t in state.gaps.items() if now - t < GAP_SECONDS}
            if expired != state.gaps:
                state.gaps = expired
                store.write_state(path, state)
            break
        thread_ids = [r.target_id for r in rows if r.kind == THREAD]
        post_ids = [r.target_id for r in rows if r.kind == POST]
        docs = load_rows(post_ids=post_ids, thread_ids=thread_ids)
        db.session.rollback()  # end the read transaction: the next batch sees newer commits
        _write_documents(ix, docs, thread_ids=thread_ids, post_ids=post_ids)
        state = _next_state(state, [r.id for r in rows], now)
        store.write_state(path, state)
        applied += len(rows)
        if len(rows) < limit:
            break
    return Progress(applied, state.last_applied)


def rebuild(root: Path, *, batch_size: int = 1000, on_batch=None) -> Path:
    """Build a new index from the database beside the current one, catch it up with the outbox,
    then make it current (readers switch on their next query; nothing is down meanwhile)."""
    replay_from = outbox.last_id_before(utcnow() - timedelta(seconds=GAP_SECONDS))
    db.session.rollback()
    path, ix = store.create_aside(root, store.IndexState(last_applied=replay_from))
    writer = store.writer(ix, limitmb=128)
    count = 0
    try:
        for rows in iter_all_rows(batch_size):
            for row in rows:
                doc = build_document(row)
                if doc is not None:
                    writer.add_document(**doc)
                    count += 1
            if on_batch is not None:
                on_batch(count)
        db.session.rollback()
    except BaseException:
        writer.cancel()
        raise
    writer.commit(optimize=True)
    apply_pending(path, ix)
    store.activate(root, path)
    return path


def ensure_index(root: Path) -> tuple[Path, Index]:
    """The current index, rebuilt first if there is none or its schema is out of date."""
    path = store.current_path(root)
    if path is None or store.read_state(path).schema_version != SCHEMA_VERSION:
        path = rebuild(root)
    return path, store.open_index(path)
