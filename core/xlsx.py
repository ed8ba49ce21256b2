"""Workbooks people open in Excel: one sheet per :class:`core.tables.Table`, Japanese headers,
dates as real dates, numbers as numbers, column widths set, text that could be read as a formula
kept as text. openpyxl's write-only mode streams the rows (an export of 1,000 rows stays small).
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, datetime
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from core.tables import DATE, DATETIME, FLOAT, INT, YEAR, Table
from core.types import TOKYO

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML 1.0
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
MAX_CELL = 32_000  # Excel's limit is 32,767 characters


def _display_width(text: str) -> int:
    """Columns are measured in half-width characters: a kanji takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet_title(title: str, used: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub("・", title).strip("'")[:31] or "Sheet"
    name, n = base, 2
    while name in used:
        suffix = f"({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def _value(value, kind: str):
    if value is None:
        return None
    if kind == DATETIME and isinstance(value, datetime):
        if value.tzinfo is not None:  # Excel has no time zones: Tokyo wall time
            value = value.astimezone(TOKYO).replace(tzinfo=None)
        return value
    if kind == DATE and isinstance(value, datetime):
        return value.astimezone(TOKYO).date() if value.tzinfo else value.date()
    if kind in (INT, YEAR, FLOAT, DATE) and isinstance(value, (int, float, date)):
        return value
    text = _CONTROL.sub("", str(value))[:MAX_CELL]
    return text


def _cell(sheet, value, kind: str):
    cell = WriteOnlyCell(sheet, value=_value(value, kind))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # never a formula, whatever it starts with
    elif kind == DATE:
        cell.number_format = "yyyy/mm/dd"
    elif kind == DATETIME:
        cell.number_format = "yyyy/mm/dd hh:mm"
    elif kind == INT:
        cell.number_format = "#,##0"
    elif kind == YEAR:
        cell.number_format = "0"  # 2026, not 2,026
    return cell


def write(tables: list[Table]) -> bytes:
    """The workbook's bytes: one sheet per table, in order."""
    book = Workbook(write_only=True)
    used: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title, used))
        widths = []
        for column in table.columns:
            width = column.width or max(
                _display_width(column.label) + 2,
                {DATE: 12, DATETIME: 17, INT: 8, YEAR: 8, FLOAT: 10}.get(column.kind, 12),
            )
            widths.append(min(width, 60))
        for i, width in enumerate(widths):
            sheet.column_dimensions[_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=column.label)
            cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
            cell.alignment = Alignment(vertical="center")
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([_cell(sheet, v, c.kind) for c, v in zip(table.columns, row, strict=True)])
        if table.note:
            sheet.append([])
            sheet.append([table.note])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def response(tables: list[Table], filename: str) -> Response:
    """A download: ``filename`` (ASCII, e.g. ``cases.xlsx``)."""
    result = Response(write(tables), mimetype=MIMETYPE)
    result.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    result.headers["X-Content-Type-Options"] = "nosniff"
    return result
