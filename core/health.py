"""``/healthz`` (liveness) and ``/readyz`` (readiness) for load balancers and monitoring.

``/healthz`` says the process answers (and, as it always has, that its database does).
``/readyz`` says whether this process should be sent traffic: the database answers a trivial
query, every Redis the process is configured with (``REDIS_URL``, the Socket.IO message queue,
the rate-limit store) answers a ping within a short timeout, and the background work keeps up
(the packages that own it add their checks: the search outbox lag, the notification job lag,
each against a threshold from the settings). It answers 200 ``{"status": "ok", "checks": {…}}``
or 503 with the same shape, the failing checks marked ``"error"``; never a 500, never a URL,
host name, password or anything about a member — the body is public. A few cheap statements
and pings: a load balancer may ask every few seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import text

from core.extensions import db

log = logging.getLogger(__name__)

EXTENSION_KEY = "kyoso.readiness"
#: seconds a Redis ping may take before the check fails (a dead host must not stall the probe)
REDIS_TIMEOUT = 0.25
#: a check returns details (numbers, states) and ``"status"``; raising means ``"error"``
Check = Callable[[], dict]


def add_check(app: Flask, name: str, check: Check) -> None:
    """Add a readiness check (packages above core add theirs in ``register(app)``)."""
    app.extensions.setdefault(EXTENSION_KEY, {})[name] = check


def lag_check(seconds: float, threshold: float, **details) -> dict:
    """The usual shape of a lag check: ``"error"`` when ``seconds`` is above ``threshold``
    (a threshold of 0 reports the lag without ever failing on it)."""
    late = threshold > 0 and seconds > threshold
    return {"status": "error" if late else "ok", "lag_seconds": round(seconds, 1),
            "threshold_seconds": threshold, **details}  # fmt: skip


def _database() -> dict:
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


#: the settings that may name a Redis, by the role reported for them
REDIS_ROLES = (
    ("REDIS_URL", "redis"),
    ("SOCKETIO_MESSAGE_QUEUE", "message_queue"),
    ("RATELIMIT_STORAGE_URI", "rate_limit_store"),
)
_clients: dict[str, object] = {}
_clients_lock = threading.Lock()


def _redis_client(url: str):
    """One client (one small connection pool) per URL and process, so a probe reuses its
    connection instead of opening one each time."""
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            import redis

            client = redis.Redis.from_url(
                url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT,
                max_connections=4,
            )  # fmt: skip
            _clients[url] = client
        return client


def redis_urls(app: Flask) -> dict[str, list[str]]:
    """Each configured Redis URL → the roles it plays (one ping per URL)."""
    urls: dict[str, list[str]] = {}
    for setting, role in REDIS_ROLES:
        url = (app.config.get(setting) or "").strip()
        if url.startswith(("redis://", "rediss://", "unix://")):
            urls.setdefault(url, []).append(role)
    return urls


def _redis_checks(app: Flask) -> dict[str, dict]:
    results = {}
    for url, roles in redis_urls(app).items():
        started = time.monotonic()
        try:
            _redis_client(url).ping()
            result = {"status": "ok"}
        except Exception as exc:  # noqa: BLE001 - any failure is "not ready", never a 500
            log.warning("readiness: Redis (%s) unreachable: %s", ", ".join(roles),
                        type(exc).__name__)  # fmt: skip
            result = {"status": "error"}
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        for role in roles:
            results[role] = result
    return results


def readiness(app: Flask) -> tuple[bool, dict[str, dict]]:
    checks: dict[str, dict] = {}
    named = [("database", _database), *app.extensions.get(EXTENSION_KEY, {}).items()]
    for name, check in named:
        try:
            checks[name] = check()
        except Exception:  # noqa: BLE001 - a failing check is reported, never a 500
            log.exception("readiness check %s failed", name)
            db.session.rollback()
            checks[name] = {"status": "error"}
    checks.update(_redis_checks(app))
    db.session.rollback()  # read only; leaves no transaction open on a pooled connection
    return all(c["status"] == "ok" for c in checks.values()), checks


def register(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        try:
            db.session.execute(text("SELECT 1"))
        except Exception:
            app.logger.exception("health check failed")
            db.session.rollback()
            return {"status": "error", "database": "unreachable"}, 503
        return {"status": "ok", "database": "ok"}

    @app.get("/readyz")
    def readyz():
        ok, checks = readiness(current_app)
        body = {"status": "ok" if ok else "error", "checks": checks}
        return body, 200 if ok else 503, {"Cache-Control": "no-store"}
