"""Moderation (flags, review queue, holds, PII guard, sanctions, audit log) — see its issue.

Today the abilities of moderators live in role permissions (``auth.permissions``); this package
will subscribe to ``forum.signals`` and add its own blueprint here.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Nothing to register yet."""
