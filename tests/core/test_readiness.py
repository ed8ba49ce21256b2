"""``/healthz`` (liveness) and ``/readyz`` (readiness): the database, every configured Redis, the
search outbox lag and the notification job lag; 200 or 503 with the failing checks, JSON, never
a 500, nothing secret or personal in the body."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from core.extensions import db
from core.types import utcnow
from notifications.models import NotificationJob
from search.models import SearchOutbox
from tests.support.workers import redis_url_or_skip

CLOSED = "redis://:hunter2@127.0.0.1:1/0"  # nothing listens on port 1
NO_REDIS = {"REDIS_URL": "", "SOCKETIO_MESSAGE_QUEUE": "", "RATELIMIT_STORAGE_URI": "memory://"}


@pytest.mark.parametrize("app_config", [NO_REDIS], indirect=True)
def test_readyz_answers_ok_with_each_check(client, count_queries):
    with count_queries() as log:
        response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "search", "notifications", "workers"}  # no Redis
    assert all(check["status"] == "ok" for check in body["checks"].values())
    assert body["checks"]["notifications"]["lag_seconds"] == 0
    assert response.headers["Cache-Control"] == "no-store"
    # SELECT 1, the outbox's oldest row, the oldest due job, the heartbeats
    assert log.count <= 5, str(log)


def test_healthz_stays_liveness(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    "app_config", [{**NO_REDIS, "REDIS_URL": CLOSED, "RATELIMIT_STORAGE_URI": "memory://"}],
    indirect=True,
)  # fmt: skip
def test_readyz_fails_when_redis_is_unreachable(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error"
    assert body["checks"]["redis"]["status"] == "error"
    assert body["checks"]["database"]["status"] == "ok"
    text = response.get_data(as_text=True)
    assert "127.0.0.1" not in text and "hunter2" not in text  # no address, no password
    assert client.get("/healthz").status_code == 200  # the process itself is alive


@pytest.mark.parametrize(
    "app_config", [{**NO_REDIS, "SOCKETIO_MESSAGE_QUEUE": CLOSED}], indirect=True
)
def test_readyz_fails_when_the_socketio_message_queue_is_unreachable(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["message_queue"] == {
        "status": "error", "ms": response.get_json()["checks"]["message_queue"]["ms"]
    }  # fmt: skip


@pytest.mark.redis
def test_readyz_pings_each_configured_redis_once(app_config, database_url, tmp_path):
    from tests.fixtures.app import make_test_app

    url = redis_url_or_skip()
    app = make_test_app(database_url, tmp_path, REDIS_URL=url, SOCKETIO_MESSAGE_QUEUE=url,
                        RATELIMIT_STORAGE_URI=url)  # fmt: skip
    with app.app_context():
        response = app.test_client().get("/readyz")
        assert response.status_code == 200, response.get_json()
        checks = response.get_json()["checks"]
        assert {checks[k]["status"] for k in ("redis", "message_queue", "rate_limit_store")} == {
            "ok"
        }
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("app_config", [NO_REDIS], indirect=True)
def test_readyz_fails_when_notification_jobs_wait_too_long(app, client, thread_factory):
    thread_factory()  # writes a job, which no worker runs here
    db.session.execute(update(NotificationJob).values(run_after=utcnow() - timedelta(hours=1)))
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    check = response.get_json()["checks"]["notifications"]
    assert check["status"] == "error" and check["lag_seconds"] >= 3600
    assert response.get_json()["checks"]["search"]["status"] == "ok"
    # a job waiting for its retry is not late
    db.session.execute(update(NotificationJob).values(run_after=utcnow() + timedelta(minutes=5)))
    db.session.commit()
    assert client.get("/readyz").status_code == 200
    # a threshold of 0 reports the lag without failing on it
    db.session.execute(update(NotificationJob).values(run_after=utcnow() - timedelta(hours=1)))
    db.session.commit()
    app.config["READY_NOTIFICATION_LAG_SECONDS"] = 0
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["notifications"]["lag_seconds"] >= 3600


@pytest.mark.parametrize("app_config", [NO_REDIS], indirect=True)
def test_readyz_fails_when_the_search_index_lags(app, client, thread_factory):
    thread_factory()
    db.session.execute(update(NotificationJob).values(status="done"))
    db.session.execute(update(SearchOutbox).values(created_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    check = response.get_json()["checks"]["search"]
    assert check["status"] == "error" and check["lag_seconds"] >= 3600
    assert check["index"] == "missing"


def test_readyz_answers_503_when_the_database_is_unreachable(tmp_path):
    """A process whose database does not answer (nothing listens on port 1): not ready, and
    each check that needs the database says so; JSON, not an error page."""
    from tests.fixtures.app import make_test_app

    app = make_test_app("postgresql+psycopg://kyoso@127.0.0.1:1/kyoso", tmp_path, **NO_REDIS)
    with app.app_context():
        response = app.test_client().get("/readyz")
        assert response.status_code == 503
        body = response.get_json()
        assert body["status"] == "error"
        assert {name: c["status"] for name, c in body["checks"].items()} == {
            "database": "error", "search": "error", "notifications": "error",
            "workers": "error",
        }  # fmt: skip
        assert "kyoso@" not in response.get_data(as_text=True)
        assert app.test_client().get("/healthz").status_code == 503
        db.engine.dispose()


@pytest.mark.parametrize("app_config", [NO_REDIS], indirect=True)
def test_readyz_reports_a_failing_check_without_a_500(app, client):
    """Every check runs in its own try: one that raises is a 503 naming it, nothing more."""
    from core import health

    def broken():
        raise RuntimeError("boom at /secret/path")

    health.add_check(app, "broken", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["broken"] == {"status": "error"}
    assert "boom" not in response.get_data(as_text=True)
