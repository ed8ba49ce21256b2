"""Server-rendered charts: the geometry of an SVG for a :class:`Table`, computed here and drawn by
``templates/stats/_chart.html``. No JavaScript; the table beside each chart holds the same
numbers (a chart is never the only way to read them).

Colours keep WCAG 2.1 contrast: bars against the white background at least 3:1 (1.4.11), and
in the heat table the text on each step at least 4.5:1 (1.4.3).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.tables import FLOAT, INT, Table

#: stacked series colours (blue, brown, green): each ≥ 4.5:1 on white
SERIES = ("#1f5fa8", "#9a4a00", "#2e6b30")
BAR = SERIES[0]
#: heat steps, light to dark, with the text colour each needs
HEAT = (
    ("#f4f4f4", "#595959"),  # 0: nothing yet
    ("#dce9f7", "#1a1a1a"),
    ("#a9c8ec", "#1a1a1a"),
    ("#6d9fd8", "#000000"),
    ("#2f6fba", "#ffffff"),
    ("#174a84", "#ffffff"),
)
ROW_H = 22
LABEL_W = 170
PLOT_W = 280
WIDTH = LABEL_W + PLOT_W + 60


@dataclass
class Bar:
    label: str
    value: float
    text: str
    y: int
    width: float
    segments: list[tuple[float, float, str]] = field(default_factory=list)  # x, width, colour


@dataclass
class Chart:
    kind: str  # bars | columns | stacked
    width: int
    height: int
    bars: list[Bar]
    legend: list[tuple[str, str]] = field(default_factory=list)
    axis_max: float = 0


def _numeric(table: Table) -> list[int]:
    return [i for i, c in enumerate(table.columns) if c.kind in (INT, FLOAT)]


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def bars(table: Table, *, label: int | None = None, value: int | None = None) -> Chart:
    """Horizontal bars: one per row, the first numeric column (or ``value``)."""
    numeric = _numeric(table)
    value = numeric[0] if value is None else value
    label = (numeric[0] - 1) if label is None else label
    top = max([r[value] or 0 for r in table.rows] or [0]) or 1
    out = []
    for i, row in enumerate(table.rows):
        v = row[value] or 0
        out.append(Bar(str(row[label]), v, _fmt(row[value]), 8 + i * ROW_H, PLOT_W * v / top))
    return Chart("bars", WIDTH, 16 + len(out) * ROW_H, out, axis_max=top)


def columns(table: Table, *, value: int | None = None, stacked: list[int] | None = None) -> Chart:
    """Vertical columns, one per row (months), optionally stacked from several columns."""
    series = stacked or [(_numeric(table)[0] if value is None else value)]
    totals = [sum((row[i] or 0) for i in series) for row in table.rows]
    top = max(totals or [0]) or 1
    n = max(len(table.rows), 1)
    step = (WIDTH - 60) / n
    height = 200
    out = []
    for i, row in enumerate(table.rows):
        bar = Bar(str(row[0]), totals[i], _fmt(totals[i]), 0, step * 0.7)
        bar.y = int(40 + i * step)  # x position for columns
        base = 0.0
        for j, col in enumerate(series):
            h = 150 * (row[col] or 0) / top
            bar.segments.append((170 - base - h, h, SERIES[j % len(SERIES)]))
            base += h
        out.append(bar)
    legend = [(table.columns[c].label, SERIES[j % len(SERIES)]) for j, c in enumerate(series)]
    return Chart("stacked" if stacked else "columns", int(60 + n * step), height + 40, out,
                 legend if stacked else [], axis_max=top)  # fmt: skip


def heat_level(value, top) -> int:
    if not value:
        return 0
    if top <= 0:
        return 1
    return min(5, 1 + int(4 * value / top))


def heat(table: Table) -> dict:
    """The heat table's cell colours: the body rows' numeric cells except the total column."""
    cells = [v for row in table.rows[:-1] for v in row[1:-1] if isinstance(v, int)]
    top = max(cells or [0])
    return {"top": top, "steps": HEAT, "level": lambda v: heat_level(v, top)}


def chart_for(kind: str, table: Table, series: tuple[int, ...] = ()) -> Chart | dict | None:
    if kind == "bars":
        return bars(table, value=series[0] if series else None)
    if kind == "columns":
        return columns(table, value=series[0] if series else None)
    if kind == "stacked":
        return columns(table, stacked=list(series))
    if kind == "heat":
        return heat(table)
    return None
