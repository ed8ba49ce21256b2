"""Japan as a tile grid: each of the 47 prefectures one square on a grid roughly shaped like the
country (北海道 top right, 沖縄 bottom left), the layout Japanese data journalism uses for
prefectural figures.

Why a tile grid rather than an outline map:

- no outline data to license, keep up to date or ship (the usual open boundary sets are
  megabytes and carry attribution terms); the whole layout is the table below;
- every prefecture is the same size, so 東京都 or 香川県 are as easy to read, tap and click as
  北海道, and each tile holds its short name and its count in legible text;
- the SVG stays tiny (47 squares, a few kilobytes) and renders on the server, with no script.

Only positions are kept here. Which 地方 a prefecture belongs to is the taxonomy's data
(``Prefecture.region_code``, see ``taxonomy.models``), so a regrouping made there (some groupings
put 三重 in 東海) redraws the map's 地方 borders without a change here.
"""

from __future__ import annotations

#: prefecture code (JIS X 0401) → (column, row); column 0 is the west, row 0 the north
TILES: dict[str, tuple[int, int]] = {
    "01": (11, 0),  # 北海道
    "02": (11, 1), "03": (11, 2), "05": (10, 2), "04": (11, 3), "06": (10, 3),
    "07": (10, 4),  # 福島
    "15": (9, 4), "16": (8, 4), "17": (7, 4),  # 新潟 富山 石川
    "08": (11, 5), "09": (10, 5), "10": (9, 5), "20": (8, 5), "21": (7, 5), "18": (6, 5),
    "26": (5, 5), "28": (4, 5), "31": (3, 5), "32": (2, 5),
    "12": (11, 6), "13": (10, 6), "11": (9, 6), "19": (8, 6), "23": (7, 6), "25": (6, 6),
    "29": (5, 6), "27": (4, 6), "33": (3, 6), "34": (2, 6), "35": (1, 6),
    "14": (9, 7), "22": (8, 7), "24": (6, 7), "30": (5, 7),  # 神奈川 静岡 三重 和歌山
    "37": (4, 7), "38": (3, 7), "39": (3, 8), "36": (4, 8),  # 四国
    "40": (1, 7), "41": (0, 7), "44": (2, 7), "42": (0, 8), "43": (1, 8), "45": (2, 8),
    "46": (1, 9),  # 九州
    "47": (0, 10),  # 沖縄
}  # fmt: skip
COLUMNS = 1 + max(col for col, _row in TILES.values())
ROWS = 1 + max(row for _col, row in TILES.values())
#: the free corner (north-west: the sea west of Tohoku) where the legend is drawn: columns and
#: rows from, to (exclusive)
LEGEND_AREA = ((0, 8), (0, 4))

#: where each 地方's name is written on the map: the centre of the label, in cells, on free cells
#: beside its tiles; by the taxonomy's region code. A region not named here gets no label on the
#: map (the table beside it names every 地方 anyway).
REGION_LABELS: dict[str, tuple[float, float]] = {
    "hokkaido": (10, 0.5),
    "tohoku": (9, 2.5),
    "chubu": (8, 3.5),
    "kanto": (11, 7.5),
    "kinki": (6, 8.5),
    "chugoku": (3, 4.5),
    "shikoku": (4, 9.5),
    "kyushu-okinawa": (2.6, 10.5),
}

#: the colour steps: (fill, text) for 0 items, then five blues from light to dark. Every text
#: colour has a contrast of at least 4.5:1 on its fill (WCAG AA; tests/stats/test_geo.py)
ZERO = ("#ffffff", "#595959")
STEPS = [
    ("#deebf7", "#0b1f3a"),
    ("#b3d1ec", "#0b1f3a"),
    ("#7fb2dc", "#0b1f3a"),
    ("#2a6aa8", "#ffffff"),
    ("#08306b", "#ffffff"),
]
#: the outline of every tile (3:1 or more against the white page, so light tiles keep a shape)
TILE_STROKE = "#6b7785"


def short_name(name: str) -> str:
    """The name as maps write it: 長野県 → 長野, 東京都 → 東京, 京都府 → 京都; 北海道 stays."""
    if name.endswith(("県", "府")) or (name.endswith("都") and name != "京都"):
        return name[:-1]
    return name


def thresholds(counts: list[int], steps: int = len(STEPS)) -> list[int]:
    """The lowest count of each colour step: quintiles of the non-zero counts, so that the five
    blues split the prefectures that have something into groups of about the same size however
    skewed the figures are (東京 ten times 鳥取). Fewer steps when counts tie."""
    values = sorted(c for c in counts if c > 0)
    if not values:
        return []
    lows = [values[0]]
    for k in range(1, steps):
        cut = values[(k * len(values)) // steps]
        if cut > lows[-1]:
            lows.append(cut)
    return lows


def step_of(count: int, lows: list[int]) -> int:
    """0 for no items, else the 1-based colour step whose range holds ``count``; with fewer
    steps than colours they are spread so that the highest step is the darkest blue."""
    if count <= 0 or not lows:
        return 0
    index = sum(1 for low in lows if count >= low) - 1
    if len(lows) == 1:
        return len(STEPS)
    return 1 + round(index * (len(STEPS) - 1) / (len(lows) - 1))
