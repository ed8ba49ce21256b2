"""Observability (issue #17 item 5): ``/metrics`` (hidden unless a token or an allowed address
lets the scraper in; request latency by endpoint with bounded labels; the readiness checks and
figures read at scrape time), request ids (validated, echoed, carried into notification jobs),
JSON log lines, and ``flask status``."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, text, update

from core import logs, mail, requestid
from core.background import BackgroundLoop
from core.extensions import db
from core.types import utcnow
from notifications import worker
from notifications.models import EMAIL_FAILED, EMAIL_PENDING, Notification, NotificationJob

TOKEN = "metrics-token-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
NO_REDIS = {"REDIS_URL": "", "SOCKETIO_MESSAGE_QUEUE": "", "RATELIMIT_STORAGE_URI": "memory://"}
WITH_TOKEN = {**NO_REDIS, "METRICS_TOKEN": TOKEN}
ROOT = Path(__file__).resolve().parents[2]


def samples(response) -> dict[tuple[str, tuple], float]:
    """``(sample name, sorted labels) → value`` of an exposition."""
    assert response.status_code == 200, response.status_code
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def endpoints(found: dict) -> set[str]:
    return {dict(labels)["endpoint"] for name, labels in found
            if name == "kyoso_http_request_duration_seconds_count"}  # fmt: skip


# --- /metrics: who may read it -----------------------------------------------------------------


@pytest.mark.parametrize("app_config", [NO_REDIS], indirect=True)
def test_metrics_is_not_there_by_default(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize("app_config", [WITH_TOKEN], indirect=True)
def test_metrics_needs_the_token(client):
    assert client.get("/metrics").status_code == 404
    for wrong in ("Bearer nope", f"Basic {TOKEN}", f"Bearer {TOKEN}x", TOKEN):
        assert client.get("/metrics", headers={"Authorization": wrong}).status_code == 404
    response = client.get("/metrics", headers=BEARER)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"
    assert ("kyoso_ready", (("check", "all"),)) in samples(response)


@pytest.mark.parametrize(
    "app_config, allowed",
    [({**NO_REDIS, "METRICS_ALLOW": "127.0.0.1"}, True),
     ({**NO_REDIS, "METRICS_ALLOW": "10.0.0.0/8, ::1"}, False),
     ({**NO_REDIS, "METRICS_ALLOW": "127.0.0.0/8", "PROXY_FIX_X_FOR": 1}, True)],
    indirect=["app_config"],
)  # fmt: skip
def test_metrics_allowed_addresses(client, app_config, allowed):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == (200 if allowed else 404)
    # through a proxy the app does not believe, the address is the proxy's: never let in by it
    forwarded = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                           headers={"X-Forwarded-For": "127.0.0.1"})  # fmt: skip
    trusted = bool(app_config.get("PROXY_FIX_X_FOR"))
    assert forwarded.status_code == (200 if allowed and trusted else 404)


# --- /metrics: what it says ----------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [WITH_TOKEN], indirect=True)
def test_metrics_time_requests_by_endpoint_and_status_class(client):
    before = samples(client.get("/metrics", headers=BEARER))
    key = (
        "kyoso_http_request_duration_seconds_count",
        (("endpoint", "healthz"), ("status", "2xx")),
    )
    assert client.get("/healthz").status_code == 200
    after = samples(client.get("/metrics", headers=BEARER))
    assert after[key] == before.get(key, 0) + 1
    bucket = ("kyoso_http_request_duration_seconds_bucket",
              (("endpoint", "healthz"), ("le", "+Inf"), ("status", "2xx")))  # fmt: skip
    assert after[bucket] == after[key]


@pytest.mark.parametrize("app_config", [WITH_TOKEN], indirect=True)
def test_metrics_labels_stay_bounded_whatever_the_paths(client):
    client.get("/no-such-page")
    before = endpoints(samples(client.get("/metrics", headers=BEARER)))
    for path in ("/random/a1b2c3", "/wp-login.php", "/%E3%81%82?x=1", "/t/999999999/zzz"):
        assert client.get(path).status_code == 404
    after = samples(client.get("/metrics", headers=BEARER))
    assert endpoints(after) == before  # made-up paths are all the one "none" value
    assert "none" in before
    assert not any("wp-login" in str(labels) or "random" in str(labels) for _n, labels in after)


@pytest.mark.parametrize("app_config", [WITH_TOKEN], indirect=True)
def test_metrics_read_the_queues_at_scrape_time(client, thread_factory):
    thread_factory()  # writes a notification job and search outbox rows; no worker runs here
    db.session.execute(update(NotificationJob).values(run_after=utcnow() - timedelta(hours=1)))
    db.session.commit()
    found = samples(client.get("/metrics", headers=BEARER))
    assert found[("kyoso_notifications_jobs_due", ())] >= 1
    assert found[("kyoso_lag_seconds", (("check", "notifications"),))] >= 3600
    assert found[("kyoso_ready", (("check", "notifications"),))] == 0
    assert found[("kyoso_ready", (("check", "all"),))] == 0
    assert found[("kyoso_ready", (("check", "database"),))] == 1
    assert found[("kyoso_search_outbox_pending", ())] >= 1
    assert ("kyoso_lag_seconds", (("check", "search"),)) in found


@pytest.mark.parametrize("app_config", [NO_REDIS], indirect=True)
def test_mail_failures_are_counted_and_shown(app, monkeypatch, user):
    def down(_msg):
        raise OSError("SMTP down")

    before = REGISTRY.get_sample_value("kyoso_mail_failures_total") or 0
    monkeypatch.setattr(mail, "_deliver", down)
    with pytest.raises(OSError):
        mail.send_mail("a@example.jp", "件名", "本文")
    assert REGISTRY.get_sample_value("kyoso_mail_failures_total") == before + 1

    now = utcnow()
    rows = [  # retrying, given up within the day, given up long ago, never failed
        (EMAIL_PENDING, 2, now + timedelta(minutes=5)),
        (EMAIL_FAILED, 10, now - timedelta(hours=2)),
        (EMAIL_FAILED, 10, now - timedelta(days=3)),
        (EMAIL_PENDING, 0, now + timedelta(minutes=5)),
    ]
    for state, attempts, due in rows:
        db.session.add(Notification(user_id=user.id, kind="mentioned", last_source_id=1,
                                    collapse_key=f"k{attempts}{due}", email_state=state,
                                    email_attempts=attempts, email_due_at=due))  # fmt: skip
    db.session.commit()
    from notifications import mailing

    assert mailing.figures() == {"pending": 2, "failures_last_day": 2}


def test_background_loop_errors_are_counted():
    calls = []

    def step():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database away")
        loop.stop()

    loop = BackgroundLoop("test-loop", step, poll_seconds=0.01, min_backoff=0.01)
    before = REGISTRY.get_sample_value("kyoso_background_errors_total", {"loop": "test-loop"}) or 0
    loop.run()
    assert REGISTRY.get_sample_value("kyoso_background_errors_total", {"loop": "test-loop"}) == (
        before + 1
    )


def test_socketio_connections_are_counted(app, socket_client):
    def open_connections():
        return REGISTRY.get_sample_value("kyoso_socketio_connections")

    before = open_connections()
    first, second = socket_client(), socket_client()
    assert open_connections() == before + 2
    refused = socket_client(auth={"token": "kys_not-a-token"})
    assert not refused.is_connected()
    assert open_connections() == before + 2
    first.disconnect()
    second.disconnect()
    assert open_connections() == before


# --- request ids -----------------------------------------------------------------------------


def test_request_id_is_echoed_when_it_is_well_formed(client):
    for good in ("0123456789abcdef0123456789abcdef", "3f2b8a9e-1c4d-4e5f-8a6b-7c8d9e0f1a2b",
                 "lb-node_7.request-0001"):  # fmt: skip
        assert (
            client.get("/healthz", headers={"X-Request-ID": good}).headers["X-Request-ID"] == good
        )


@pytest.mark.parametrize("bad", [
    "short", "a" * 129, "<script>alert(1)</script>", "id with spaces 12345",
    'quote"injection-12345', "日本語のリクエストID番号です", "-leading-dash-1234",
    "x" * 10 + "\t" + "y" * 10, "ok-looking-id;rm -rf /",
])  # fmt: skip
def test_request_id_from_outside_is_replaced_when_malformed(client, bad):
    response = client.get("/healthz", headers={"X-Request-ID": bad})
    given = response.headers["X-Request-ID"]
    assert given != bad and requestid.valid(given) and len(given) == 32


def test_request_id_is_made_when_absent_and_differs_per_request(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/no-such-page").headers["X-Request-ID"]  # error pages carry one too
    assert requestid.valid(first) and requestid.valid(second) and first != second
    assert requestid.current() is None  # nothing leaks out of the request


def test_request_id_reaches_the_notification_job_and_its_worker(app, client, login, user,
                                                                thread_factory, monkeypatch):  # fmt: skip
    thread = thread_factory()
    db.session.execute(update(NotificationJob).values(status="done"))
    db.session.commit()
    login(user)
    rid = "req-0123456789abcdef"
    response = client.post_form(f"/t/{thread.id}/reply", {"body": "返信です"},
                                headers={"X-Request-ID": rid})  # fmt: skip
    assert response.status_code in (302, 303) and response.headers["X-Request-ID"] == rid
    [job] = db.session.scalars(select(NotificationJob).where(NotificationJob.status == "pending"))
    assert job.event == "post_created" and job.payload["request_id"] == rid

    seen = []
    run = worker.process_job
    monkeypatch.setattr(worker, "process_job", lambda j: seen.append(requestid.current()) or run(j))
    db.session.commit()
    assert worker.process_jobs().jobs == 1
    assert seen == [rid] and requestid.current() is None


# --- JSON logs -------------------------------------------------------------------------------


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    logs.uninstall()
    root.setLevel(level)
    root.handlers[:] = handlers


@pytest.mark.parametrize("app_config", [{"LOG_FORMAT": "json"}], indirect=True)
def test_json_log_lines_parse_and_carry_the_request_id(restore_logging, app, client, capsys):
    @app.get("/_log-test")
    def log_something():
        app.logger.warning("見守り: %s", "line\nbreak")
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("kyoso.test").exception("failed")
        return "ok"

    rid = "json-log-request-0001"
    assert client.get("/_log-test", headers={"X-Request-ID": rid}).status_code == 200
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    mine = [e for e in entries if e.get("request_id") == rid]
    warning = next(e for e in mine if e["message"].startswith("見守り"))
    assert warning["level"] == "WARNING" and warning["message"] == "見守り: line\nbreak"
    assert warning["logger"] == app.logger.name and warning["time"].endswith("Z")
    failure = next(e for e in mine if e["message"] == "failed")
    assert "ValueError: boom" in failure["exception"]


def test_log_format_is_checked(database_url, tmp_path):
    from tests.fixtures.app import make_test_app

    with pytest.raises(ValueError, match="LOG_FORMAT"):
        make_test_app(database_url, tmp_path, LOG_FORMAT="xml")


# --- flask status ----------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [NO_REDIS], indirect=True)
def test_status_command_reports_ready(app):
    result = app.test_cli_runner().invoke(args=["status"])
    assert result.exit_code == 0, result.output
    out = result.output
    for line in ("database", "search", "notifications", "migrations", "mail"):
        assert line in out
    assert "jobs_due 0" in out and "outbox_pending" in out and "failures_last_day 0" in out
    assert "indexer_running no" in out
    assert out.strip().splitlines()[-1] == "ready" and "NOT READY" not in out


@pytest.mark.parametrize("app_config", [NO_REDIS], indirect=True)
def test_status_command_fails_when_jobs_lag(app, thread_factory):
    thread_factory()
    db.session.execute(update(NotificationJob).values(run_after=utcnow() - timedelta(hours=1)))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["status"])
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if x.strip().startswith("notifications"))
    assert "NOT READY" in line
    assert result.output.strip().splitlines()[-1] == "NOT READY"
    # the same check, the same answer, as /readyz
    assert app.test_client().get("/readyz").status_code == 503


@pytest.mark.parametrize("app_config", [NO_REDIS], indirect=True)
def test_status_command_fails_when_the_schema_is_not_at_head(app):
    db.session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["status"])
    assert result.exit_code == 1
    assert "migrations" in result.output and "current 0001" in result.output
    assert app.test_client().get("/readyz").status_code == 200  # not a load balancer's concern


@pytest.mark.parametrize(
    "app_config", [{**NO_REDIS, "REDIS_URL": "redis://:hunter2@127.0.0.1:1/0"}], indirect=True
)
def test_status_command_fails_when_redis_is_unreachable(app):
    result = app.test_cli_runner().invoke(args=["status"])
    assert result.exit_code == 1
    assert "redis" in result.output and "hunter2" not in result.output


# --- several processes -------------------------------------------------------------------------


def test_metrics_in_multiprocess_mode_add_up_every_process(database_url, tmp_path):
    """Two processes with PROMETHEUS_MULTIPROC_DIR: a scrape of one counts the other's requests."""
    folder = tmp_path / "prom"
    folder.mkdir()
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        sys.path.insert(0, {str(ROOT)!r})
        from tests.fixtures.app import make_test_app
        app = make_test_app({database_url!r}, Path(sys.argv[2]), METRICS_TOKEN={TOKEN!r},
                            REDIS_URL="", SOCKETIO_MESSAGE_QUEUE="")
        client = app.test_client()
        if sys.argv[1] == "serve":
            assert client.get("/healthz").status_code == 200
        else:
            print(client.get("/metrics", headers={BEARER!r}).get_data(as_text=True))
    """)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    for role in ("serve", "scrape"):
        (tmp_path / role).mkdir()
        result = subprocess.run([sys.executable, "-c", script, role, str(tmp_path / role)],
                                env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert result.returncode == 0, result.stderr[-2000:]
    found = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(result.stdout) for s in family.samples
    }  # fmt: skip
    key = (
        "kyoso_http_request_duration_seconds_count",
        (("endpoint", "healthz"), ("status", "2xx")),
    )
    assert found[key] == 1  # counted by the first process, read by the second
    assert found[("kyoso_ready", (("check", "database"),))] == 1


@pytest.mark.parametrize("app_config", [{"LOG_FORMAT": "json"}], indirect=True)
def test_json_logs_name_the_request_that_queued_background_work(
    restore_logging, app, client, login, user, thread_factory, capsys
):
    thread = thread_factory()
    login(user)
    capsys.readouterr()
    rid = "queued-by-request-0001"
    client.post_form(f"/t/{thread.id}/reply", {"body": "返信です"}, headers={"X-Request-ID": rid})
    entries = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.strip()]
    messages = {e["message"].split(":")[0] for e in entries if e.get("request_id") == rid}
    assert {"search outbox", "notification jobs queued"} <= messages


@pytest.mark.parametrize("app_config", [WITH_TOKEN], indirect=True)
def test_unhandled_exceptions_are_counted_by_endpoint(app, client):
    @app.get("/_boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False  # answered with the 500 page, as in production
    labels = {"endpoint": "boom"}
    before = REGISTRY.get_sample_value("kyoso_http_exceptions_total", labels) or 0
    assert client.get("/_boom").status_code == 500
    assert REGISTRY.get_sample_value("kyoso_http_exceptions_total", labels) == before + 1
    found = samples(client.get("/metrics", headers=BEARER))
    assert found[("kyoso_http_request_duration_seconds_count",
                  (("endpoint", "boom"), ("status", "5xx")))] >= 1  # fmt: skip
