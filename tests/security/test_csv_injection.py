"""Issue #13, finding 11: the audit CSV had no formula guard. Every CSV export now writes its
cells through one helper (``core.csvsafe.csv_cell``); checked here by parsing the downloads."""

from __future__ import annotations

import csv
import io

import pytest

from core.csvsafe import FORMULA_STARTS, csv_cell
from core.extensions import db
from moderation import actions
from structured.exports import EVENT_CSV_COLUMNS

PAYLOADS = [
    '=HYPERLINK("http://evil.example","詳細")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    '＝ＨＹＰＥＲＬＩＮＫ("http://evil.example")',  # full-width: Japanese spreadsheets accept it
    "＋１＋２",
    "－２＋３",
    "＠ＳＵＭ(Ａ１)",
]


def parse(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert cell[:1] not in FORMULA_STARTS, (cell, row)


def test_csv_injection_audit_export_neutralises_every_payload(client, login, admin, user_factory):
    member = user_factory()
    for payload in PAYLOADS:
        actions.silence_user(member, actor=admin, until=None, reason=payload)
    db.session.commit()
    login(admin)
    rows = parse(client.get("/moderation/audit?format=csv"))
    header, body = rows[0], rows[1:]
    reasons = [dict(zip(header, row, strict=True))["reason"] for row in body]
    assert sorted(reasons) == sorted("'" + p for p in PAYLOADS)  # kept, but inert
    assert_no_formula(body)


@pytest.mark.parametrize("title", ['＝ＨＹＰＥＲＬＩＮＫ("x")', "=1+1", "＠ＳＵＭ(Ａ１)"])
def test_csv_injection_events_export_uses_the_same_guard(client, structured_factory, title):
    """The event CSV already had a guard; it now shares the audit's, full-width forms included."""
    structured_factory("event", title=title, organizer="－１＋１")
    rows = parse(client.get("/events.csv"))
    row = dict(zip(EVENT_CSV_COLUMNS, rows[1], strict=True))
    assert row["イベント名"] == "'" + title and row["主催者"] == "'－１＋１"
    assert_no_formula(rows[1:])


def test_csv_injection_cell_helper():
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("＝1") == "'＝1"
    assert csv_cell("普通の文") == "普通の文" and csv_cell("a=b") == "a=b"
    assert csv_cell(-5) == -5 and csv_cell(None) == "" and csv_cell("") == ""
    assert csv_cell({"body": "=1"}) == "{'body': '=1'}"  # starts with "{": inert as it is
