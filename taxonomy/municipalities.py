"""The master list of 市区町村 (全国地方公共団体コード), read from ``taxonomy/data/municipalities.csv``
(source, licence and date: ``taxonomy/data/README.md``).

It is data, not a table: the list changes only when municipalities merge, and then with a new
file. Forms and the API resolve what a person typed — a name (「長野市」, 「長野県長野市」) or a
code (6 digits, or the 5-digit JIS X 0402 form without the check digit) — to one entry.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "municipalities.csv"
KINDS = ("市", "特別区", "町", "村")


@dataclass(frozen=True)
class Municipality:
    code: str  #: 6 digits with the check digit
    prefecture_code: str
    prefecture: str
    name: str
    kana: str
    kind: str  #: 市 / 特別区 / 町 / 村

    @property
    def full_name(self) -> str:
        return f"{self.prefecture}{self.name}"


class NotFound(LookupError):
    pass


class Ambiguous(LookupError):
    def __init__(self, candidates: list[Municipality]):
        super().__init__(candidates)
        self.candidates = candidates


@cache
def all_municipalities() -> tuple[Municipality, ...]:
    with DATA.open(encoding="utf-8", newline="") as f:
        return tuple(Municipality(**row) for row in csv.DictReader(f))


@cache
def _by_code() -> dict[str, Municipality]:
    out = {}
    for m in all_municipalities():
        out[m.code] = m
        out[m.code[:5]] = m
    return out


@cache
def _by_name() -> dict[str, list[Municipality]]:
    out: dict[str, list[Municipality]] = {}
    for m in all_municipalities():
        out.setdefault(m.name, []).append(m)
    return out


@cache
def _prefecture_names() -> tuple[str, ...]:
    return tuple(sorted({m.prefecture for m in all_municipalities()}, key=len, reverse=True))


def for_prefecture(prefecture_code: str | None) -> list[Municipality]:
    """The municipalities of one prefecture in code order (all of them for None)."""
    if not prefecture_code:
        return list(all_municipalities())
    return [m for m in all_municipalities() if m.prefecture_code == prefecture_code]


def check_digit_ok(code: str) -> bool:
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return False
    total = sum(int(d) * w for d, w in zip(code[:5], (6, 5, 4, 3, 2), strict=True))
    return int(code[5]) == (11 - total % 11) % 10


def by_code(code: str | None) -> Municipality | None:
    if not code:
        return None
    return _by_code().get(_normalise(code))


def name_of(code: str | None) -> str | None:
    m = by_code(code)
    return m.name if m else None


def _normalise(text: str) -> str:
    # full-width digits and spaces as people type them on a Japanese keyboard
    text = unicodedata.normalize("NFKC", text)
    return "".join(text.split())


def resolve(text: str, *, prefecture: str | None = None) -> Municipality:
    """The one municipality ``text`` names within ``prefecture`` (a JIS code, or None for
    anywhere). Raises NotFound, or Ambiguous when the name is in several prefectures."""
    value = _normalise(text)
    if value.isascii() and value.isdigit():
        m = _by_code().get(value) if len(value) in (5, 6) else None
        if m is None or (len(value) == 6 and m.code != value):
            raise NotFound(text)
        return m
    candidates = list(_by_name().get(value, []))
    if not candidates:
        # 「長野県長野市」: the prefecture's name in front
        for pref in _prefecture_names():
            if value.startswith(pref) and len(value) > len(pref):
                candidates = [m for m in _by_name().get(value[len(pref):], [])
                              if m.prefecture == pref]  # fmt: skip
                break
    if prefecture:
        within = [m for m in candidates if m.prefecture_code == prefecture]
        if within:
            return within[0]
    if not candidates:
        raise NotFound(text)
    if len(candidates) > 1:
        raise Ambiguous(candidates)
    return candidates[0]
