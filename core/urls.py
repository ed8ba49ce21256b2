"""URL helpers.

Every absolute URL the site hands out — in e-mail, feeds, ``.ics`` files, JSON-LD and the API —
is built here from the configured ``SITE_URL``, never from the request's ``Host`` header (which a
client chooses: a password-reset link built from it could point at an attacker's host).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for


def safe_next_url(target: str | None) -> str | None:
    """Accept only a local path as a post-login destination (no open redirect, no header
    injection: control characters and whitespace refuse the value)."""
    if not target or len(target) > 2000:
        return None
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:  # e.g. an unbalanced "[" in the netloc
        return None
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def is_web_url(value: str) -> bool:
    """An absolute ``http``/``https`` URL with a host and no whitespace or control characters
    (no ``javascript:``, ``data:`` …): what a user may give as a link."""
    if any(c.isspace() or ord(c) < 32 for c in value):
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def site_url() -> str:
    """The configured public base URL, without a trailing slash (``https://kyoso.example.lg.jp``
    or ``https://example.lg.jp/kyoso``)."""
    return current_app.config["SITE_URL"].rstrip("/")


def site_host() -> str:
    """The public host name (no port), e.g. for iCalendar UIDs."""
    return urlsplit(site_url()).hostname or "localhost"


def absolute_path(path: str) -> str:
    """``path`` (as built by ``url_for``, so it may start with the application root) under
    ``SITE_URL``."""
    root = request.script_root if has_request_context() else ""
    if root and (path == root or path.startswith(root + "/")):
        path = path[len(root) :]
    if not path.startswith("/"):
        path = "/" + path
    return site_url() + path


def absolute_url(endpoint: str, **values) -> str:
    """``url_for(endpoint, **values)`` as an absolute URL under ``SITE_URL``: the one way to
    build a link that leaves the site (``_external=True`` would trust the Host header)."""
    values.pop("_external", None)
    return absolute_path(url_for(endpoint, **values))
