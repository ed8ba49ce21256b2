"""One keyset cursor for every paginated list (board pages, notifications, tracked threads, the
directory, structured listings): the sort values of the last row of a page, as URL-safe base64
of a JSON array. Opaque to clients; anything this server did not make is :class:`BadCursor`
(400), whatever list it is given to."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

#: ids are PostgreSQL integers
MAX_ID = 2**31 - 1
MAX_TEXT = 500


class BadCursor(ValueError):
    """A cursor this server did not make (or made for another list)."""


def encode(*values: Any) -> str:
    """The cursor of a row whose sort values are ``values`` (bool, int, str or aware datetime)."""
    plain = [v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, *types: type) -> tuple:
    """The values of ``cursor``, checked against ``types`` (bool, int, str, datetime)."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise BadCursor(cursor) from exc
    if not isinstance(values, list) or len(values) != len(types):
        raise BadCursor(cursor)
    return tuple(_value(value, kind, cursor) for value, kind in zip(values, types, strict=True))


def _value(value: Any, kind: type, cursor: str) -> Any:
    if kind is bool and isinstance(value, bool):
        return value
    if kind is int and type(value) is int and 0 < value <= MAX_ID:
        return value
    if kind is str and isinstance(value, str) and len(value) <= MAX_TEXT:
        return value
    if kind is datetime and isinstance(value, str):
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            raise BadCursor(cursor) from None
        if when.tzinfo is not None:
            return when
    raise BadCursor(cursor)
