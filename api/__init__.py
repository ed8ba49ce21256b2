"""The forum's JSON API under /api/v1 (Bearer token or the browser session with an X-CSRFToken
header): boards, threads, posts. Other packages serve their own /api/v1 routes beside their
domain (structured listings, moderation, notifications, search, directory, taxonomies, tokens);
the domain-free plumbing is ``core.jsonapi``."""

from __future__ import annotations

from flask import Flask

from api import api_schema, views
from core import openapi


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    openapi.declare(app, api_schema.contract)
