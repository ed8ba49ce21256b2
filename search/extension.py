"""The per-application search state: where the index lives, the searchers, the indexer thread."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from whoosh.searching import Searcher

from search.runner import BackgroundIndexer
from search.store import SearcherPool

KEY = "kyoso_search"


@dataclass
class SearchExtension:
    root: Path
    pool: SearcherPool
    runner: BackgroundIndexer | None


def extension(app: Flask | None = None) -> SearchExtension:
    return (app or current_app).extensions[KEY]


def searcher() -> AbstractContextManager[Searcher | None]:
    """``with searcher() as s:`` a searcher on the current index, lent to this thread (None
    before the first index exists)."""
    return extension().pool.searcher()
