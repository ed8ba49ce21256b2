"""Personal data (個人情報保護法, issue #15): the data inventory (``inventory``), from which the
privacy policy's data section, the export (開示, ``exporting``) and leaving (退会, ``erasure``) are
made, and retention (``retention``). An entry point that combines the domain packages."""

from __future__ import annotations

from flask import Flask

from core import openapi
from privacy import api, api_schema, cli, views


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    openapi.declare(app, api_schema.contract)
    cli.register(app)
