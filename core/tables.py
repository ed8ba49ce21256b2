"""A figure as data: a titled table of typed columns. Pages render it (an SVG chart beside the
table), the API serialises it, ``core.xlsx`` writes it as a sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

#: column kinds: how a cell is typed in a workbook and in JSON
TEXT, INT, DATE, DATETIME, URL, FLOAT = "text", "int", "date", "datetime", "url", "float"
#: a year (2026): a number in JSON and in a workbook, but written without a thousands separator
YEAR = "year"


@dataclass(frozen=True)
class Column:
    key: str  # JSON key (ASCII)
    label: str  # Japanese header
    kind: str = TEXT
    width: int | None = None  # characters, for a workbook (None: from the label and kind)


@dataclass
class Table:
    name: str  # URL segment and sheet name source, e.g. "cases-by-domain-region"
    title: str  # Japanese title (sheet and caption)
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""  # a sentence under the table (what counts, what does not)

    def as_json(self) -> dict:
        def cell(value: Any, kind: str) -> Any:
            if isinstance(value, datetime):
                return value.isoformat()
            if isinstance(value, date):
                return value.isoformat()
            return value

        return {
            "name": self.name,
            "title": self.title,
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
            "rows": [
                {c.key: cell(v, c.kind) for c, v in zip(self.columns, row, strict=True)}
                for row in self.rows
            ],
            "note": self.note,
        }
