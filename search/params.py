"""Search parameters: one parser for the page and the API, so both accept the same things."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from werkzeug.datastructures import MultiDict

from core.types import TOKYO

SORTS = ("relevance", "date")
MAX_LIMIT = 50


class BadParams(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    type: str | None = None
    prefecture: str | None = None
    block: str | None = None
    field: str | None = None
    domain: str | None = None
    board: str | None = None
    author: str | None = None
    #: a space's slug: only its boards (not a facet)
    space: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    event_from: date | None = None
    event_to: date | None = None
    sort: str | None = None
    cursor: str | None = None
    limit: int = 20

    #: the filters shown as facets, in display order
    FACETS = ("type", "prefecture", "block", "field", "domain", "board", "author")

    def with_(self, **changes) -> SearchParams:
        """A copy with ``changes``, back on the first page unless a cursor is given."""
        return replace(self, **{"cursor": None, **changes})

    def to_args(self) -> dict[str, str]:
        """The query-string arguments that give these parameters back (for links)."""
        args: dict[str, str] = {}
        for name, key in _ARG_NAMES.items():
            value = getattr(self, name)
            if value not in (None, ""):
                args[key] = value.isoformat() if isinstance(value, date) else str(value)
        if self.limit != SearchParams.limit:
            args["limit"] = str(self.limit)
        return args


_ARG_NAMES = {
    "q": "q", "type": "type", "prefecture": "prefecture", "block": "block", "field": "field",
    "domain": "domain", "board": "board", "author": "author", "space": "space", "date_from": "from",
    "date_to": "to", "event_from": "event_from", "event_to": "event_to", "sort": "sort",
    "cursor": "cursor",
}  # fmt: skip


def _date(args: MultiDict, key: str) -> date | None:
    raw = (args.get(key) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise BadParams(key) from exc


def _text(args: MultiDict, key: str, max_length: int = 100) -> str | None:
    value = (args.get(key) or "").strip()
    if len(value) > max_length:
        raise BadParams(key)
    return value or None


def parse_args(args: MultiDict, *, default_limit: int = 20) -> SearchParams:
    """Read the parameters from a query string; raises :class:`BadParams` naming the bad one."""
    sort = _text(args, "sort")
    if sort is not None and sort not in SORTS:
        raise BadParams("sort")
    try:
        limit = int(args.get("limit") or default_limit)
    except ValueError as exc:
        raise BadParams("limit") from exc
    if not 1 <= limit <= MAX_LIMIT:
        raise BadParams("limit")
    params = SearchParams(
        q=(args.get("q") or "")[:200],
        **{name: _text(args, name) for name in SearchParams.FACETS},
        space=_text(args, "space", 40),
        date_from=_date(args, "from"),
        date_to=_date(args, "to"),
        event_from=_date(args, "event_from"),
        event_to=_date(args, "event_to"),
        sort=sort,
        cursor=_text(args, "cursor", 200),
        limit=limit,
    )
    if params.cursor is not None:
        decode_cursor(params.cursor)
    return params


def day_bounds(start: date | None, end: date | None) -> tuple[int | None, int | None]:
    """Epoch seconds of the start of ``start`` and the end of ``end`` (Tokyo days)."""
    low = int(datetime.combine(start, time(), TOKYO).timestamp()) if start else None
    high = None
    if end:
        high = int(datetime.combine(end + timedelta(days=1), time(), TOKYO).timestamp()) - 1
    return low, high


def encode_cursor(**data) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise BadParams("cursor") from exc
    if not isinstance(data, dict) or not all(
        isinstance(v, int) and 0 <= v < 2**63 for v in data.values()
    ):
        raise BadParams("cursor")
    return data
