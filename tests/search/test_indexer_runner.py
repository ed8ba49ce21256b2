"""The indexer as it runs: the background thread (new posts searchable within 2 s), the single
writer lock, the CLI (worker --once, rebuild, status)."""

from __future__ import annotations

import json
import time

import pytest

import search
from search import runner, store
from search.extension import extension


@pytest.mark.parametrize(
    "app_config", [{"SEARCH_INDEXER": "thread", "SEARCH_POLL_SECONDS": 0.2}], indirect=True
)
def test_background_indexer_makes_a_new_post_searchable_within_two_seconds(
    app, client, thread_factory, find
):
    client.get("/")  # the first request starts the indexer thread
    ext = extension(app)
    assert ext.runner is not None and ext.runner.running
    deadline = time.monotonic() + 10
    while store.current_path(ext.root) is None and time.monotonic() < deadline:
        time.sleep(0.05)  # the first run builds the index
    thread_factory(title="新しい見守りの話題", body="投稿したばかりの本文")
    posted = time.monotonic()
    while find("見守り", sync=False).total == 0:
        assert time.monotonic() - posted < 2.0, "not searchable within 2 s"
        time.sleep(0.05)
    search.close(app)
    assert not ext.runner.running


def test_background_indexer_is_off_under_testing_by_default(app):
    assert extension(app).runner is None


def test_only_one_indexer_holds_the_writer_lock(index_root):
    first, second = runner.IndexerLock(index_root), runner.IndexerLock(index_root)
    assert first.acquire()
    assert not second.acquire(timeout=0.2)
    first.release()
    assert second.acquire()
    second.release()


def test_catch_up_refuses_while_another_indexer_runs(index_root, app):
    holder = runner.IndexerLock(index_root)
    holder.acquire()
    try:
        with pytest.raises(TimeoutError):
            runner.catch_up(index_root, timeout=0.2)
    finally:
        holder.release()


def test_cli_worker_once_rebuild_and_status(app, thread_factory, index_root, sync_index):
    cli = app.test_cli_runner()
    thread_factory(title="見守り", body="本文", replies=2)
    status = json.loads(cli.invoke(args=["search", "status", "--json"]).output)
    assert status["state"] == "missing" and status["pending_rows"] > 0
    result = cli.invoke(args=["search", "worker", "--once"])
    assert result.exit_code == 0 and "applied" in result.output
    status = json.loads(cli.invoke(args=["search", "status", "--json"]).output)
    assert status["state"] == "ok"
    assert status["documents"] == 3 and status["pending_rows"] == 0 and status["lag_seconds"] == 0
    assert status["indexer_running"] is False
    thread_factory(title="雪かき", body="本文")
    status = json.loads(cli.invoke(args=["search", "status", "--json"]).output)
    assert status["pending_rows"] == 2 and status["lag_seconds"] >= 0
    first = store.current_path(index_root)
    result = cli.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert store.current_path(index_root) != first
    status = json.loads(cli.invoke(args=["search", "status", "--json"]).output)
    assert status["documents"] == 4 and status["pending_rows"] == 0


def test_outbox_rows_are_pruned_after_the_retention_period(app, thread_factory, index_root):
    from datetime import timedelta

    from sqlalchemy import func, select, update

    from core.extensions import db
    from core.types import utcnow
    from search.models import SearchOutbox

    thread_factory(title="古い話題", body="本文")
    db.session.execute(update(SearchOutbox).values(created_at=utcnow() - timedelta(days=30)))
    db.session.commit()
    thread_factory(title="新しい話題", body="本文")
    writer = runner.Writer(index_root, keep_days=7)
    runner.IndexerLock(index_root).acquire()
    writer.catch_up()
    assert writer.prune() == 2
    writer.close()
    assert db.session.scalar(select(func.count()).select_from(SearchOutbox)) == 2
