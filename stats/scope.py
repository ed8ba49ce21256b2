"""What a statistics page covers: a 令和 fiscal year (the default: the current one) or all time,
optionally one prefecture and one platform (space). Read from query arguments by the page, the
API and the workbook alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from auth.spaces import Space
from core.extensions import db
from core.templating import fiscal_year_of, reiwa_fiscal_year
from core.types import TOKYO
from taxonomy.models import Prefecture

FIRST_FISCAL_YEAR = 2019  # 令和元年度: nothing on the platform is older


class BadScope(ValueError):
    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name
        self.message = message


@dataclass(frozen=True)
class Scope:
    fiscal_year: int | None  # None: all time
    prefecture: str | None = None
    prefecture_name: str | None = None
    space: str | None = None  # a space's slug
    space_id: int | None = None
    space_name: str | None = None

    def args(self) -> dict[str, str]:
        out = {"period": str(self.fiscal_year) if self.fiscal_year else "all"}
        if self.prefecture:
            out["prefecture"] = self.prefecture
        if self.space:
            out["space"] = self.space
        return out

    def key(self) -> tuple:
        return (self.fiscal_year, self.prefecture, self.space_id)

    @property
    def period_label(self) -> str:
        return reiwa_fiscal_year(self.fiscal_year) if self.fiscal_year else _("全期間")

    def bounds(self) -> tuple[datetime, datetime] | None:
        """The fiscal year as UTC instants: 1 April 00:00 to the next 1 April (Tokyo)."""
        if self.fiscal_year is None:
            return None
        return fiscal_year_bounds(self.fiscal_year)


def fiscal_year_bounds(year: int) -> tuple[datetime, datetime]:
    return tokyo_midnight(date(year, 4, 1)), tokyo_midnight(date(year + 1, 4, 1))


def tokyo_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=TOKYO).astimezone(UTC)


# --- Tokyo months as YYYYMM (the statistics' summary rows, stats/summary.py) ----------------------


def month_of(moment: datetime) -> int:
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(TOKYO)
    return local.year * 100 + local.month


def month_bounds(month: int) -> tuple[datetime, datetime]:
    year, m = divmod(month, 100)
    return tokyo_midnight(date(year, m, 1)), tokyo_midnight(date(year + (m == 12), m % 12 + 1, 1))


def next_month(month: int) -> int:
    year, m = divmod(month, 100)
    return (year + 1) * 100 + 1 if m == 12 else month + 1


def months_between(first: int, last: int) -> list[int]:
    out = []
    while first <= last:
        out.append(first)
        first = next_month(first)
    return out


def fiscal_year_of_month(month: int) -> int:
    year, m = divmod(month, 100)
    return year if m >= 4 else year - 1


def aware(moment: datetime) -> datetime:
    """A timestamp read back from the database as an aware UTC one."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def microseconds(delta: timedelta) -> int:
    """A duration as whole microseconds: ``microseconds(d) / 10**6 == d.total_seconds()``
    exactly, so a median read from them equals one computed from the timestamps."""
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def current_fiscal_year(today: date | None = None) -> int:
    return fiscal_year_of(today or datetime.now(TOKYO).date())


def fiscal_year_choices(today: date | None = None) -> list[tuple[str, str]]:
    """Newest first, then 全期間."""
    now = current_fiscal_year(today)
    years = [(str(y), reiwa_fiscal_year(y)) for y in range(now, FIRST_FISCAL_YEAR - 1, -1)]
    return [*years, ("all", _("全期間"))]


def parse_scope(args, today: date | None = None) -> Scope:
    """Raises BadScope naming the argument, with a Japanese message."""
    period = (args.get("period") or "").strip()
    if not period:
        year: int | None = current_fiscal_year(today)
    elif period == "all":
        year = None
    elif period.isdigit() and FIRST_FISCAL_YEAR <= int(period) <= current_fiscal_year(today) + 1:
        year = int(period)
    else:
        raise BadScope("period", _("期間は年度の西暦の年（例：2026）か all で指定してください。"))
    values: dict = {"fiscal_year": year}
    if code := (args.get("prefecture") or "").strip():
        prefecture = db.session.get(Prefecture, code) if len(code) <= 2 else None
        if prefecture is None:
            raise BadScope("prefecture", _("都道府県コードが正しくありません。"))
        values["prefecture"], values["prefecture_name"] = prefecture.code, prefecture.name
    if slug := (args.get("space") or "").strip():
        found = db.session.execute(
            select(Space.id, Space.name).where(Space.slug == slug[:60])
        ).first()
        if found is None:
            raise BadScope("space", _("プラットフォームが見つかりません。"))
        values["space"], values["space_id"], values["space_name"] = slug, found.id, found.name
    return Scope(**values)
