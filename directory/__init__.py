"""The directory of participating organisations and government bodies (団体・行政機関リスト) and
the related-links page (関連リンク): public pages, admin pages, ``GET /api/v1/organizations``; demo
content in ``directory.demo``."""

from __future__ import annotations

from flask import Flask

from core import openapi
from directory import admin, api, api_schema, views


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    openapi.declare(app, api_schema.contract)
