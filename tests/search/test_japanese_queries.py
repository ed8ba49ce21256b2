"""The labelled Japanese query set: recall and precision over a fixed corpus."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db
from forum import posting
from forum.models import Board, Post
from tests.search.corpus import QUERIES, REPLIES, THREADS

MIN_PRECISION = 0.97
MIN_RECALL = 0.97


@pytest.fixture
def corpus(app, user_factory) -> dict[int, str]:
    """Post the corpus through the forum's services; returns post id → key."""
    boards = {b.slug: b for b in db.session.scalars(select(Board))}
    authors = {h: user_factory(handle=h) for h in ("alice", "bob", "chiyo")}
    keys: dict[int, str] = {}
    threads = {}
    for key, (board, author, title, body) in THREADS.items():
        thread = posting.create_thread(
            board=boards[board], author=authors[author], title=title, body=body
        )
        db.session.commit()
        threads[key] = thread
        keys[db.session.scalar(select(Post.id).where(Post.thread_id == thread.id))] = key
    for key, (thread_key, author, body) in REPLIES.items():
        post = posting.create_reply(thread=threads[thread_key], author=authors[author], body=body)
        db.session.commit()
        keys[post.id] = key
    return keys


def _found(find, corpus, query: str) -> set[str]:
    page = find(query, limit="50")
    return {corpus[h.post_id] for h in page.hits}


def test_query_set_is_large_and_covers_every_case():
    assert len(QUERIES) >= 60
    kinds = " ".join(what for _q, _e, what in QUERIES)
    for case in ("inside a longer", "katakana", "ASCII", "full-width", "half-width",
                 "hiragana", "single character", "phrase", "OR", "exclusion", "AND"):  # fmt: skip
        assert case in kinds, case


def test_japanese_queries_reach_precision_and_recall(corpus, find, sync_index):
    sync_index()
    precisions, recalls, misses = [], [], []
    for query, expected, what in QUERIES:
        found = _found(find, corpus, query)
        hit = found & expected
        precision = len(hit) / len(found) if found else 0.0
        recall = len(hit) / len(expected)
        precisions.append(precision)
        recalls.append(recall)
        if found != expected:
            misses.append(f"{query!r} ({what}): extra {sorted(found - expected)}, "
                          f"missing {sorted(expected - found)}")  # fmt: skip
    precision = sum(precisions) / len(precisions)
    recall = sum(recalls) / len(recalls)
    print(f"\n{len(QUERIES)} queries: precision {precision:.3f}, recall {recall:.3f}")
    print("\n".join(misses))
    assert precision >= MIN_PRECISION, misses
    assert recall >= MIN_RECALL, misses
