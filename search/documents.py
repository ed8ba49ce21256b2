"""Search documents built from the database: one per visible post, read in bulk."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from core.extensions import db
from forum.audience import BoardAudience
from forum.models import Board, Post, Thread
from search.analysis import normalize
from search.schema import order_key
from search.visibility import is_indexable
from structured.models import ThreadDetail, thread_life_domains, thread_player_fields
from taxonomy.models import LifeDomain, PlayerField

_BLOCK_TAGS = re.compile(
    r"</?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|th|table|thead|tbody|pre|blockquote|hr)\b[^>]*>", re.I
)
_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_NEWLINES = re.compile(r"\s*\n\s*")


def html_to_text(body_html: str) -> str:
    """The visible text of a post's sanitized HTML, NFKC-normalised (what is indexed and what
    snippets are cut from). Inline tags vanish without a space: Japanese has no spaces."""
    text = _BLOCK_TAGS.sub("\n", body_html)
    text = html.unescape(_TAGS.sub("", text))
    text = _SPACES.sub(" ", text)
    return normalize(_NEWLINES.sub("\n", text).strip())


#: what ``auth.permissions.board_readable`` reads of a board
BoardState = BoardAudience


@dataclass(frozen=True)
class ThreadState:
    """What ``auth.permissions.can(user, "thread.view", …)`` reads of a thread."""

    id: int
    author_id: int
    board_id: int
    is_deleted: bool
    is_hidden: bool
    board: BoardState


@dataclass(frozen=True)
class ThreadTags:
    prefecture: str = ""
    fields: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    #: an event's start and end (epoch seconds), for the event-date filter
    event_start: int | None = None
    event_end: int | None = None


@dataclass(frozen=True)
class PostRow:
    """The columns of a post and its thread that search needs (indexing and results)."""

    post_id: int
    thread_id: int
    number: int
    author_id: int
    body_html: str
    created_at: datetime
    deleted_at: datetime | None
    hidden_at: datetime | None
    title: str
    kind: str
    thread: ThreadState
    board_field: str | None
    #: a structured thread's tags (prefecture code, player-field and life-domain slugs)
    tags: ThreadTags | None = None

    @property
    def board_id(self) -> int:
        return self.thread.board_id

    @classmethod
    def from_result(cls, r) -> PostRow:
        board = BoardState(r.board_id, r.space_id, r.audience, r.audience_roles)
        thread = ThreadState(r.thread_id, r.thread_author_id, r.board_id, r.is_deleted, r.is_hidden,
                             board)  # fmt: skip
        return cls(
            r.id, r.thread_id, r.number, r.author_id, r.body_html, r.created_at, r.deleted_at,
            r.hidden_at, r.title, r.kind, thread, r.slug,
        )  # fmt: skip


def _select():
    return (
        select(
            Post.id, Post.thread_id, Post.number, Post.author_id, Post.body_html,
            Post.created_at, Post.deleted_at, Post.hidden_at, Thread.title, Thread.kind,
            Thread.author_id.label("thread_author_id"), Thread.board_id, Thread.is_deleted,
            Thread.is_hidden, PlayerField.slug, Board.space_id, Board.audience,
            Board.audience_roles,
        )
        .join(Thread, Thread.id == Post.thread_id)
        .join(Board, Board.id == Thread.board_id)
        .outerjoin(PlayerField, PlayerField.id == Board.player_field_id)
    )  # fmt: skip


def load_rows(*, post_ids: Iterable[int] = (), thread_ids: Iterable[int] = ()) -> list[PostRow]:
    """The rows of the given posts and of every post of the given threads."""
    post_ids, thread_ids = sorted(set(post_ids)), sorted(set(thread_ids))
    rows: list[PostRow] = []
    for chunk in _chunked(post_ids, 500):
        rows += [
            PostRow.from_result(r) for r in db.session.execute(_select().where(Post.id.in_(chunk)))
        ]
    for chunk in _chunked(thread_ids, 200):
        query = _select().where(Post.thread_id.in_(chunk))
        rows += [PostRow.from_result(r) for r in db.session.execute(query)]
    return with_tags(rows)


def with_tags(rows: list[PostRow]) -> list[PostRow]:
    """Attach the taxonomy tags of structured threads (three statements per batch at most)."""
    ids = sorted({r.thread_id for r in rows if r.kind != "discussion"})
    if not ids:
        return rows
    prefs, fields, domains, times = {}, {}, {}, {}
    for chunk in _chunked(ids, 500):
        for tid, code, starts, ends in db.session.execute(
            select(ThreadDetail.thread_id, ThreadDetail.prefecture_code, ThreadDetail.starts_at,
                   ThreadDetail.ends_at)
            .where(ThreadDetail.thread_id.in_(chunk))
        ):  # fmt: skip
            prefs[tid] = code or ""  # an online event of national scope has none
            if starts is not None:
                times[tid] = (int(starts.timestamp()), int((ends or starts).timestamp()))
        for tid, slug in db.session.execute(
            select(thread_player_fields.c.thread_id, PlayerField.slug)
            .join(PlayerField, PlayerField.id == thread_player_fields.c.player_field_id)
            .where(thread_player_fields.c.thread_id.in_(chunk))
        ):  # fmt: skip
            fields.setdefault(tid, []).append(slug)
        for tid, slug in db.session.execute(
            select(thread_life_domains.c.thread_id, LifeDomain.slug)
            .join(LifeDomain, LifeDomain.id == thread_life_domains.c.life_domain_id)
            .where(thread_life_domains.c.thread_id.in_(chunk))
        ):  # fmt: skip
            domains.setdefault(tid, []).append(slug)
    return [
        replace(r, tags=ThreadTags(prefs.get(r.thread_id, ""), tuple(sorted(fields.get(r.thread_id, ()))),
                                   tuple(sorted(domains.get(r.thread_id, ()))),
                                   *times.get(r.thread_id, (None, None))))
        if r.thread_id in prefs else r
        for r in rows
    ]  # fmt: skip


def iter_all_rows(batch_size: int = 1000) -> Iterator[list[PostRow]]:
    """Every post, in id order, ``batch_size`` at a time (keyset pagination)."""
    last = 0
    while True:
        query = _select().where(Post.id > last).order_by(Post.id).limit(batch_size)
        batch = [PostRow.from_result(r) for r in db.session.execute(query)]
        if not batch:
            return
        yield with_tags(batch)
        last = batch[-1].post_id


def _chunked(values: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def build_document(row: PostRow) -> dict | None:
    """The index document of a post, or None when it must not be in the index."""
    if not is_indexable(post=row, thread=row.thread):
        return None
    body = html_to_text(row.body_html)
    title = normalize(row.title) if row.number == 1 else ""
    fields = [row.board_field] if row.board_field else []
    tags = row.tags or ThreadTags()
    fields = sorted({*fields, *tags.fields})
    domains = " ".join(tags.domains)
    doc = {
        "post_id": str(row.post_id),
        "thread_id": str(row.thread_id),
        "number": row.number,
        "title": title,
        "title_ng": title,
        "body": body,
        "body_ng": body,
        "type": row.kind,
        "board": str(row.board_id),
        "author": str(row.author_id),
        "prefecture": tags.prefecture,
        "prefecture_c": tags.prefecture.encode(),
        "field": " ".join(fields),
        "field_c": " ".join(fields).encode(),
        "domain": domains,
        "domain_c": domains.encode(),
        "order_key": order_key(int(row.created_at.timestamp()), row.post_id),
    }
    if tags.event_start is not None:
        doc["event_start"], doc["event_end"] = tags.event_start, tags.event_end
    doc["fingerprint"] = fingerprint(doc)
    return doc


def fingerprint(doc: dict) -> str:
    """A digest of everything indexed, to compare an incremental index with a rebuilt one."""
    parts = [f"{k}={doc[k]!r}" for k in sorted(doc) if k != "fingerprint"]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]
