"""Taxonomies kept as data: regions (8 blocks), prefectures (JIS X 0401), player fields, domains.

The rows come from a data migration, so a fresh install has them right after ``db upgrade``.
"""

from __future__ import annotations

from flask import Flask

from core import openapi
from taxonomy import api_schema, views


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    openapi.declare(app, api_schema.contract)
