"""``/stats``: every statistic the viewer may see, as a chart and a table, and as workbooks
(one table, or the 「報告用」 workbook of every table for a fiscal year and a prefecture).
Views only translate HTTP; the numbers come from ``stats.service``."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from auth.spaces import list_spaces
from core import xlsx
from core.csvsafe import csv_cell
from core.errors import abort_with_message
from core.tables import TEXT, Column, Table
from core.templating import datetime_ja
from core.types import utcnow
from stats import charts, service
from stats.queries import SECTIONS
from stats.scope import BadScope, Scope, current_fiscal_year, fiscal_year_choices, parse_scope
from taxonomy import queries as taxonomy

bp = Blueprint("stats", __name__)


def _scope() -> tuple[Scope, BadScope | None]:
    try:
        return parse_scope(request.args), None
    except BadScope as exc:
        return Scope(fiscal_year=current_fiscal_year()), exc


def _viewer():
    return current_user._get_current_object()


@bp.get("/stats")
def index():
    scope, error = _scope()
    user = _viewer()
    results = [service.compute(stat, scope, user) for stat in service.visible_stats(user)]
    sections = []
    for key, label in SECTIONS.items():
        items = [(r, charts.chart_for(r.stat.chart, r.table, r.stat.series))
                 for r in results if r.stat.section == key]  # fmt: skip
        if items:
            sections.append((key, label, items))
    counted = min((r.counted_at for r in results), default=utcnow())
    return render_template(
        "stats/index.html", scope=scope, scope_error=error, sections=sections, counted_at=counted,
        periods=fiscal_year_choices(), prefectures=[(p.code, p.name) for p in taxonomy.list_prefectures()],
        spaces=[(s.slug, s.name) for s in list_spaces()], heat_steps=charts.HEAT,
    ), (400 if error else 200)  # fmt: skip


def _one(name: str):
    stat = service.find(name, _viewer())
    if stat is None:
        abort(404)
    scope, error = _scope()
    if error is not None:
        abort_with_message(400, error.message)
    return service.compute(stat, scope, _viewer()), scope


def _filename(name: str, scope: Scope, ext: str) -> str:
    parts = [name, scope.args()["period"]]
    if scope.prefecture:
        parts.append(scope.prefecture)
    if scope.space:
        parts.append(scope.space)
    return "-".join(parts) + "." + ext


@bp.get("/stats/<name>.xlsx")
def table_xlsx(name: str):
    result, scope = _one(name)
    return xlsx.response([_with_scope(result.table, scope)], _filename(name, scope, "xlsx"))


@bp.get("/stats/<name>.csv")
def table_csv(name: str):
    result, scope = _one(name)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.label for c in result.table.columns])
    for row in result.table.rows:
        writer.writerow([csv_cell(v) for v in row])
    response = Response(("\ufeff" + out.getvalue()).encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={_filename(name, scope, 'csv')}"
    return response


def _with_scope(table: Table, scope: Scope) -> Table:
    """The table with its scope in the note, so a pasted sheet still says what it covers."""
    note = " ".join(x for x in (_scope_sentence(scope), table.note) if x)
    return Table(table.name, table.title, table.columns, table.rows, note)


def _scope_sentence(scope: Scope) -> str:
    where = scope.prefecture_name or _("全国")
    if scope.space_name:
        where = f"{scope.space_name}・{where}"
    return _("対象：%(where)s／期間：%(period)s", where=where, period=scope.period_label)


@bp.get("/stats/report.xlsx")
def report():
    """「報告用」: a cover sheet, then every table the viewer may see, for one fiscal year (and a
    prefecture or platform if chosen)."""
    scope, error = _scope()
    if error is not None:
        abort_with_message(400, error.message)
    user = _viewer()
    results = [service.compute(stat, scope, user) for stat in service.visible_stats(user)]
    made = datetime_ja(utcnow())
    cover = Table("cover", _("表紙"), [Column("item", _("項目"), TEXT, 16), Column("value", _("内容"), TEXT, 60)], [
        [_("資料"), _("生活支援共創プラットフォーム 活動状況の報告用資料")],
        [_("対象"), scope.prefecture_name or _("全国")],
        [_("プラットフォーム"), scope.space_name or _("すべて")],
        [_("期間"), scope.period_label],
        [_("作成日時"), made],
        [_("収録した表"), "、".join(r.table.title for r in results)],
    ], _("削除・非表示の投稿と、閲覧が限られた掲示板の内容のうち作成者が読めないものは数えていません。"))  # fmt: skip
    tables = [cover, *(_with_scope(r.table, scope) for r in results)]
    return xlsx.response(tables, _filename("report", scope, "xlsx"))


def register_template_helpers(app) -> None:
    @app.template_filter("stat_number")
    def stat_number(value) -> str:
        if value is None:
            return "—"
        if isinstance(value, float):
            return f"{value:,.1f}"
        if isinstance(value, int):
            return f"{value:,}"
        if isinstance(value, datetime):
            return datetime_ja(value)
        return str(value)

