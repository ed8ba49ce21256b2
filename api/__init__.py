"""JSON API under /api/v1 (Bearer token or the browser session with an X-CSRFToken header)."""

from __future__ import annotations

from flask import Flask

from api import structured, tokens, views


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(structured.bp)
    app.register_blueprint(tokens.bp)
