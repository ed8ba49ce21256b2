"""Index directories: where the index lives, which one is current, and how far it got.

``SEARCH_INDEX_DIR`` holds one or more Whoosh index directories (``idx-…``), a ``CURRENT`` file
naming the one in use (replaced atomically, so a rebuild can build aside and swap without
downtime) and ``indexer.lock`` (see ``search.indexer``). Each index directory has a
``kyoso_state.json`` that records the last applied outbox id, so that several hosts can each keep
their own replica from the same outbox.

Nothing in this module knows about the database.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index
from whoosh.searching import Searcher

from search.schema import SCHEMA_VERSION, build_schema

CURRENT = "CURRENT"
STATE = "kyoso_state.json"
PREFIX = "idx-"


@dataclass
class IndexState:
    #: every outbox row up to this id has been applied, except those listed in ``gaps``
    last_applied: int = 0
    #: outbox ids below ``last_applied`` not seen yet (a transaction may still commit them),
    #: with the time they were first missed; forgotten after ``GAP_SECONDS``
    gaps: dict[int, float] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION
    built_at: float = field(default_factory=time.time)
    applied_at: float | None = None


def read_state(path: Path) -> IndexState:
    data = json.loads((path / STATE).read_text())
    data["gaps"] = {int(k): v for k, v in data.get("gaps", {}).items()}
    return IndexState(**data)


def write_state(path: Path, state: IndexState) -> None:
    tmp = path / f".{STATE}.{uuid.uuid4().hex}"
    tmp.write_text(json.dumps(asdict(state)))
    os.replace(tmp, path / STATE)


def current_path(root: Path) -> Path | None:
    try:
        name = (root / CURRENT).read_text().strip()
    except FileNotFoundError:
        return None
    path = root / name
    return path if (path / STATE).exists() else None


def create_aside(root: Path, state: IndexState | None = None) -> tuple[Path, Index]:
    """A new, empty index directory that is not current yet."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema())
    write_state(path, state or IndexState())
    return path, ix


def activate(root: Path, path: Path, *, keep: int = 1) -> None:
    """Make ``path`` the current index (atomic) and remove all but ``keep`` older ones."""
    tmp = root / f".{CURRENT}.{uuid.uuid4().hex}"
    tmp.write_text(path.name)
    os.replace(tmp, root / CURRENT)
    others = sorted(
        (p for p in root.glob(f"{PREFIX}*") if p.is_dir() and p != path),
        key=lambda p: p.stat().st_mtime,
    )
    for old in others[: max(len(others) - keep, 0)]:
        shutil.rmtree(old, ignore_errors=True)


def open_index(path: Path) -> Index:
    return whoosh_index.open_dir(str(path))


def writer(ix: Index, **kwargs):
    """A writer whose segments stay separate files (``compound=False``): Whoosh-Reloaded opens
    a segment assembled into one compound file by copying each part into memory (``BytesIO``)
    on every reader, so a 1,000,000-post index cost 2 GiB of memory per open searcher and each
    reopen after a new post copied it again. Separate files are read where they lie."""
    return ix.writer(compound=False, **kwargs)


def compound_segments(ix: Index) -> int:
    """How many of the index's segments are compound files (written before ``writer``; a
    ``search rebuild`` or the next merge replaces them)."""
    return sum(1 for segment in ix._segments() if segment.is_compound())


class SearcherPool:
    """Whoosh searchers lent to one thread at a time (a searcher is not shared between
    threads), refreshed cheaply when lent and reopened when another index becomes current."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._free: list[tuple[Path, Searcher]] = []
        self._lock = threading.Lock()

    @contextmanager
    def searcher(self) -> Iterator[Searcher | None]:
        path = current_path(self.root)
        if path is None:
            yield None
            return
        with self._lock:
            held = self._free.pop() if self._free else None
        if held is not None and held[0] != path:
            held[1].close()
            held = None
        if held is None:
            held = (path, open_index(path).searcher())
        elif not held[1].up_to_date():
            # Not Searcher.refresh(): a reused segment reader keeps a cached set of deleted
            # documents (Whoosh-Reloaded 2.7.5), so deletions would not show. Reopen instead.
            held[1].close()
            held = (path, open_index(path).searcher())
        try:
            yield held[1]
        finally:
            with self._lock:
                self._free.append(held)

    def close(self) -> None:
        with self._lock:
            free, self._free = self._free, []
        for _path, searcher in free:
            searcher.close()
