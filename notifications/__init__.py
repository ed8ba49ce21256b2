"""Notifications (watch levels, mentions, replies, e-mail, digests) — see its issue.

It will subscribe to ``forum.signals`` (sent after commit) and send mail through ``core.mail``.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Nothing to register yet."""
