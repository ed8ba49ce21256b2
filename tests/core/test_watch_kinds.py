"""``core.events.watch``: a model watched under several kinds reports its changed rows to each
kind; a bulk ``UPDATE`` that may change a watched column names the kind in ``Batch.unseen``
(its rows are not known), one that sets only other columns does not."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from core import events
from core.extensions import db
from forum.models import Thread

_batches: list[events.Batch] = []


def _recorder(session, batch: events.Batch) -> None:
    _batches.append(batch)


@pytest.fixture
def batches(app, thread) -> list[events.Batch]:
    events.watch(Thread, "test_titles", ("title",))
    events.watch(Thread, "test_pins", ("is_pinned",))
    events.add_recorder(_recorder)
    _batches.clear()
    yield _batches
    _batches.clear()
    events._recorders.remove(_recorder)  # the watches are per process: leave no test kind behind
    events._watched[Thread][:] = [s for s in events._watched[Thread] if not s[0].startswith("test_")]


def test_watch_reports_a_row_to_every_kind_that_watches_its_column(batches, thread):
    thread.title = "題名を変えた"
    db.session.commit()
    assert batches[-1].changes.get("test_titles") == {thread.id}
    assert "test_pins" not in batches[-1].changes
    thread.is_pinned = True
    db.session.commit()
    assert batches[-1].changes.get("test_pins") == {thread.id}
    assert "test_titles" not in batches[-1].changes


def test_watch_names_a_bulk_update_of_a_watched_column_unseen(batches, thread):
    db.session.execute(update(Thread).where(Thread.id == thread.id).values(is_pinned=True))
    db.session.commit()
    assert {"test_pins"} <= batches[-1].unseen and "test_titles" not in batches[-1].unseen
    batches.clear()
    db.session.execute(update(Thread).values(reply_count=Thread.reply_count))
    db.session.commit()
    assert all(not {"test_pins", "test_titles"} & b.unseen for b in batches)


def test_watch_forgets_the_unseen_after_a_rollback(batches, thread):
    db.session.execute(update(Thread).values(title="一括"))
    db.session.rollback()
    db.session.commit()
    assert all("test_titles" not in b.unseen for b in batches)
