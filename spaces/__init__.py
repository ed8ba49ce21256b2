"""Prefectural platforms beside the national one (issue #12): each space's home page
(``/pf/<slug>``), joining, members and roles, the spaces API and the ``spaces``/``boards`` CLI.
The models and the audience rule live below, in ``auth.spaces`` and ``auth.permissions``."""

from __future__ import annotations

from flask import Flask

from core import openapi
from spaces import api, api_schema, cli, display, views


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    openapi.declare(app, api_schema.contract)
    cli.register(app)
    display.register(app)
