"""Site administration pages that sit above every package (taxonomies). Board administration
lives with the forum (forum/admin.py)."""

from __future__ import annotations

from flask import Flask

from admin import taxonomies


def register(app: Flask) -> None:
    app.register_blueprint(taxonomies.bp)
