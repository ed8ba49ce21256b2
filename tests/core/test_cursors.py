"""The one keyset cursor (core/cursors.py): what it encodes comes back; anything else is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from core import cursors

WHEN = datetime(2026, 12, 6, 21, 30, tzinfo=timezone(timedelta(hours=9)))


def test_cursors_round_trip_every_type():
    cursor = cursors.encode(True, WHEN, "ＮＰＯ法人 ささえあい", 42)
    pinned, when, name, ident = cursors.decode(cursor, bool, datetime, str, int)
    assert (pinned, name, ident) == (True, "ＮＰＯ法人 ささえあい", 42)
    assert when == WHEN and when.tzinfo is not None and when.utcoffset() == UTC.utcoffset(None)
    assert "=" not in cursor and "+" not in cursor and "/" not in cursor  # safe in a URL


@pytest.mark.parametrize(
    ("cursor", "types"),
    [
        ("%%%", (int,)),  # not base64
        ("bm90LWpzb24", (int,)),  # "not-json"
        (cursors.encode(1, 2), (int,)),  # another list's cursor: wrong length
        (cursors.encode("7"), (int,)),  # a string where an id belongs
        (cursors.encode(True), (int,)),  # a bool is not an id
        (cursors.encode(0), (int,)),
        (cursors.encode(2**31), (int,)),  # beyond a PostgreSQL integer
        (cursors.encode(1), (bool,)),
        (cursors.encode("2026-12-06T12:00:00"), (datetime,)),  # no time zone
        (cursors.encode("yesterday"), (datetime,)),
        (cursors.encode("x" * 501), (str,)),
    ],
)
def test_cursors_refuse_what_the_server_did_not_make(cursor, types):
    with pytest.raises(cursors.BadCursor):
        cursors.decode(cursor, *types)
