"""The signed-in account of the current request."""

from __future__ import annotations

from flask_login import current_user

from auth.models import User


def current_account() -> User:
    """The real User behind Flask-Login's proxy (for services that keep or compare it)."""
    return current_user._get_current_object()
