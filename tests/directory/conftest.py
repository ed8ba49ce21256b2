"""Factories for the directory tests: organisations, related links, members' events and cases."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.extensions import db
from directory.models import Organization, RelatedLink
from forum.models import Board
from structured.models import ThreadDetail
from taxonomy.models import PlayerField

_seq = itertools.count(1)


@pytest.fixture
def field_id(app):
    """``field_id("chiiki-kotsu")`` → the player field's id."""
    ids = {f.slug: f.id for f in db.session.scalars(select(PlayerField))}
    return ids.__getitem__


@pytest.fixture
def org_factory(app, field_id):
    def make(name: str | None = None, *, field: str | None = "jumin-katsudo", **values):
        n = next(_seq)
        org = Organization(
            slug=values.pop("slug", f"org-{n}"),
            name=name or f"団体{n:03d}",
            kind=values.pop("kind", "npo"),
            player_field_id=field_id(field) if field else None,
            prefecture_code=values.pop("prefecture_code", "28"),
            description=values.pop("description", ""),
            **values,
        )
        db.session.add(org)
        db.session.commit()
        return org

    return make


@pytest.fixture
def link_factory(app):
    def make(title: str, *, category: str = "厚生労働省の施策", position: int = 0, **values):
        link = RelatedLink(
            title=title, category=category, position=position,
            url=values.pop("url", f"https://www.mhlw.go.jp/{next(_seq)}"), **values,
        )  # fmt: skip
        db.session.add(link)
        db.session.commit()
        return link

    return make


@pytest.fixture
def structured_thread(app, thread_factory):
    """``structured_thread(kind, author, title, starts_at=…)``: a thread of kind event/case
    with its ThreadDetail row, as the structured-thread forms will create them."""
    events = db.session.scalar(select(Board).where(Board.slug == "zentai"))

    def make(kind: str, author, title: str, *, starts_at: datetime | None = None,
             status: str = "", age_hours: int = 0):  # fmt: skip
        thread = thread_factory(board=events, author=author, title=title)
        thread.kind = kind
        thread.created_at = datetime.now(UTC) - timedelta(hours=age_hours)
        db.session.add(ThreadDetail(thread_id=thread.id, kind=kind, prefecture_code="28",
                                    status=status, starts_at=starts_at))  # fmt: skip
        db.session.commit()
        return thread

    return make
