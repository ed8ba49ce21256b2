"""Files attached to structured threads: checked by content, images re-encoded without
metadata, served with safe headers."""

from __future__ import annotations

from flask import Flask

from attachments import models  # noqa: F401  (tables for migrations)


def register(app: Flask) -> None:
    """Blueprints are added as the package grows."""
