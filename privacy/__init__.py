"""Personal data (個人情報保護法, issue #15): the data inventory (``inventory``), from which the
privacy policy's data section, the export (開示, ``exporting``) and leaving (退会, ``erasure``) are
made, and retention (``retention``). An entry point that combines the domain packages."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app

from core import openapi
from core.extensions import db
from notifications import worker
from privacy import api, api_schema, cli, retention, views


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    openapi.declare(app, api_schema.contract)
    cli.register(app)
    worker.add_housekeeping("privacy.purge", _purge_every, _purge)


def _purge_every() -> timedelta:
    return timedelta(minutes=current_app.config.get("PRIVACY_PURGE_EVERY_MINUTES", 60))


def _purge() -> None:
    """The retention purge from the notification worker's loop (``flask privacy purge`` too)."""
    retention.purge()
    db.session.commit()
