"""事例の収集・分析・公表 (issue #18): a prefecture map on the listings, statistics pages, and
workbooks people open in Excel. Every figure is a :class:`stats.tables.Table`, so a page, the API
and a workbook show the same numbers."""

from __future__ import annotations

from flask import Flask

from stats import prefecture_map
from structured import listings


def register(app: Flask) -> None:
    prefecture_map.register(app)
    listings.add_panel(prefecture_map.panel)
