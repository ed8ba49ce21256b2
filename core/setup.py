"""Small ``configure_*`` steps used by ``create_app``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from werkzeug.middleware.proxy_fix import ProxyFix

from core.extensions import babel, csrf, db, limiter, migrate

LOCALES = ("ja", "en")


def configure_instance(app: Flask) -> None:
    """Fill the settings that depend on the instance folder (DB file, secret key, outbox)."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _persistent_secret(instance / "secret_key")
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'kyoso.sqlite3'}"
    if not app.config.get("MAIL_OUTBOX_DIR"):
        app.config["MAIL_OUTBOX_DIR"] = str(instance / "outbox")
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session: long posts survive
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # the limit store (Redis) going away must not turn requests into 500s: each process counts
    # in memory until the store answers again (Flask-Limiter checks it with a growing interval)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(app.config["DATABASE_URL"]))


#: the site's address while developing and testing when SITE_URL is not set
DEVELOPMENT_SITE_URL = "http://127.0.0.1:5000"
#: host names always accepted while developing and testing (any port)
DEVELOPMENT_HOSTS = ("localhost", "127.0.0.1")


class ConfigurationError(RuntimeError):
    """A setting the site cannot run without is missing or malformed."""


def configure_site_url(app: Flask) -> None:
    """``SITE_URL`` (the base of every absolute link) and the hosts accepted in the ``Host``
    header. In production (neither DEBUG nor TESTING) the site refuses to start without
    ``SITE_URL``: links in mail would otherwise be built from whatever Host a client sends."""
    development = bool(app.config.get("DEBUG") or app.config.get("TESTING"))
    site = (app.config.get("SITE_URL") or "").strip()
    if not site:
        if not development:
            raise ConfigurationError(
                "SITE_URL is not set. Set it to the public address of the site, e.g. "
                "SITE_URL=https://kyoso.example.lg.jp (SITE_URL が未設定です。公開URLを設定して"
                "ください)."
            )
        site = DEVELOPMENT_SITE_URL
    try:
        parts = urlsplit(site)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme not in ("http", "https") or not host or parts.query \
            or parts.fragment:  # fmt: skip
        raise ConfigurationError(
            f"SITE_URL must be an http(s) URL with a host and no query, e.g. "
            f"https://kyoso.example.lg.jp (got {site!r})."
        )
    app.config["SITE_URL"] = site.rstrip("/")
    trusted = app.config.get("TRUSTED_HOSTS") or []
    if isinstance(trusted, str):
        trusted = [h.strip() for h in trusted.split(",")]
    hosts = [host, *(h for h in trusted if h)]
    if development:
        hosts += DEVELOPMENT_HOSTS
    # Flask (>= 3.1) answers a request whose Host is not in this list with 400
    app.config["TRUSTED_HOSTS"] = list(dict.fromkeys(hosts))


def configure_proxy(app: Flask) -> None:
    """Believe ``X-Forwarded-For`` / ``-Proto`` / ``-Host`` only from as many reverse proxies as
    configured (``PROXY_FIX_X_*``; 0 = do not believe them): the client address then is the real
    one, for rate limits. Wraps the whole WSGI app (Socket.IO included), so it runs last."""
    counts = {
        "x_for": app.config.get("PROXY_FIX_X_FOR") or 0,
        "x_proto": app.config.get("PROXY_FIX_X_PROTO") or 0,
        "x_host": app.config.get("PROXY_FIX_X_HOST") or 0,
    }
    if any(counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_prefix=0, x_port=0, **counts)  # type: ignore[method-assign]


def _persistent_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 15}}
    return {"pool_pre_ping": True}


#: how much of an SQLite database file each connection reads through a memory map instead of
#: read() calls into its own 2 MiB page cache: the pages are the operating system's, shared by
#: every connection and process (address space, not memory of its own). Statements that visit
#: tens of thousands of rows at random, such as the listings' counts by prefecture (one look-up of
#: each item's thread), cost about half the CPU: /cases 61 → 37 ms, /challenges?status=open 38 →
#: 18 ms at 100,000 structured threads (bench/README.md, "Prefecture map"). A larger page cache
#: (``cache_size``) gained nothing there. 0 turns it off.
SQLITE_MMAP_SIZE = 1 << 30


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite defaults: WAL, foreign keys on, a busy timeout, reads through a memory map."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_SIZE}")
    cursor.close()


def configure_extensions(app: Flask) -> None:
    db.init_app(app)
    # runs before Flask-SQLAlchemy's own teardown (teardowns run in reverse order)
    app.teardown_appcontext(_release_session)
    migrate.init_app(app, db, directory=str(Path(app.root_path) / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Asia/Tokyo")
    limiter.init_app(app)


def _release_session(_exc: BaseException | None) -> None:
    """End the request's session; when its connection died with the transaction still open (the
    database restarted after the last statement), the server has already rolled it back: drop the
    connection instead of letting the rollback's error turn a finished response into a 500."""
    try:
        db.session.close()
    except DBAPIError:
        current_app.logger.warning("database connection lost at the end of a request")
        db.session().invalidate()


def select_locale() -> str:
    """The user's choice (account, then cookie), else Japanese."""
    if "locale" in g:
        return g.locale
    choice = request.cookies.get("lang") if request else None
    if current_user and current_user.is_authenticated and current_user.locale:
        choice = current_user.locale
    g.locale = choice if choice in LOCALES else "ja"
    return g.locale


def configure_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' https: data:; style-src 'self'; "
            "script-src 'self'; frame-src https://www.youtube-nocookie.com https://player.vimeo.com; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        return response
