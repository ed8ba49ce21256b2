"""Prometheus metrics at ``/metrics`` (prometheus_client).

Counted as things happen, per process:

* ``kyoso_http_request_duration_seconds{endpoint, status}``: a histogram of every request's
  time, by Flask endpoint name (``forum.thread``, never the raw path: a path no route matches is
  ``none``, so made-up URLs add no series) and status class (``2xx`` … ``5xx``);
* ``kyoso_http_exceptions_total{endpoint}``: requests that failed with an unexpected exception
  (answered with a 500);
* ``kyoso_background_errors_total{loop}``: failed steps of the background loops;
* ``kyoso_mail_failures_total``: messages that could not be sent;
* ``kyoso_socketio_connections``: open Socket.IO connections.

Read at scrape time from the shared checks (:mod:`core.health`, the same as ``/readyz`` and
``flask status``): ``kyoso_ready{check}`` (1/0), ``kyoso_lag_seconds{check}`` (search index,
notification jobs), ``kyoso_worker_heartbeat_age_seconds{worker, host}`` (:mod:`core.heartbeat`), and each package's figures as ``kyoso_<package>_<figure>`` (queue sizes,
job leases, e-mail failures) — a few indexed statements per scrape.

Access: nobody by default (404). ``METRICS_TOKEN`` lets a scraper in with ``Authorization:
Bearer <token>``; ``METRICS_ALLOW`` (comma-separated addresses or networks) lets addresses in
— the client address as the app sees it, so behind a reverse proxy only with
``PROXY_FIX_X_FOR`` set (a request that came through a proxy the app does not believe, one
with ``X-Forwarded-For``, is never let in by address).

Several processes (gunicorn ``-w N``): set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder
before the server starts (prometheus_client's multiprocess mode); each process writes its
counts there and a scrape of any of them adds them all up (see README "監視 / Monitoring").
"""

from __future__ import annotations

import gc
import hmac
import ipaddress
import os
import time

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

from core import heartbeat
from core.extensions import db
from core.types import utcnow

REQUEST_SECONDS = Histogram(
    "kyoso_http_request_duration_seconds",
    "Time to answer a request, by Flask endpoint and status class.",
    ["endpoint", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
EXCEPTIONS = Counter(
    "kyoso_http_exceptions_total",
    "Requests that failed with an unexpected exception.",
    ["endpoint"],
)
BACKGROUND_ERRORS = Counter(
    "kyoso_background_errors_total", "Failed steps of a background loop.", ["loop"]
)
MAIL_FAILURES = Counter("kyoso_mail_failures_total", "E-mail messages that could not be sent.")
SOCKETIO_CONNECTIONS = Gauge(
    "kyoso_socketio_connections", "Open Socket.IO connections.", multiprocess_mode="livesum"
)

#: the label of a request no route matched (404, 405 …): one value, whatever the path
UNMATCHED = "none"
PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


def endpoint_label() -> str:
    return request.endpoint or UNMATCHED


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    if started is not None:
        REQUEST_SECONDS.labels(endpoint_label(), f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started
        )
    return response


def count_exception() -> None:
    """A request failed with an unexpected exception (``core.errors`` answers it with a 500)."""
    EXCEPTIONS.labels(endpoint_label()).inc()


def _teardown(exception: BaseException | None) -> None:
    """An exception no error handler answered (one raised by an error handler itself)."""
    if exception is not None:
        count_exception()


# --- access ----------------------------------------------------------------------------------


def _networks(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(part.strip(), strict=False)
            for part in value.split(",") if part.strip()]  # fmt: skip


def allowed() -> bool:
    config = current_app.config
    token = (config.get("METRICS_TOKEN") or "").strip()
    if token:
        scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            offered.strip().encode(), token.encode()
        ):
            return True
    networks = config.get("METRICS_ALLOW_NETWORKS") or []
    if not networks or not request.remote_addr:
        return False
    if not config.get("PROXY_FIX_X_FOR") and any(h in request.headers for h in PROXY_HEADERS):
        return False  # the address is a proxy's, not the scraper's
    try:
        address = ipaddress.ip_address(request.remote_addr)
    except ValueError:
        return False
    return any(address in network for network in networks)


# --- the scrape --------------------------------------------------------------------------------


class StatusCollector:
    """The shared checks and figures of :mod:`core.health`, read at scrape time."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        from core import health

        ready = GaugeMetricFamily("kyoso_ready", "1 when the check passes (as /readyz).",
                                  labels=["check"])  # fmt: skip
        lag = GaugeMetricFamily(
            "kyoso_lag_seconds", "How far background work lags (as /readyz).", labels=["check"]
        )
        ok, checks = health.readiness(self.app)
        for name, check in checks.items():
            ready.add_metric([name], 1.0 if check["status"] == "ok" else 0.0)
            if "lag_seconds" in check:
                lag.add_metric([name], float(check["lag_seconds"]))
        ready.add_metric(["all"], 1.0 if ok else 0.0)
        yield ready
        yield lag
        beats = GaugeMetricFamily(
            "kyoso_worker_heartbeat_age_seconds",
            "Seconds since each background worker's freshest heartbeat, by worker and host.",
            labels=["worker", "host"],
        )
        try:  # in the scrape's request, like the checks above
            now = utcnow()
            for (worker, host), row in heartbeat.freshest().items():
                beats.add_metric([worker, host], (now - row.beat_at).total_seconds())
        except Exception:  # noqa: BLE001 - kyoso_ready{check="database"} reports the cause
            db.session.rollback()
        yield beats
        yield GaugeMetricFamily(
            "kyoso_gc_frozen_objects",
            "Objects kept out of automatic garbage collection in this process (core/gcpolicy.py).",
            value=float(gc.get_freeze_count()),
        )
        for source, figures in health.figures(self.app).items():
            for key, value in figures.items():
                if isinstance(value, bool | int | float):
                    yield GaugeMetricFamily(f"kyoso_{source}_{key}",
                                            f"{source}: {key} (as `flask status`).",
                                            value=float(value))  # fmt: skip


def registry() -> CollectorRegistry:
    """This process's counts, or every process's in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        combined = CollectorRegistry()
        multiprocess.MultiProcessCollector(combined)
        return combined
    return REGISTRY


def scrape() -> bytes:
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(StatusCollector(current_app._get_current_object()))  # noqa: SLF001
    return generate_latest(registry()) + generate_latest(scraped)


def register(app: Flask) -> None:
    """Registered right after :mod:`core.requestid`, before the packages' own hooks."""
    app.config["METRICS_ALLOW_NETWORKS"] = _networks(app.config.get("METRICS_ALLOW") or "")
    app.before_request(_started)
    app.after_request(_observe)
    app.teardown_request(_teardown)

    @app.get("/metrics")
    def metrics():
        if not allowed():
            abort(404)
        return Response(scrape(), content_type=CONTENT_TYPE_LATEST,
                        headers={"Cache-Control": "no-store"})  # fmt: skip
