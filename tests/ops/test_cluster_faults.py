"""The shortened fault scenario of issue #17, with the launcher and checks of bench/cluster.py
and bench/faults.py: two gunicorn processes on one PostgreSQL database and the search worker;
replies written to both under load, a live reader on the first; kill -9 of the first with a
reply on the wire to it, then kill -9 of the indexer part-way through a burst. Afterwards every
acknowledged reply exists exactly once, the in-flight one at most once, numbers have no holes,
counters equal recounts, the reader (reconnected to the second process) has every post, and the
search index equals the database."""

from __future__ import annotations

import os
import uuid

import pytest

from bench.cluster import Cluster, wait_until
from bench.faults import (
    LiveReader,
    Writers,
    check_posts,
    check_readers,
    check_search,
    checker_app,
    close_app,
    kill_indexer_mid_batch,
    prepare,
    search_caught_up,
    write_in_flight,
)
from tests.fixtures.database import is_postgres

pytestmark = pytest.mark.skipif(
    not is_postgres(), reason="several server processes writing at once: PostgreSQL only"
)


@pytest.fixture
def cluster(database_url, tmp_path):
    settings = {"MODERATION_HOLD_FIRST_POSTS": 0, "RATELIMIT_ENABLED": 0,
                "SEARCH_POLL_SECONDS": 0.2}  # fmt: skip
    cluster = Cluster(tmp_path / "cluster", database_url, web_count=2, settings=settings)
    if os.environ.get("REDIS_URL"):  # the Socket.IO message queue, as in production
        cluster.redis_url = os.environ["REDIS_URL"]
        cluster.settings["SOCKETIO_CHANNEL"] = f"kyoso-test-{uuid.uuid4().hex}"
    try:
        cluster.up(proxy=False, workers=False)  # the web processes (waits for /healthz)
        cluster.start_search_worker()
        yield cluster
    finally:
        cluster.stop_all()
        assert not any(p.alive() for p in cluster.procs.values())


@pytest.fixture
def app(cluster):
    """The test's own view of the cluster's database (setting up, checking)."""
    app = checker_app(cluster)
    yield app
    close_app(app)


def test_cluster_survives_web_kill_and_indexer_kill(cluster, app):
    scene = prepare(app, writers=4, watchers=0)
    urls = [cluster.web_url(0), cluster.web_url(1)]
    reader = LiveReader(urls, scene.thread_id).start()  # on web0; rejoins on web1
    writers = Writers(urls, scene, count=2).start()  # one on each; a failed one moves on
    try:
        wait_until(lambda: writers.count() >= 10, 30, "replies through both processes")
        status = write_in_flight(urls[0], scene, scene.tokens[-1], lambda: cluster.kill("web0"))
        assert status in (None, 201, 502, 503)
        wait_until(lambda: reader.reconnects, 30, "the reader rejoining on web1")
        written = writers.count()
        wait_until(lambda: writers.count() >= written + 5, 30, "replies going on through web1")
    finally:
        writers.stop()
    try:
        kill_indexer_mid_batch(cluster, app, scene, 600)  # one batch of 500 and part of the next
    finally:
        reader.stop()
    problems = check_posts(app, scene, writers) + check_readers(app, scene, [reader])
    search_caught_up(app, timeout=60)
    problems += check_search(app)
    assert problems == []
    assert writers.statuses.get(500, 0) == 0
    assert reader.reconnects[0] < 10
    assert cluster.procs["web1"].alive() and cluster.procs["search"].alive()
