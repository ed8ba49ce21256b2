"""One id per request, for following it through the logs (and into the background work it
queued).

The reverse proxy's ``X-Request-ID`` (nginx: ``proxy_set_header X-Request-ID $request_id;``) is
taken only when it matches :data:`PATTERN` — letters, digits, ``.``, ``_``, ``-``, 8 to 128 of
them — so a client cannot put line breaks, quotes or megabytes into the logs through it;
anything else is replaced by a fresh random id. The id is returned in the response's
``X-Request-ID`` header and is :func:`current` for the request's log lines.

Background work carries the id of the request that queued it: :func:`bind` makes an id
current in a worker while it runs that job (a notification job keeps it in its payload).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, g, request

HEADER = "X-Request-ID"
PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,127}")

_current: ContextVar[str | None] = ContextVar("kyoso_request_id", default=None)


def valid(value: object) -> bool:
    return isinstance(value, str) and PATTERN.fullmatch(value) is not None


def new() -> str:
    return uuid.uuid4().hex


def current() -> str | None:
    """The id of the request (or of the request whose job is running), if any."""
    return _current.get()


@contextmanager
def bind(request_id: str | None) -> Iterator[None]:
    """Make ``request_id`` current for what runs inside (a worker's job); an invalid value
    (from an old row, say) binds nothing."""
    token = _current.set(request_id if valid(request_id) else None)
    try:
        yield
    finally:
        _current.reset(token)


def register(app: Flask) -> None:
    """Registered before every other ``before_request``, so all of them log with the id."""

    @app.before_request
    def _start() -> None:
        offered = request.headers.get(HEADER)
        request_id = offered if valid(offered) else new()
        g.request_id = request_id
        g.request_id_token = _current.set(request_id)

    @app.after_request
    def _header(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers[HEADER] = request_id
        return response

    @app.teardown_request
    def _end(_exc: BaseException | None) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            try:
                _current.reset(token)
            except ValueError:  # set in another context (cannot happen in a normal request)
                _current.set(None)
