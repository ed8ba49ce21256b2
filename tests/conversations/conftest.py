"""Fixtures for conversation tests: established members (not new accounts) and a factory that
starts a conversation through the service."""

from __future__ import annotations

from pathlib import Path

import pytest

import search
from conversations import service
from core.extensions import db
from notifications import worker
from search import runner
from tests.fixtures.factories import established


@pytest.fixture
def member(user_factory):
    """``member(handle)``: an established member (older than the new-account window)."""

    def make(handle: str | None = None, **profile):
        return user_factory(handle=handle, **{**established(), **profile})

    return make


@pytest.fixture
def talk(app):
    """``talk(starter, *others, body=…)`` starts a conversation and commits it."""

    def start(
        starter, *others, body="はじめまして。よろしくお願いします。", subject="ご相談", **kw
    ):
        outcome = service.start_conversation(
            starter=starter, participants=list(others), body=body, subject=subject, **kw
        )
        assert outcome.status == "sent", outcome
        db.session.commit()
        return outcome.conversation

    return start


@pytest.fixture
def process(app):
    def run():
        db.session.commit()
        progress = worker.run_once()
        db.session.expire_all()
        return progress

    return run


@pytest.fixture
def sync_index(app):
    """``sync_index()`` applies every pending search outbox row now (the indexer, run
    synchronously), as in tests/search."""
    root = Path(app.config["SEARCH_INDEX_DIR"])
    yield lambda: runner.catch_up(root)
    search.close(app)
