"""The prefecture map on the structured listings (/cases, /events, /policies, /challenges): how
many items of the current filters each prefecture has, as a tile map (``stats.geo``) and as a
table, each prefecture a link that narrows the listing to it.

The counts leave out the prefecture and 地方 filters themselves (otherwise the map would show one
prefecture once one is chosen); every other filter, the audience rule and, for events, the
upcoming/past window are those of the list (``structured.queries.prefecture_counts``).

**Counting.** For the whole list, a platform, and one field or domain, the counts are
the kept rows of ``structured.counts`` (one per board and prefecture, exact in the transaction of
every change; migration 0033): a millisecond or two. Other filters count the items: one
aggregate statement over one index of ``thread_details`` (``ix_thread_details_kind_state``;
events ``…_kind_start_state``), each item carrying copies of its thread's deleted/hidden flags
and board (migration 0031, ``structured.copies``), so no item's row or thread is read. At
100,000 structured threads (~40,000 cases) that is 2-10 ms of CPU in SQLite, 15-22 ms with a
field or domain, against a budget of 10 ms per listing (bench/README.md, "Prefecture map").

**Per-process cache.** Either way the counts are kept for ``STATS_MAP_CACHE_SECONDS`` (30 s; 0: no cache) in each process, keyed by the kind, the filters
(but the prefecture and 地方), the viewer's audience (``forum.audience.viewer_key``: equal
only for viewers who may read the same boards, so that others never share counts) — and, for events, the Tokyo day that separates upcoming
from past. With the counts kept, the map costs its building and rendering, about 3 ms. As with
``core.pagecache``, this process drops every kept count after any commit that wrote something
(``core.events.after_writes``) but a reply (``REPLY_WRITES``: a post and its thread's and board's
counters, which change no count): a change made here shows at once, one made through another
process within those seconds.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from threading import Lock
from urllib.parse import quote

from flask import Flask, current_app, url_for
from flask_babel import gettext as _

from core import events
from forum import audience
from forum.models import Board, Post, Thread
from stats import geo
from structured import queries
from structured.listings import Listing, Panel
from structured.schema import TOKYO

_EXTENSION = "kyoso.prefecture_map_counts"
CELL = 44  # a tile's cell in SVG units (the tile is the cell less the gap)
GAP = 4
PAD = 4  # around the grid, so that outlines at its edge are not cut


@dataclass(frozen=True)
class Tile:
    code: str
    name: str  # 長野県
    short: str  # 長野
    region_code: str
    count: int
    count_text: str  # 1,234
    label: str  # the accessible name: 「長野県 12件」
    step: int  # 0: none, 1..5: light to dark
    fill: str
    text: str  # the text colour on ``fill``
    href: str
    selected: bool
    x: int  # SVG units, top left of the tile
    y: int


@dataclass(frozen=True)
class RegionGroup:
    code: str
    name: str
    href: str  # the listing filtered to this 地方
    tiles: list[Tile]
    total: str  # 「計1,234件」
    selected: bool
    label_at: tuple[float, float] | None  # SVG units, centre of the label on the map
    outline: str  # SVG path along the 地方's border


@dataclass(frozen=True)
class LegendStep:
    step: int  # 0: none, 1..5; -1: the mark of the chosen prefecture
    fill: str
    label: str  # 「1〜12件」
    x: int  # SVG units, top left of the swatch
    y: int


@dataclass(frozen=True)
class PrefectureMap:
    kind: str
    tiles: list[Tile]
    regions: list[RegionGroup]
    legend: list[LegendStep]
    unplaced: str  # items with no prefecture (全国・地域指定なし): 1,234
    total: str
    width: int
    height: int
    clear_href: str | None  # the listing without a prefecture or 地方, when one is chosen
    selected: Tile | None
    legend_title_at: tuple[int, int] = (0, 0)
    tile_size: int = CELL - GAP
    tile_stroke: str = geo.TILE_STROKE


# --- the cache of counts -------------------------------------------------------------------------


class CountCache:
    def __init__(self, seconds: float, size: int) -> None:
        self.seconds, self.size = seconds, size
        self.entries: dict[tuple, tuple[float, dict]] = {}
        self.lock = Lock()

    def get(self, key: tuple) -> dict | None:
        entry = self.entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: tuple, counts: dict) -> None:
        with self.lock:
            self.entries.pop(key, None)
            while len(self.entries) >= self.size:
                self.entries.pop(next(iter(self.entries)))
            self.entries[key] = (time.monotonic() + self.seconds, counts)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_caches: weakref.WeakSet[CountCache] = weakref.WeakSet()


def _clear_all() -> None:
    for cache in list(_caches):
        cache.clear()


def _cache_key(filters: queries.Filters) -> tuple:
    who = audience.viewer_key(audience.viewer())  # viewers who read the same boards share
    args = {k: v for k, v in filters.args().items() if k not in ("prefecture", "block")}
    day = datetime.now(UTC).astimezone(TOKYO).date() if filters.kind == "event" else None
    return (filters.kind, tuple(sorted(args.items())), who, day)


def counts(filters: queries.Filters) -> dict[str | None, int]:
    """The counts by prefecture code for the listing ``filters`` (see the module docstring)."""
    cache: CountCache | None = current_app.extensions.get(_EXTENSION)
    if cache is None:
        return queries.prefecture_counts(filters)
    key = _cache_key(filters)
    found = cache.get(key)
    if found is None:
        found = queries.prefecture_counts(filters)
        cache.put(key, found)
    return found


# --- the map ------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _outline(cells: frozenset[tuple[int, int]]) -> str:
    """The border of a group of cells: each cell side not shared with another cell of the group,
    drawn in the middle of the gap between tiles."""
    parts = []
    for col, row in sorted(cells):
        left, top = PAD + col * CELL, PAD + row * CELL
        right, bottom = left + CELL, top + CELL
        if (col, row - 1) not in cells:
            parts.append(f"M{left} {top}H{right}")
        if (col, row + 1) not in cells:
            parts.append(f"M{left} {bottom}H{right}")
        if (col - 1, row) not in cells:
            parts.append(f"M{left} {top}V{bottom}")
        if (col + 1, row) not in cells:
            parts.append(f"M{right} {top}V{bottom}")
    return "".join(parts)


LEGEND_ROWS = 4  # entries per column (at most 7: none, five steps, the chosen mark)


def _legend_at(index: int | None) -> tuple[int, int]:
    """Where the legend's title (``None``) or its ``index``-th entry's swatch goes: in the free
    corner, column by column under the title."""
    (col, _to_col), (row, _to_row) = geo.LEGEND_AREA
    left, top = PAD + col * CELL + 4, PAD + row * CELL
    if index is None:
        return left, top + 14
    column, line = divmod(index, LEGEND_ROWS)
    return left + column * 150, top + 26 + line * 26


def build(listing: Listing, by_code: dict[str | None, int]) -> PrefectureMap:
    """The map and table of ``by_code`` (from :func:`counts`) for ``listing``'s page. Made on
    every listing page: one ``url_for`` and one translation per string, not one per tile."""
    filters = listing.filters
    others = {k: v for k, v in filters.args().items() if k not in ("prefecture", "block")}
    base = url_for("structured.listing", kind=listing.kind, **others)
    joiner = "&" if "?" in base else "?"
    placed = [(p.code, p.name, p.region_code) for p in listing.prefectures if p.code in geo.TILES]
    counts = [by_code.get(code, 0) for code, _name, _region in placed]
    lows = geo.thresholds(counts)
    label = _("%(name)s %(count)s件")  # translated once, filled in for each of the 47
    tiles_by_region: dict[str, list[Tile]] = {}
    tiles = []
    for (code, name, region), count in zip(placed, counts, strict=True):
        step = geo.step_of(count, lows)
        fill, text = geo.STEPS[step - 1] if step else geo.ZERO
        col, row = geo.TILES[code]
        number = f"{count:,}"
        tile = Tile(
            code=code, name=name, short=geo.short_name(name), region_code=region, count=count,
            count_text=number, label=label % {"name": name, "count": number}, step=step,
            fill=fill, text=text, href=f"{base}{joiner}prefecture={code}",  # two digits
            selected=code == filters.prefecture,
            x=PAD + col * CELL + GAP // 2, y=PAD + row * CELL + GAP // 2,
        )  # fmt: skip
        tiles.append(tile)
        tiles_by_region.setdefault(region, []).append(tile)
    regions = []
    subtotal = _("計%(count)s件")
    for region in listing.regions:
        members = tiles_by_region.get(region.code, [])
        if not members:
            continue
        at = geo.REGION_LABELS.get(region.code)
        regions.append(RegionGroup(
            code=region.code, name=region.name,
            href=f"{base}{joiner}block={quote(region.code)}",
            tiles=members, total=subtotal % {"count": f"{sum(t.count for t in members):,}"},
            selected=region.code == filters.block,
            label_at=(PAD + at[0] * CELL, PAD + at[1] * CELL) if at else None,
            outline=_outline(frozenset(geo.TILES[t.code] for t in members)),
        ))  # fmt: skip
    entries = [(0, geo.ZERO[0], _("0件"))]
    highest = max(counts, default=0)
    for i, low in enumerate(lows):
        high = lows[i + 1] - 1 if i + 1 < len(lows) else highest
        step = geo.step_of(low, lows)
        label = (_("%(count)s件", count=f"{low:,}") if low == high
                 else _("%(low)s〜%(high)s件", low=f"{low:,}", high=f"{high:,}"))  # fmt: skip
        entries.append((step, geo.STEPS[step - 1][0], label))
    entries.append((-1, geo.ZERO[0], _("太枠：選択中")))
    legend = [LegendStep(step, fill, label, *_legend_at(i)) for i, (step, fill, label)
              in enumerate(entries)]  # fmt: skip
    chosen = bool(filters.prefecture or filters.block)
    return PrefectureMap(
        kind=listing.kind, tiles=tiles, regions=regions, legend=legend,
        unplaced=f"{by_code.get(None, 0):,}", total=f"{sum(by_code.values()):,}",
        width=2 * PAD + geo.COLUMNS * CELL, height=2 * PAD + geo.ROWS * CELL,
        clear_href=base if chosen else None,
        selected=next((t for t in tiles if t.selected), None), legend_title_at=_legend_at(None),
    )  # fmt: skip


def panel(listing: Listing) -> Panel:
    """The map of the counts the listing has already made (through :func:`counts`, registered
    with ``structured.listings.count_with``: the page's result count is their sum)."""
    return Panel("stats/_map.html", build(listing, listing.by_prefecture))


#: what a reply writes that no count depends on (``forum.posting.create_reply``): the post, and
#: the counters and last-post columns of its thread and board. The counts depend on the items'
#: rows, tags and origins and on their threads' deletion, hiding and board, which a reply leaves
#: alone; a commit that wrote only these keeps the counts (any other write drops them)
REPLY_WRITES = {
    Post: events.ALL,
    Thread: ("last_number", "reply_count", "last_post_at", "last_poster_id"),
    Board: ("post_count", "last_post_at"),
}


def register(app: Flask) -> None:
    app.config.setdefault("STATS_MAP_CACHE_SECONDS", 30.0)
    app.config.setdefault("STATS_MAP_CACHE_SIZE", 500)
    seconds = float(app.config["STATS_MAP_CACHE_SECONDS"])
    if seconds > 0 and int(app.config["STATS_MAP_CACHE_SIZE"]) > 0:
        cache = CountCache(seconds, int(app.config["STATS_MAP_CACHE_SIZE"]))
        app.extensions[_EXTENSION] = cache
        _caches.add(cache)
    events.after_writes(_clear_all, unless=REPLY_WRITES)
