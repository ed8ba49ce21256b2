"""事例の収集・分析・公表 (issue #18): a prefecture map on the listings, statistics pages, and
workbooks people open in Excel. Every figure is a :class:`core.tables.Table`, so a page, the API
and a workbook show the same numbers."""

from __future__ import annotations

from flask import Flask

from core import openapi
from stats import api, api_schema, prefecture_map, views
from structured import listings


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    views.register_template_helpers(app)
    openapi.declare(app, api_schema.contract)
    prefecture_map.register(app)
    listings.count_with(prefecture_map.counts)
    listings.add_panel(prefecture_map.panel)
