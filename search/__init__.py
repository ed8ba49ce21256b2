"""Japanese full-text search: keyword × type × region × field × domain, consistent with the
database through crashes.

The door of the package: ``register(app)``, ``search.extension.searcher()`` for reading and
``search.service.search``. Content changes reach the index through the outbox
(``search.outbox``, written in the content's own transaction) and the single indexer
(``search.runner``); the forum does not know about search.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from flask import Flask, current_app, has_app_context

from core import events, health, openapi
from core.types import utcnow
from forum import signals
from search import api_schema, cli, labels, matching, outbox, store, views
from search.extension import KEY, SearchExtension, extension
from search.models import SearchOutbox
from search.runner import LOCK_FILE, BackgroundIndexer
from search.store import SearcherPool
from structured import queries as structured_queries

INDEXER_MODES = ("thread", "off")


def register(app: Flask) -> None:
    if not app.config.get("SEARCH_INDEX_DIR"):
        app.config["SEARCH_INDEX_DIR"] = str(Path(app.instance_path) / "search")
    root = Path(app.config["SEARCH_INDEX_DIR"])
    mode = app.config.get("SEARCH_INDEXER") or ("off" if app.testing else "thread")
    if mode not in INDEXER_MODES:
        raise ValueError(f"SEARCH_INDEXER must be one of {INDEXER_MODES}, not {mode!r}")
    runner = None
    if mode == "thread":
        poll = app.config["SEARCH_POLL_SECONDS"]
        runner = BackgroundIndexer(app, root, poll_seconds=poll, standby_seconds=max(poll, 5.0))
        # Started by the first request, so that CLI commands (db upgrade, search worker) never
        # start an indexer thread of their own.
        app.before_request(runner.start)
    app.extensions[KEY] = SearchExtension(root, SearcherPool(root), runner)
    labels.register(app)
    matching.set_postings_budget(app.config["SEARCH_POSTINGS_CACHE_MB"])
    outbox.install()
    events.quiet(SearchOutbox)  # the indexer's queue (the content it names commits with it)
    for signal in (signals.post_created, signals.post_edited, signals.post_deleted):
        signal.connect(_wake, weak=False)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.api_bp)
    structured_queries.set_keyword_matcher(views.listing_keyword)
    openapi.declare(app, api_schema.contract)
    cli.register(app)
    health.add_check(app, "search", readiness)
    health.add_figures(app, "search", figures)


def readiness() -> dict:
    """``/readyz``: how long the oldest outbox row this host's index has not applied has waited
    (one indexed query and the index's small state file)."""
    path = store.current_path(Path(current_app.config["SEARCH_INDEX_DIR"]))
    last = store.read_state(path).last_applied if path is not None else 0
    oldest = outbox.oldest_after(last)
    lag = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
    return health.lag_check(max(lag, 0.0), current_app.config["READY_SEARCH_LAG_SECONDS"],
                            index="ok" if path is not None else "missing")  # fmt: skip


def figures() -> dict:
    """``flask status`` and ``/metrics``: outbox rows this host's index has not applied (a range
    of the primary key), and whether some process holds the indexer's lock."""
    root = Path(current_app.config["SEARCH_INDEX_DIR"])
    path = store.current_path(root)
    last = store.read_state(path).last_applied if path is not None else 0
    return {"outbox_pending": outbox.count_after(last), "indexer_running": _indexer_running(root)}


def _indexer_running(root: Path) -> bool:
    """Whether a process (this one included) holds ``indexer.lock``: probed without waiting and
    released at once (an indexer starting at that instant stands by for a few seconds)."""
    try:
        fd = os.open(root / LOCK_FILE, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def close(app: Flask) -> None:
    """Stop the background indexer and close the searchers (tests, shutdown)."""
    ext = extension(app)
    if ext.runner is not None:
        ext.runner.stop()
    ext.pool.close()


def _wake(_sender, **_payload) -> None:
    """A forum change was committed in this process: apply the outbox now, not at the next poll."""
    if has_app_context():
        ext = current_app.extensions.get(KEY)
        if ext is not None and ext.runner is not None:
            ext.runner.wake()
