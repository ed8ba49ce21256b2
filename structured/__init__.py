"""Structured threads (cases, events, policies, local problems): typed fields on the board
engine, their listings, calendar, exports and feeds."""

from __future__ import annotations

from flask import Flask

from structured import models  # noqa: F401  (tables for migrations)


def register(app: Flask) -> None:
    """Blueprints and publishing hooks are added as the package grows."""
