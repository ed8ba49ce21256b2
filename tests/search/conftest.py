"""Fixtures for the search tests: the index under the test's tmp_path, applied on demand."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

import search
from search import runner
from search.extension import searcher
from search.params import parse_args
from search.service import search as run_search


@pytest.fixture
def index_root(app) -> Path:
    root = Path(app.config["SEARCH_INDEX_DIR"])
    assert root.is_relative_to(Path(app.instance_path))
    return root


@pytest.fixture
def sync_index(app, index_root):
    """``sync_index()`` applies every pending outbox row now (the indexer, run synchronously)."""
    yield lambda: runner.catch_up(index_root)
    search.close(app)


@pytest.fixture
def find(app, sync_index):
    """``find("買い物", user=None, board="zentai")`` → the SearchPage (syncs the index first)."""

    def _find(q: str = "", *, user=None, sync: bool = True, **args):
        if sync:
            sync_index()
        params = parse_args(MultiDict({"q": q, **{k: v for k, v in args.items() if v}}))
        with searcher() as s:
            return run_search(params, user=user, searcher=s)

    return _find
