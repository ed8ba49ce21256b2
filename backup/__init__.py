"""Backups that restore: ``flask --app app backup create|verify|restore`` (issue #17).

The door of the package: ``register(app)`` and ``backup.service`` (create, verify, restore).
"""

from __future__ import annotations

from flask import Flask

from backup import cli


def register(app: Flask) -> None:
    cli.register(app)
