"""The tile grid (stats/geo.py): every prefecture placed once, shaped like Japan, 地方 labels and
the legend on free cells, colours that pass WCAG AA, colour steps that split skewed counts."""

from __future__ import annotations

import pytest

from stats import geo
from taxonomy import queries as taxonomy
from tests.support.a11y import contrast, luminance


def test_geo_every_prefecture_has_one_tile_of_its_own(app):
    codes = {p.code for p in taxonomy.list_prefectures()}
    assert set(geo.TILES) == codes and len(codes) == 47
    assert len(set(geo.TILES.values())) == 47, "two prefectures on one cell"


def test_geo_is_shaped_like_japan():
    col, row = geo.TILES["01"]  # 北海道: the top row, the rightmost column
    assert row == 0 and col == geo.COLUMNS - 1
    col, row = geo.TILES["47"]  # 沖縄: the bottom row, the leftmost column
    assert row == geo.ROWS - 1 and col == 0
    # west to east, north to south, on the whole
    assert geo.TILES["40"][0] < geo.TILES["34"][0] < geo.TILES["28"][0] < geo.TILES["23"][0]
    assert geo.TILES["23"][0] < geo.TILES["13"][0]
    assert geo.TILES["02"][1] < geo.TILES["04"][1] < geo.TILES["07"][1] < geo.TILES["13"][1]


def test_geo_neighbours_that_share_a_border_touch():
    """A few borders every reader knows, as touching tiles (sides or corners)."""
    pairs = [("13", "14"), ("13", "11"), ("13", "12"), ("27", "28"), ("27", "29"),
             ("26", "25"), ("40", "35"), ("20", "15"), ("07", "09"), ("34", "33"), ("23", "21")]  # fmt: skip
    for a, b in pairs:
        (ax, ay), (bx, by) = geo.TILES[a], geo.TILES[b]
        assert max(abs(ax - bx), abs(ay - by)) == 1, (a, b)


def test_geo_has_no_enclosed_empty_cell():
    """An empty cell with tiles on all four sides would be drawn as a box of 地方 borders."""
    cells = set(geo.TILES.values())
    for col in range(geo.COLUMNS):
        for row in range(geo.ROWS):
            if (col, row) in cells:
                continue
            around = {(col - 1, row), (col + 1, row), (col, row - 1), (col, row + 1)}
            assert not around <= cells, f"enclosed empty cell at {(col, row)}"


def test_geo_labels_and_legend_sit_on_free_cells(app):
    cells = set(geo.TILES.values())
    regions = {r.code for r in taxonomy.list_regions()}
    assert set(geo.REGION_LABELS) == regions
    for code, (x, y) in geo.REGION_LABELS.items():
        # a label is centred on (x, y) and about a cell and a half wide at most
        for cx in (x - 0.75, x, x + 0.74):
            cell = (int(cx), int(y))
            assert cell not in cells, f"the label of {code} covers the tile at {cell}"
    (c0, c1), (r0, r1) = geo.LEGEND_AREA
    assert not {(c, r) for c in range(c0, c1) for r in range(r0, r1)} & cells


def test_geo_every_text_colour_passes_wcag_aa_on_its_fill():
    for fill, text in [geo.ZERO, *geo.STEPS]:
        assert contrast(fill, text) >= 4.5, (fill, text, contrast(fill, text))
    assert contrast(geo.TILE_STROKE, "#ffffff") >= 3  # the tiles' outline on the page
    # light to dark, and "none" stands apart from the lightest blue
    lums = [luminance(fill) for fill, _text in geo.STEPS]
    assert lums == sorted(lums, reverse=True)
    assert geo.ZERO[0] not in {fill for fill, _text in geo.STEPS}


@pytest.mark.parametrize(("name", "short"), [
    ("長野県", "長野"), ("東京都", "東京"), ("京都府", "京都"), ("大阪府", "大阪"),
    ("北海道", "北海道"), ("神奈川県", "神奈川"), ("鹿児島県", "鹿児島"),
])  # fmt: skip
def test_geo_short_names(name, short):
    assert geo.short_name(name) == short


def test_geo_steps_split_skewed_counts_into_five():
    counts = [0] * 7 + list(range(1, 41))  # 40 prefectures with 1..40 items, 7 with none
    lows = geo.thresholds(counts)
    assert lows == [1, 9, 17, 25, 33]
    steps = [geo.step_of(c, lows) for c in counts]
    assert steps.count(0) == 7
    assert [steps.count(s) for s in range(1, 6)] == [8, 8, 8, 8, 8]
    skewed = [1] * 30 + [2] * 10 + [500, 3000]
    lows = geo.thresholds(skewed)
    assert geo.step_of(3000, lows) == 5 and geo.step_of(1, lows) == 1


def test_geo_steps_with_ties_and_nothing():
    assert geo.thresholds([0, 0]) == [] and geo.step_of(0, []) == 0
    lows = geo.thresholds([0, 3, 3, 3])
    assert lows == [3] and geo.step_of(3, lows) == 5  # one group: the darkest blue
    lows = geo.thresholds([1, 1, 1, 1, 2])
    assert lows == [1, 2]
    assert (geo.step_of(1, lows), geo.step_of(2, lows)) == (1, 5)
