"""``core.events.after_writes(hook, unless=…)``: a hook that names the writes its cache does not
depend on is not run by a commit that made only those (flushed rows, or a bulk ``UPDATE`` read
from its SET clause), and is run by any other write, including a statement it cannot read."""

from __future__ import annotations

import pytest
from sqlalchemy import text, update

from core import events
from core.extensions import db
from forum import posting
from forum.models import Board, Post, Thread

_runs: list[int] = []


def _hook() -> None:
    _runs.append(1)


@pytest.fixture
def runs(app, thread) -> list[int]:
    """The hook's runs from after ``thread`` was made."""
    events.after_writes(
        _hook,
        unless={Post: events.ALL, Thread: ("reply_count", "last_number", "last_post_at",
                                           "last_poster_id"),
                Board: ("post_count", "last_post_at")},
    )  # fmt: skip
    _runs.clear()
    return _runs


def test_a_reply_alone_does_not_run_it(runs, thread, user):
    posting.create_reply(thread=thread, author=user, body="返信です。")
    db.session.commit()
    assert runs == []


def test_a_spared_column_set_in_bulk_does_not_run_it(runs, thread):
    db.session.execute(update(Thread).where(Thread.id == thread.id).values(reply_count=5))
    db.session.commit()
    assert runs == []


def test_any_other_column_runs_it(runs, thread):
    db.session.execute(update(Thread).where(Thread.id == thread.id).values(is_hidden=True))
    db.session.commit()
    assert runs == [1]
    thread.title = "題名を変えました"
    db.session.commit()
    assert runs == [1, 1]


def test_a_spared_and_another_column_together_run_it(runs, thread):
    thread.reply_count = 3
    thread.is_deleted = True
    db.session.commit()
    assert runs == [1]


def test_a_new_row_of_a_model_with_spared_columns_runs_it(runs, thread_factory):
    thread_factory()
    assert runs and runs[-1] == 1


def test_a_statement_it_cannot_read_runs_it(runs, thread):
    db.session.execute(text("UPDATE threads SET reply_count = 0"))
    db.session.commit()
    assert runs == [1]


def test_a_rollback_forgets_what_was_written(runs, thread):
    db.session.execute(update(Thread).values(is_hidden=True))
    db.session.rollback()
    db.session.execute(update(Thread).values(reply_count=1))
    db.session.commit()
    assert runs == []


# --- only=…: a hook that depends on a few columns of one model ------------------------------

_only_runs: list[int] = []


def _only_hook() -> None:
    _only_runs.append(1)


@pytest.fixture
def only_runs(app, thread) -> list[int]:
    events.after_writes(_only_hook, only={Board: ("name", "slug")})
    _only_runs.clear()
    return _only_runs


def test_only_a_named_column_runs_it(only_runs, thread, user):
    posting.create_reply(thread=thread, author=user, body="返信です。")  # board counters change
    db.session.commit()
    assert only_runs == []
    thread.board.name = "新しい名前"
    db.session.commit()
    assert only_runs == [1]


def test_only_a_new_row_or_an_unknown_statement_runs_it(only_runs, thread):
    db.session.add(Board(slug="only-new", name="新しい掲示板", description=""))
    db.session.commit()
    assert only_runs == [1]
    db.session.execute(text("UPDATE boards SET description = 'x' WHERE id = :i"),
                       {"i": thread.board_id})  # fmt: skip
    db.session.commit()
    assert only_runs == [1, 1]
