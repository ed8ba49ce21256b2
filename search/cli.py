"""``flask --app app search worker|rebuild|status``."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from core.extensions import db
from forum.models import Post
from search import indexer, outbox, runner, store


def register(app: Flask) -> None:
    app.cli.add_command(search_group)


@click.group("search")
def search_group() -> None:
    """Full-text search index."""


@search_group.command("worker")
@click.option("--once", is_flag=True, help="Apply the pending outbox rows, then exit.")
def worker(once: bool) -> None:
    """Run the indexer (the one writer of this host's index) until interrupted."""
    root = indexer.index_root()
    if once:
        progress = runner.catch_up(root, timeout=60.0)
        click.echo(f"applied {progress.applied_rows} rows (last id {progress.last_applied})")
        return
    app = current_app._get_current_object()
    runner.run_worker(app, root, poll_seconds=app.config["SEARCH_POLL_SECONDS"], log=click.echo)


@search_group.command("rebuild")
def rebuild() -> None:
    """Rebuild the index from the database beside the current one, then swap (no downtime)."""
    started = time.monotonic()
    # the posts to read (deleted and hidden ones are read and left out): the bar's length
    total = db.session.scalar(select(func.count()).select_from(Post)) or 0
    db.session.rollback()
    with click.progressbar(length=total, label="search rebuild", show_pos=True) as bar:
        done = [0]

        def progress(count: int) -> None:
            bar.update(max(count - done[0], 0))
            done[0] = count

        path = indexer.rebuild(indexer.index_root(), on_batch=progress)
    click.echo(f"rebuilt {path.name} in {time.monotonic() - started:.1f} s; it is now current")
    click.echo("  (safe to run again: the new index is built beside the current one)")


def status_data() -> dict:
    root = indexer.index_root()
    path = store.current_path(root)
    data: dict = {"index_dir": str(root), "current": path.name if path else None}
    high = outbox.high_water()
    data["outbox_last_id"] = high
    if path is None:
        data.update(state="missing", pending_rows=outbox.count_after(0))
        return data
    state = store.read_state(path)
    oldest = outbox.oldest_after(state.last_applied)
    ix = store.open_index(path)
    try:
        data["documents"] = ix.doc_count()
        # segments written as one compound file (before 2026-12-07) are copied into memory by
        # every searcher: ``search rebuild`` (or the next merge) writes them as separate files
        data["compound_segments"] = store.compound_segments(ix)
    finally:
        ix.close()
    lock = runner.IndexerLock(root)
    indexer_running = not lock.acquire()
    lock.release()
    data.update(
        state="ok" if state.schema_version == indexer.SCHEMA_VERSION else "rebuild needed",
        schema_version=state.schema_version,
        last_applied=state.last_applied,
        pending_rows=outbox.count_after(state.last_applied),
        lag_seconds=round((datetime.now(UTC) - oldest).total_seconds(), 1) if oldest else 0.0,
        open_gaps=len(state.gaps),
        indexer_running=indexer_running,
        size_bytes=sum(f.stat().st_size for f in path.iterdir() if f.is_file()),
    )
    return data


@search_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(as_json: bool) -> None:
    """Report the index: documents, last applied outbox id, lag, whether an indexer runs."""
    data = status_data()
    db.session.rollback()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    for key, value in data.items():
        click.echo(f"{key}: {value}")
