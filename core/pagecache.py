"""A brief cache of whole pages for anonymous visitors (issue #11 item 6).

Only for visitors who are not signed in, and keyed by the full URL (scheme, script root, path,
query; not the host: pages hold no absolute URL, and an untrusted host gets 400) and the language: every anonymous visitor may read the same things, and a page that is not
the same for all of them (a flash message waiting in the session, a signed-in reader) is
neither served from nor put into the cache. Nothing personal is kept: the page's CSRF token is
stored as a placeholder and each visitor gets their own (``flask_wtf.csrf.generate_csrf``, with
the session cookie that goes with it) — the cookies are made by the request, not stored.

A page is kept for ``ANON_PAGE_CACHE_SECONDS`` (0: no cache) at most, and this process drops
all of them after any commit that wrote something (``core.events.after_writes``): a change made
through this process shows at once, one made through another process within those seconds.
The live-update attributes on a page (the last post number) were rendered with it, so the live
client catches up from where the page it got stops.
"""

from __future__ import annotations

import secrets
import time
import weakref
from collections.abc import Callable
from functools import wraps
from threading import Lock

from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from core import events

_EXTENSION = "kyoso.page_cache"
#: stands for the CSRF token in a kept page; random per process, so no text can contain it
_TOKEN = "csrf-" + secrets.token_hex(16)

_caches: weakref.WeakSet[PageCache] = weakref.WeakSet()


class PageCache:
    def __init__(self, seconds: float, size: int) -> None:
        self.seconds, self.size = seconds, size
        self.pages: dict[tuple, tuple[float, str]] = {}
        self.lock = Lock()

    def get(self, key: tuple) -> str | None:
        entry = self.pages.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: tuple, html: str) -> None:
        with self.lock:
            self.pages.pop(key, None)
            while len(self.pages) >= self.size:
                self.pages.pop(next(iter(self.pages)))
            self.pages[key] = (time.monotonic() + self.seconds, html)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()


def _clear_all() -> None:
    for cache in list(_caches):
        cache.clear()


def _key() -> tuple | None:
    """The cache key of this request, or None if its page must be made for it alone."""
    cache = current_app.extensions.get(_EXTENSION)
    if (
        cache is None
        or request.method != "GET"
        or current_user.is_authenticated
        or session.get("_flashes")
    ):
        return None
    # pages hold no absolute URL (tests/security/test_host_header.py): the same for every host
    return (request.scheme, request.script_root, request.full_path, str(get_locale()))


def cached(allowed_args: frozenset[str] = frozenset()):
    """Decorate a GET view whose page is the same for every anonymous visitor at a given URL
    (and language): serve it from the cache, or make it and keep it if it answered 200 with
    HTML. ``allowed_args``: the query parameters the page may have and still be kept."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            key = _key() if set(request.args) <= allowed_args else None
            if key is None:
                return view(*args, **kwargs)
            cache: PageCache = current_app.extensions[_EXTENSION]
            html = cache.get(key)
            if html is not None:
                return Response(html.replace(_TOKEN, generate_csrf()), mimetype="text/html")
            response = current_app.make_response(view(*args, **kwargs))
            token = g.get("csrf_token")
            if (
                response.status_code == 200
                and response.mimetype == "text/html"
                and not response.direct_passthrough
                and "Set-Cookie" not in response.headers
                and token
                and _TOKEN not in (html := response.get_data(as_text=True))
            ):
                cache.put(key, html.replace(token, _TOKEN))
            return response

        return wrapper

    return decorate


def register(app: Flask) -> None:
    app.config.setdefault("ANON_PAGE_CACHE_SECONDS", 3.0)
    app.config.setdefault("ANON_PAGE_CACHE_SIZE", 200)
    seconds = float(app.config["ANON_PAGE_CACHE_SECONDS"])
    if seconds > 0 and app.config["ANON_PAGE_CACHE_SIZE"] > 0:
        cache = PageCache(seconds, int(app.config["ANON_PAGE_CACHE_SIZE"]))
        app.extensions[_EXTENSION] = cache
        _caches.add(cache)
    events.after_writes(_clear_all)
