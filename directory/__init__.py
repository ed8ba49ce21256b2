"""The directory of participating organisations and government bodies (団体・行政機関リスト) and
the related-links page (関連リンク)."""

from __future__ import annotations

from flask import Flask

from directory import models  # noqa: F401  (tables for migrations)


def register(app: Flask) -> None:
    """Blueprints are added as the package grows."""
