"""Helpers for notification tests: run the worker round the way the background thread does."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db
from notifications import watching, worker
from notifications.models import Notification


@pytest.fixture
def process(app):
    """``process()`` applies every pending job (as the worker would) and returns its progress."""

    def run(**kwargs):
        db.session.commit()
        progress = worker.run_once(**kwargs)
        db.session.expire_all()
        return progress

    return run


@pytest.fixture
def notes(app):
    """``notes(user)`` → the user's notifications, oldest first."""

    def get(user, **filters):
        query = select(Notification).where(Notification.user_id == user.id)
        for name, value in filters.items():
            query = query.where(getattr(Notification, name) == value)
        return list(db.session.scalars(query.order_by(Notification.id)))

    return get


@pytest.fixture
def watch(app):
    def set_(user, target_kind, key, level):
        watching.set_level(user, target_kind, key, level)
        db.session.commit()

    return set_


@pytest.fixture
def bearer(app):
    """``bearer(user)`` → headers with a new API token of ``user``."""
    from auth.accounts import create_api_token

    def headers(user) -> dict[str, str]:
        token = create_api_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return headers
