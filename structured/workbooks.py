"""Every structured listing as an Excel workbook: ``/cases.xlsx``, ``/events.xlsx``,
``/policies.xlsx``, ``/challenges.xlsx`` (issue #18).

A workbook holds what its listing shows, with the listing's filters, in the listing's order, up to
the CSV's limit (``queries.list_for_export``: the same audience rule, hidden and deleted threads
left out). One sheet, one row per item, one column per typed field of the kind's schema, read as
people read them on the page (choices by their Japanese labels, fiscal years as 令和), but typed
for a spreadsheet: dates as dates (Tokyo time), amounts and counts as numbers, so that they sort,
filter and add up. The author is not written: the listings do not show it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from auth.spaces import spaces_by_id
from core import xlsx
from core.tables import DATE, DATETIME, FLOAT, INT, TEXT, URL, YEAR, Column, Table
from core.templating import reiwa_fiscal_year
from core.urls import absolute_url
from structured import display, exports, queries
from structured.models import ThreadDetail
from structured.schema import (
    KIND_LABELS,
    SECTIONS,
    Spec,
    choice_label,
    parse_datetime,
    specs_for,
)
from structured.views import bp

#: a column and how a row's cell is read from an item
Getter = Callable[[ThreadDetail], Any]

#: the cell type of each field type of the schema (``fiscal_year`` makes two columns)
_KINDS = {"text": TEXT, "markdown": TEXT, "url": URL, "int": INT, "decimal": FLOAT,
          "date": DATE, "datetime": DATETIME, "choice": TEXT}  # fmt: skip
#: widths (half-width characters) of the columns whose content is longer than their header
_WIDTHS = {"markdown": 50, "url": 40, "text": 24}


def _width(label: str, base: int) -> int:
    """Wide enough for the header too (Japanese labels: two half-widths a character)."""
    return max(base, 2 * len(label) + 2)


def _typed(spec: Spec, value: Any) -> Any:
    """A stored value (its API form: ISO dates, choice values) as a spreadsheet cell's value; one
    that does not read as its type (written before a validation rule changed) stays text."""
    if value is None or value == "":
        return None
    try:
        if spec.type == "choice":
            return choice_label(spec, value)
        if spec.type == "date":
            return date.fromisoformat(value)
        if spec.type == "datetime":
            return parse_datetime(value)  # aware: the workbook writes Tokyo wall time
        if spec.type in ("int", "fiscal_year"):
            return int(value)
        if spec.type == "decimal":
            return float(value)
    except (TypeError, ValueError):
        return str(value)
    return str(value)


def _data(name: str) -> Getter:
    return lambda d: (d.data or {}).get(name)


def _field(spec: Spec) -> Getter:
    return lambda d: _typed(spec, (d.data or {}).get(spec.name))


def _fiscal_year_label(spec: Spec) -> Getter:
    def get(d: ThreadDetail) -> str | None:
        year = _typed(spec, (d.data or {}).get(spec.name))
        return reiwa_fiscal_year(year) if isinstance(year, int) else year

    return get


def _spec_columns(spec: Spec) -> list[tuple[Column, Getter]]:
    label = str(spec.label)
    if spec.type == "fiscal_year":  # 令和8年度 as people read it, 2026 to sort and compute with
        return [
            (Column(f"{spec.name}_label", str(_l("年度")), TEXT, 12), _fiscal_year_label(spec)),
            (Column(spec.name, label, YEAR), _field(spec)),
        ]
    kind = _KINDS.get(spec.type, TEXT)
    if kind == INT and spec.name.endswith("_year"):  # 開始年 2021, not 2,021
        kind = YEAR
    width = _width(label, _WIDTHS[spec.type]) if spec.type in _WIDTHS else None
    return [(Column(spec.name, label, kind, width), _field(spec))]


def _platform(d: ThreadDetail) -> str:
    space = spaces_by_id().get(d.thread.board.space_id)
    return space.name if space is not None else ""


def _columns(kind: str) -> list[tuple[Column, Getter]]:
    """The sheet's columns for ``kind``: the place, the kind's fields in the schema's order, the
    tags, where and when it was registered, its address."""
    title = str(_l("タイトル"))
    out: list[tuple[Column, Getter]] = [
        (Column("title", title, TEXT, 40), lambda d: d.thread.title),
        (Column("prefecture", str(_l("都道府県")), TEXT, 10), display.prefecture_name),
        # a code keeps its leading zero ("011002"): text, not a number
        (Column("municipality_code", str(_l("市区町村コード")), TEXT, 16),
         lambda d: d.municipality_code),
        (Column("municipality_name", str(_l("市区町村")), TEXT, 14), display.municipality_name),
    ]  # fmt: skip
    for spec in specs_for(kind):
        out += _spec_columns(spec)
    out += [
        (Column("life_domains", str(_l("生活支援の領域")), TEXT, 30),
         lambda d: "、".join(x.name for x in d.life_domains)),
        (Column("player_fields", str(_l("担い手の分野")), TEXT, 30),
         lambda d: "、".join(x.name for x in d.player_fields)),
        (Column("space", str(_l("プラットフォーム")), TEXT, 24), _platform),
        (Column("created_at", str(_l("登録日")), DATE), lambda d: d.thread.created_at),
        (Column("url", "URL", URL, 40),
         lambda d: absolute_url("forum.thread", thread_id=d.thread_id)),
    ]  # fmt: skip
    return out


def listing_table(kind: str, details: list[ThreadDetail], *, truncated: bool = False) -> Table:
    """One row per item of ``details`` (loaded with their tags), in their order."""
    cols = _columns(kind)
    note = ""
    if truncated:
        note = _("先頭の%(n)s件までです。すべてを書き出すには条件で絞り込んでください。",
                 n=f"{len(details):,}")  # fmt: skip
    return Table(
        name=SECTIONS[kind], title=str(KIND_LABELS[kind]), columns=[c for c, _g in cols],
        rows=[[get(d) for _c, get in cols] for d in details], note=note,
    )  # fmt: skip


def workbook(kind: str):
    filters = exports._filters(kind)
    limit = exports.EXPORT_LIMIT
    # one more than the limit: whether the workbook says that it stops there
    details = queries.list_for_export(filters, limit=limit + 1, with_tags=True)
    table = listing_table(kind, details[:limit], truncated=len(details) > limit)
    return xlsx.response([table], f"{SECTIONS[kind]}.xlsx")


# one endpoint, ``structured.workbook``, for the four listings (/cases.xlsx, /events.xlsx …)
for _kind, _segment in SECTIONS.items():
    bp.add_url_rule(f"/{_segment}.xlsx", "workbook", workbook, defaults={"kind": _kind})
