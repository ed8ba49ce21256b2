"""``/healthz`` (liveness) and ``/readyz`` (readiness) for load balancers and monitoring.

``/healthz`` says the process answers (and, as it always has, that its database does).
``/readyz`` says whether this process should be sent traffic: the database answers a trivial
query, every Redis the process is configured with (``REDIS_URL``, the Socket.IO message queue,
the rate-limit store) answers a ping within a short timeout, and the background work keeps up
(the packages that own it add their checks: the search outbox lag, the notification job lag,
each against a threshold from the settings; and every worker's heartbeat is recent,
:mod:`core.heartbeat`). It answers 200 ``{"status": "ok", "checks": {…}}``
or 503 with the same shape, the failing checks marked ``"error"``; never a 500, never a URL,
host name, password or anything about a member — the body is public. A few cheap statements
and pings: a load balancer may ask every few seconds.

The same checks, one implementation, serve ``flask --app app status`` (an operator's summary,
exit code 1 when something is not ready) and ``/metrics`` (``core.metrics``). The command adds
what is not for a load balancer: whether the database schema is at the migrations' head, and
each package's *figures* (:func:`add_figures`: queue sizes, job leases, e-mail failures — a few
indexed counts), which ``/metrics`` exports too.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import text

from core import heartbeat
from core.extensions import db

log = logging.getLogger(__name__)

EXTENSION_KEY = "kyoso.readiness"
FIGURES_KEY = "kyoso.status_figures"
#: seconds a Redis ping may take before the check fails (a dead host must not stall the probe)
REDIS_TIMEOUT = 0.25
#: a check returns details (numbers, states) and ``"status"``; raising means ``"error"``
Check = Callable[[], dict]


def add_check(app: Flask, name: str, check: Check) -> None:
    """Add a readiness check (packages above core add theirs in ``register(app)``)."""
    app.extensions.setdefault(EXTENSION_KEY, {})[name] = check


def add_figures(app: Flask, name: str, figures: Callable[[], dict]) -> None:
    """Add figures for ``flask status`` and ``/metrics``: ``figures()`` returns ``{key: value}``
    (numbers become the gauge ``kyoso_<name>_<key>``; text is shown by ``status`` only). They
    never decide readiness: the checks do."""
    app.extensions.setdefault(FIGURES_KEY, {})[name] = figures


def figures(app: Flask) -> dict[str, dict]:
    """Every package's figures (a package whose figures fail is reported as ``{"error": …}``)."""
    results: dict[str, dict] = {}
    for name, figures_of in app.extensions.get(FIGURES_KEY, {}).items():
        try:
            results[name] = figures_of()
        except Exception as exc:  # noqa: BLE001 - a figure that fails is shown, never fatal
            log.exception("status figures %s failed", name)
            db.session.rollback()
            results[name] = {"error": type(exc).__name__}
    db.session.rollback()
    return results


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


def migrations() -> dict:
    """Whether the database's schema is at the migrations' head (``flask status`` only: during a
    rolling deploy old and new processes disagree with it, and must not all leave the pool)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return {"status": "ok" if current == heads else "error",
            "current": ",".join(sorted(current)) or "none", "head": ",".join(sorted(heads))}  # fmt: skip


def status_report(app: Flask) -> tuple[bool, dict[str, dict], dict[str, dict]]:
    """``flask status``: the readiness checks, the migration head, and the figures."""
    ok, checks = readiness(app)
    try:
        checks["migrations"] = migrations()
    except Exception:  # noqa: BLE001 - reported, like every check
        log.exception("status: migration check failed")
        checks["migrations"] = {"status": "error"}
    ok = ok and checks["migrations"]["status"] == "ok"
    return ok, checks, figures(app)


def _shown(value: object) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def _details(values: dict) -> str:
    return ", ".join(f"{key} {_shown(value)}" for key, value in values.items() if key != "status")


@click.command("status")
@with_appcontext
def status_command() -> None:
    """Is this site ready? The checks of /readyz, the migration head, queues and failures.
    Exit code 1 when something is not ready."""
    ok, checks, figures_by_name = status_report(current_app)
    width = max(len(name) for name in [*checks, *figures_by_name])
    click.echo("checks:")
    for name, check in checks.items():
        line = f"  {name:<{width}}  {'ok' if check['status'] == 'ok' else 'NOT READY'}"
        details = _details(check)
        click.echo(f"{line}  ({details})" if details else line)
    click.echo("figures:")
    for name, values in figures_by_name.items():
        click.echo(f"  {name:<{width}}  {_details(values) or '-'}")
    click.echo("ready" if ok else "NOT READY")
    if not ok:
        raise SystemExit(1)


def register(app: Flask) -> None:
    app.cli.add_command(status_command)
    add_check(app, "workers", heartbeat.readiness)
    add_figures(app, "workers", heartbeat.figures)

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
