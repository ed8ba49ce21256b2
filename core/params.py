"""Reading numbers and JSON from requests with bounds, so malformed input is a 4xx, never a 500.

- ``db_int`` / ``int_between``: ``type=`` callables for ``request.args.get``: anything that is not
  a whole number within bounds raises ``ValueError``, so ``get`` answers its default (ids and
  numbers are 32-bit ``integer`` columns on PostgreSQL, which refuses a larger parameter; SQLite
  cannot bind one beyond 64 bits; ``timedelta`` overflows on huge hours).
- ``IdConverter``: the ``<int:…>`` URL converter, limited likewise (a larger id is 404).
- ``json_depth``: how deeply a JSON text nests, measured before parsing (Python's parser
  recurses: 10,000 nested arrays would raise ``RecursionError``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask, Request
from werkzeug.routing import IntegerConverter

#: the largest id or number an ``Integer`` column holds (32-bit ``integer`` on PostgreSQL)
DB_INT_MAX = 2**31 - 1
#: the largest integer accepted anywhere (JSON numbers: e.g. a budget in yen may pass 2**31)
INT64_MAX = 2**63 - 1
#: the largest "older than N hours" filter (200 years; a larger one overflows ``timedelta``)
MAX_AGE_HOURS = 24 * 366 * 200


def db_int(value) -> int:
    """A whole number that fits an ``Integer`` column (an id, a post number); ``ValueError``
    otherwise."""
    number = int(value)
    if not -DB_INT_MAX <= number <= DB_INT_MAX:
        raise ValueError("integer out of range")
    return number


def int_between(low: int, high: int) -> Callable[[object], int]:
    """A ``type=`` callable accepting whole numbers ``low``..``high`` only."""

    def parse(value) -> int:
        number = int(value)
        if not low <= number <= high:
            raise ValueError("integer out of range")
        return number

    return parse


class IdConverter(IntegerConverter):
    """``<int:…>`` limited to what a database id can be (a larger number does not match: 404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, DB_INT_MAX if max is None else max, signed)


def register_converters(app: Flask) -> None:
    """Before any blueprint adds its routes."""
    app.url_map.converters["int"] = IdConverter


def carries_nul(request: Request) -> bool:
    """Whether the path, a query or form field or a JSON body holds a NUL character: never
    meaningful text, and PostgreSQL cannot store or compare it."""
    query = request.query_string  # raw: a NUL arrives as %00 (parsing it is not needed)
    if "\x00" in request.path or b"%00" in query or b"\x00" in query:
        return True
    # urlencoded forms only: a multipart upload is read by its view, which sets its own size
    # limit first (reading it here would apply the site-wide one)
    if request.mimetype == "application/x-www-form-urlencoded":
        for name, value in request.form.items(multi=True):
            if "\x00" in name or "\x00" in value:
                return True
    if request.is_json:
        body = request.get_data(cache=True, as_text=True)
        return "\x00" in body or "\\u0000" in body
    return False


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")


def json_depth(text: str, limit: int) -> int:
    """How deeply ``text`` nests arrays and objects (strings skipped), counting no further than
    ``limit + 1``: linear, no recursion."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRINGS.sub('""', text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest
