"""Log output. ``LOG_FORMAT=text`` (the default) leaves logging as it always was (Flask's and
the server's own); ``LOG_FORMAT=json`` writes one JSON object per line to standard error:

    {"time": "2026-12-06T23:59:01.123Z", "level": "INFO", "logger": "kyoso.search",
     "message": "…", "request_id": "3f2a…"}

with ``request_id`` whenever the line belongs to a request or to a job a request queued
(:mod:`core.requestid`), and ``exception`` (the traceback as one string) when there is one.
``LOG_LEVEL`` (``INFO``) is the level of the root logger then.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from flask import Flask
from flask.logging import default_handler

from core import requestid

FORMATS = ("text", "json")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }  # fmt: skip
        request_id = getattr(record, "request_id", None) or requestid.current()
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (a test's capture, a reopened stream)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


#: the handler this module installed on the root logger (one per process)
_handler: logging.Handler | None = None


def configure(app: Flask) -> None:
    """Install the JSON handler on the root logger when ``LOG_FORMAT=json`` (called first in
    ``create_app``, before anything logs through ``app.logger``)."""
    global _handler
    fmt = (app.config.get("LOG_FORMAT") or "text").strip().lower()
    if fmt not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {FORMATS}, not {fmt!r}")
    if fmt != "json":
        return
    root = logging.getLogger()
    if _handler is None:
        _handler = _StderrHandler()
        _handler.setFormatter(JsonFormatter())
    if _handler not in root.handlers:
        root.addHandler(_handler)
    root.setLevel((app.config.get("LOG_LEVEL") or "INFO").upper())
    # the root handler carries app.logger's records too: no second, plain-text line
    app.logger.removeHandler(default_handler)


def uninstall() -> None:
    """Take the JSON handler off the root logger again (tests)."""
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
