"""Spreadsheet-safe CSV cells: user text that a spreadsheet would run as a formula is prefixed
with an apostrophe (CSV injection, OWASP "CSV Injection"). Every CSV export writes its cells
through :func:`csv_cell`."""

from __future__ import annotations

from typing import Any

#: first characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (or
#: DDE command); the full-width forms count because spreadsheets in Japanese locales accept them
FORMULA_STARTS = frozenset("=+-@\t\r" + "＝＋－＠")


def csv_cell(value: Any) -> Any:
    """``value`` for a CSV cell: text starting with a formula character gets a leading ``'``;
    numbers and empty values pass unchanged, anything else is written as its text."""
    if value is None or isinstance(value, int | float):
        return "" if value is None else value
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text
