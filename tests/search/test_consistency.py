"""The index follows the database: outbox rows in the content's own transaction, edits and
deletions applied, deleted content never shown, crashes lose nothing, rebuild = incremental."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.extensions import db
from forum import posting
from search import indexer, store
from search.models import SearchOutbox
from tests.fixtures.database import ROOT


def _outbox() -> list[tuple[str, int]]:
    return [
        (r.kind, r.target_id)
        for r in db.session.scalars(select(SearchOutbox).order_by(SearchOutbox.id))
    ]


def _index_docs(root: Path) -> dict[str, str]:
    """post id → fingerprint of every document in the current index."""
    ix = store.open_index(store.current_path(root))
    try:
        with ix.searcher() as s:
            return {f["post_id"]: f["fingerprint"] for f in s.all_stored_fields()}
    finally:
        ix.close()


def test_outbox_rows_are_written_with_the_content(thread_factory, user):
    thread = thread_factory(author=user, replies=1)
    post_ids = sorted(
        p.id
        for p in db.session.scalars(select(posting.Post).where(posting.Post.thread_id == thread.id))
    )
    rows = _outbox()
    assert ("thread", thread.id) in rows
    assert {("post", pid) for pid in post_ids} <= set(rows)


def test_outbox_rows_roll_back_with_the_content(thread_factory, user, board):
    before = db.session.scalar(select(func.count()).select_from(SearchOutbox))
    posting.create_thread(board=board, author=user, title="取り消される話題", body="本文")
    db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SearchOutbox)) == before


def test_outbox_ignores_changes_that_search_does_not_index(thread_factory, user):
    thread = thread_factory(author=user)
    before = len(_outbox())
    posting.set_thread_flags(thread=thread, is_pinned=True)
    db.session.commit()
    assert len(_outbox()) == before


def test_edit_replaces_the_old_text(thread_factory, user, find):
    thread = thread_factory(author=user, title="会議の報告", body="配食サービスの相談")
    assert find("配食").total == 1
    post = db.session.scalar(select(posting.Post).where(posting.Post.thread_id == thread.id))
    posting.edit_post(post=post, editor=user, body="雪かきの相談", title="冬の会議の報告")
    db.session.commit()
    assert find("配食").total == 0
    page = find("雪かき")
    assert page.total == 1 and page.hits[0].title == "冬の会議の報告"


def test_deleted_reply_and_thread_leave_the_index(thread_factory, user, moderator, find):
    thread = thread_factory(author=user, title="見守りの話", body="見守り本文", replies=1)
    reply = db.session.scalar(
        select(posting.Post).where(posting.Post.thread_id == thread.id, posting.Post.number == 2)
    )
    posting.edit_post(post=reply, editor=user, body="見守りの返信")
    db.session.commit()
    assert find("見守り").total == 2
    posting.delete_post(post=reply, actor=moderator)
    db.session.commit()
    assert find("見守り").total == 1
    first = db.session.scalar(
        select(posting.Post).where(posting.Post.thread_id == thread.id, posting.Post.number == 1)
    )
    posting.delete_post(post=first, actor=moderator)
    db.session.commit()
    assert find("見守り").total == 0
    assert find("", user=moderator).total == 0


@pytest.mark.parametrize("who", ["anonymous", "member", "moderator"])
def test_deleted_content_is_absent_immediately_even_before_indexing(
    thread_factory, user, moderator, find, who
):
    thread = thread_factory(
        author=user, title="見守りの記録", body="個人の名前を書いてしまった見守り記録", replies=1
    )
    find("見守り")  # indexed
    first = db.session.scalar(
        select(posting.Post).where(posting.Post.thread_id == thread.id, posting.Post.number == 1)
    )
    posting.delete_post(post=first, actor=moderator)
    db.session.commit()
    viewer = {"anonymous": None, "member": user, "moderator": moderator}[who]
    page = find("見守り", user=viewer, sync=False)  # the indexer has not run yet
    assert page.hits == []
    assert all("個人の名前" not in h.snippet_html for h in page.hits)


def test_gap_in_outbox_ids_is_applied_when_the_late_transaction_commits(
    thread_factory, user, find, index_root
):
    late_thread = thread_factory(author=user, title="遅れて届く更新", body="最初の本文")
    other_thread = thread_factory(author=user, title="先に届く更新", body="最初の本文")
    find("本文")
    late_post, other_post = (
        db.session.scalar(select(posting.Post).where(posting.Post.thread_id == t.id))
        for t in (late_thread, other_thread)
    )
    # Transaction A takes an outbox id first but commits after transaction B.
    late_post.body_html = "<p>遅れて届いた雪かきの本文</p>"
    db.session.commit()
    late_row = db.session.scalar(select(SearchOutbox).order_by(SearchOutbox.id.desc()))
    late_id = late_row.id
    other_post.body_html = "<p>先に届いた配食の本文</p>"
    db.session.commit()
    db.session.delete(late_row)  # A is not visible yet
    db.session.commit()
    assert find("配食").total == 1
    assert find("雪かき").total == 0
    assert set(store.read_state(store.current_path(index_root)).gaps) == {late_id}
    db.session.add(SearchOutbox(id=late_id, kind="post", target_id=late_post.id))  # A commits
    db.session.commit()
    assert find("雪かき").total == 1
    assert store.read_state(store.current_path(index_root)).gaps == {}


def _mutate_a_lot(thread_factory, user_factory, moderator):
    users = [user_factory() for _ in range(3)]
    threads = [
        thread_factory(
            author=users[i % 3],
            title=f"見守り{i}の相談",
            body=f"配食と移動支援の話 その{i}",
            replies=i % 4,
        )
        for i in range(12)
    ]
    for i, thread in enumerate(threads):
        posts = list(
            db.session.scalars(
                select(posting.Post)
                .where(posting.Post.thread_id == thread.id)
                .order_by(posting.Post.number)
            )
        )
        if i % 3 == 0:
            posting.edit_post(
                post=posts[0], editor=moderator, body=f"書き直した本文{i}", title=f"改題{i}"
            )
        if i % 4 == 1 and len(posts) > 1:
            posting.delete_post(post=posts[-1], actor=moderator)
        if i % 5 == 2:
            posting.delete_post(post=posts[0], actor=moderator)
        db.session.commit()
    return threads


def test_rebuild_equals_incremental(
    thread_factory, user_factory, moderator, sync_index, index_root, app
):
    sync_index()  # the first run builds an empty index, then everything arrives incrementally
    _mutate_a_lot(thread_factory, user_factory, moderator)
    sync_index()
    incremental = _index_docs(index_root)
    old = store.current_path(index_root)
    rebuilt_path = indexer.rebuild(index_root)
    assert rebuilt_path != old and store.current_path(index_root) == rebuilt_path
    rebuilt = _index_docs(index_root)
    assert incremental == rebuilt
    assert len(rebuilt) >= 15
    expected = db.session.scalar(
        select(func.count()).select_from(posting.Post).join(posting.Thread)
        .where(posting.Post.deleted_at.is_(None), posting.Thread.is_deleted.is_(False))
    )  # fmt: skip
    assert len(rebuilt) == expected


def test_segments_are_separate_files_not_compound(thread_factory, sync_index, index_root):
    """Whoosh-Reloaded copies every part of a compound segment into memory on each reader
    (2 GiB per searcher at 1,000,000 posts): the incremental writes, their merges and a
    rebuild all write separate files."""
    sync_index()
    for i in range(3):  # several commits: segments, then a merge of the small ones
        thread_factory(title=f"見守り活動の報告 {i}")
        sync_index()
    ix = store.open_index(store.current_path(index_root))
    assert ix.doc_count() >= 3 and store.compound_segments(ix) == 0
    ix.close()
    indexer.rebuild(index_root)
    ix = store.open_index(store.current_path(index_root))
    assert ix.doc_count() >= 3 and store.compound_segments(ix) == 0
    ix.close()


@pytest.mark.parametrize("point", ["before-commit", "before-state"])
def test_indexer_killed_between_commit_and_apply_loses_nothing(
    point,
    thread_factory,
    user_factory,
    moderator,
    sync_index,
    index_root,
    app,
    database_url,
    tmp_path,
):
    sync_index()
    _mutate_a_lot(thread_factory, user_factory, moderator)
    config = {
        "TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x",
        "INSTANCE_PATH": app.instance_path, "SEARCH_INDEX_DIR": str(index_root),
        "RATELIMIT_STORAGE_URI": "memory://",
    }  # fmt: skip
    env = {**os.environ, "KYOSO_TEST_CONFIG": json.dumps(config)}
    done = subprocess.run(
        [sys.executable, "-m", "tests.search.crash_indexer", point],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 9, done.stderr
    state = store.read_state(store.current_path(index_root))
    assert state.last_applied < db.session.scalar(select(func.max(SearchOutbox.id)))
    sync_index()  # the restarted indexer resumes from the recorded id
    incremental = _index_docs(index_root)
    indexer.rebuild(index_root)
    assert incremental == _index_docs(index_root)
