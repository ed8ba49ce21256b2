"""JSON API under /api/v1 (Bearer token or the browser session with an X-CSRFToken header)."""

from __future__ import annotations

from flask import Flask

from api import api_schema, structured, tokens, views
from core import openapi
from structured import api_schema as structured_schema


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(structured.bp)
    app.register_blueprint(tokens.bp)
    openapi.declare(app, api_schema.contract)
    openapi.declare(app, structured_schema.contract)
