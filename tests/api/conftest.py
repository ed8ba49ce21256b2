"""Fixtures for the JSON API tests."""

from __future__ import annotations

import pytest

from auth.accounts import create_api_token
from core.extensions import db


@pytest.fixture
def bearer(app):
    """``bearer(user)`` creates an API token for ``user`` and returns the request headers."""

    def _headers(user) -> dict[str, str]:
        token = create_api_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _headers
