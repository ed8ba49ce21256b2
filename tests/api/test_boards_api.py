"""GET /api/v1/boards and the board's thread listing (keyset pagination)."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select, update

from core.extensions import db
from core.types import utcnow
from forum import posting
from forum.models import Board, Post, Thread
from tests.api.helpers import api_error, has_offset

CROSS_BOARDS = ["zentai", "komarigoto", "chiiki-kadai"]


def _threads(client, slug: str = "zentai", **params):
    response = client.get(f"/api/v1/boards/{slug}/threads", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _ids(client, slug: str = "zentai", **params) -> list[int]:
    return [t["id"] for t in _threads(client, slug, **params)["threads"]]


def _walk(client, limit: int, between_pages=None) -> tuple[list[int], int]:
    """Follow next_cursor to the end; returns the ids seen and the number of pages."""
    seen: list[int] = []
    cursor, pages = None, 0
    while True:
        params = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        data = _threads(client, **params)
        pages += 1
        assert len(data["threads"]) <= limit
        seen += [t["id"] for t in data["threads"]]
        cursor = data["next_cursor"]
        if cursor is None:
            return seen, pages
        assert pages < 50, "next_cursor never ends"
        if between_pages is not None:
            between_pages(pages)


def _cursor(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


# --- boards -----------------------------------------------------------------------------------


def test_boards_lists_default_cross_and_field_boards(client):
    response = client.get("/api/v1/boards")
    assert response.status_code == 200
    boards = response.get_json()["boards"]
    assert len(boards) == 19
    assert [b["slug"] for b in boards[:3]] == CROSS_BOARDS
    assert [b["slug"] for b in boards[3:6]] == ["jirei", "events", "seisaku"]
    assert [b["kind"] for b in boards] == ["cross"] * 6 + ["field"] * 13
    assert len({b["slug"] for b in boards}) == 19
    for board in boards:
        assert {"slug", "name", "kind", "thread_count"} <= set(board)
        assert board["name"]
        assert board["thread_count"] == 0


def test_boards_thread_count_follows_new_threads(client, thread_factory):
    thread_factory()
    thread_factory()
    boards = {b["slug"]: b for b in client.get("/api/v1/boards").get_json()["boards"]}
    assert boards["zentai"]["thread_count"] == 2
    assert boards["komarigoto"]["thread_count"] == 0


# --- thread listing ---------------------------------------------------------------------------


def test_board_threads_unknown_board_is_404(client):
    api_error(client.get("/api/v1/boards/no-such-board/threads"), 404, "not_found")


def test_board_threads_empty_board_has_no_cursor(client):
    data = _threads(client, "komarigoto")
    assert data["threads"] == []
    assert data["next_cursor"] is None


def test_board_threads_serializes_each_thread(client, thread_factory, user):
    thread = thread_factory(author=user, title="買い物支援の進め方", replies=2)
    [item] = _threads(client)["threads"]
    assert item["id"] == thread.id
    assert item["title"] == "買い物支援の進め方"
    assert item["author"]["handle"] == user.handle
    assert item["reply_count"] == 2
    assert item["is_pinned"] is False
    assert item["is_locked"] is False
    assert has_offset(item["created_at"])
    assert has_offset(item["last_post_at"])
    assert item["url"].endswith(f"/t/{thread.id}")


def test_board_threads_lists_pinned_first_then_newest_activity(client, thread_factory, user):
    pinned = thread_factory(title="お知らせ（固定）", is_pinned=True)
    first = thread_factory(title="一番目のスレッド")
    second = thread_factory(title="二番目のスレッド")
    third = thread_factory(title="三番目のスレッド")
    posting.create_reply(thread=first, author=user, body="最新の返信")  # first becomes newest
    db.session.commit()
    assert _ids(client) == [pinned.id, first.id, third.id, second.id]


def test_board_threads_only_lists_the_boards_threads(client, thread_factory, board):
    other = db.session.scalar(select(Board).where(Board.slug == "komarigoto"))
    mine = thread_factory()
    theirs = thread_factory(board=other)
    assert _ids(client, "zentai") == [mine.id]
    assert _ids(client, "komarigoto") == [theirs.id]


def test_board_threads_hides_deleted_threads(client, thread_factory):
    kept = thread_factory(title="残るスレッド")
    gone = thread_factory(title="消えるスレッド")
    first_post = db.session.scalar(select(Post).where(Post.thread_id == gone.id, Post.number == 1))
    posting.delete_post(post=first_post, actor=gone.author)
    db.session.commit()
    assert _ids(client) == [kept.id]


def test_board_threads_limit_is_clamped_to_at_least_one(client, thread_factory):
    for _ in range(3):
        thread_factory()
    for limit in (0, -5):
        data = _threads(client, limit=limit)
        assert len(data["threads"]) == 1
        assert data["next_cursor"] is not None


def test_board_threads_cursor_visits_every_thread_exactly_once(client, thread_factory):
    for i in range(2):
        thread_factory(title=f"固定スレッド{i}", is_pinned=True)
    for i in range(5):
        thread_factory(title=f"普通のスレッド{i}")
    everything = _ids(client, limit=100)
    assert len(everything) == 7
    seen, pages = _walk(client, limit=2)
    assert seen == everything
    assert pages == 4


def test_board_threads_last_full_page_has_no_cursor(client, thread_factory):
    for _ in range(4):
        thread_factory()
    seen, pages = _walk(client, limit=2)
    assert len(seen) == 4
    assert pages == 2


def test_board_threads_cursor_is_stable_when_threads_are_created_between_pages(
    client, thread_factory
):
    for i in range(2):
        thread_factory(title=f"固定スレッド{i}", is_pinned=True)
    for i in range(6):
        thread_factory(title=f"既存のスレッド{i}")
    before = _ids(client, limit=100)
    created: list[int] = []

    def new_threads(_page: int) -> None:
        created.extend(thread_factory(title=f"途中で作成{len(created)}{n}").id for n in range(2))

    seen, _pages = _walk(client, limit=3, between_pages=new_threads)
    assert created  # threads really were created while paging
    assert len(seen) == len(set(seen))
    assert seen == before


def test_board_threads_cursor_breaks_activity_ties_by_id(client, thread_factory):
    threads = [thread_factory(title=f"同時刻のスレッド{i}") for i in range(5)]
    same_time = utcnow()
    db.session.execute(
        update(Thread).where(Thread.id.in_([t.id for t in threads])).values(last_post_at=same_time)
    )
    db.session.commit()
    seen, pages = _walk(client, limit=2)
    assert seen == sorted((t.id for t in threads), reverse=True)
    assert pages == 3


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("!!!not-a-cursor!!!", id="garbage"),
        pytest.param(base64.urlsafe_b64encode(b"not json").decode(), id="not-json"),
        pytest.param(_cursor(42), id="not-a-list"),
        pytest.param(_cursor([1, "yesterday", 3]), id="bad-date"),
        pytest.param(_cursor([0, "2024-01-01T00:00:00+00:00", "x"]), id="bad-id"),
        pytest.param(_cursor([None, None, None]), id="nulls"),
        pytest.param(_cursor([0, "2024-01-01T00:00:00", 3]), id="naive-date"),
        pytest.param(_cursor([0, "2024-01-01T00:00:00+00:00", 10**30]), id="huge-id"),
        pytest.param(_cursor([0, "2024-01-01T00:00:00+00:00", -1]), id="negative-id"),
    ],
)
def test_board_threads_bad_cursor_is_400(client, thread_factory, cursor):
    thread_factory()
    response = client.get("/api/v1/boards/zentai/threads", query_string={"cursor": cursor})
    api_error(response, 400, "bad_cursor")


def test_board_threads_query_count_is_independent_of_thread_count(
    client, thread_factory, count_queries
):
    for _ in range(2):
        thread_factory(replies=1)
    with count_queries() as few:
        assert len(_threads(client)["threads"]) == 2
    for _ in range(8):
        thread_factory(replies=1)
    with count_queries() as many:
        assert len(_threads(client)["threads"]) == 10
    assert many.count == few.count, str(many)
