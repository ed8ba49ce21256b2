"""GET /api/v1/search: the issue's JSON shape, facets, cursor pagination, errors."""

from __future__ import annotations

from tests.api.helpers import api_error, has_offset


def test_search_api_returns_results_and_facets(client, thread_factory, sync_index, user_factory):
    alice = user_factory(handle="alice")
    thread_factory(author=alice, title="見守り活動の報告", body="郵便局と見守りを始めました。")
    thread_factory(title="雪かき", body="募集中")
    sync_index()
    response = client.get("/api/v1/search?q=見守り")
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 1
    assert body["next_cursor"] is None
    (hit,) = body["results"]
    assert set(hit) >= {"thread_id", "post_id", "title", "snippet_html", "type", "prefecture",
                        "created_at", "url"}  # fmt: skip
    assert hit["title"] == "見守り活動の報告"
    assert "<mark>見守り</mark>" in hit["snippet_html"]
    assert hit["type"] == "discussion" and hit["prefecture"] is None
    assert has_offset(hit["created_at"])
    assert hit["url"].endswith(f"/p/{hit['post_id']}")
    assert hit["author"] == {"handle": "alice", "display_name": alice.display_name}
    facets = body["facets"]
    assert set(facets) == {"type", "prefecture", "block", "field", "domain", "board", "author"}
    assert facets["type"] == {"discussion": 1}
    assert facets["board"] == {"zentai": 1}
    assert facets["author"] == {"alice": 1}
    assert facets["prefecture"] == {} and facets["domain"] == {}


def test_search_api_filters_and_paginates(client, thread_factory, sync_index, user_factory):
    bob = user_factory(handle="bob")
    for i in range(5):
        thread_factory(author=bob if i % 2 else None, title=f"配食{i}", body="配食サービス")
    sync_index()
    body = client.get("/api/v1/search?q=配食&author=bob").get_json()
    assert body["total"] == 2
    ids, cursor = [], None
    while True:
        url = "/api/v1/search?q=配食&limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).get_json()
        ids += [r["post_id"] for r in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(ids) == len(set(ids)) == 5


def test_search_api_field_facet_comes_from_a_field_board(client, thread_factory, sync_index):
    from sqlalchemy import select

    from core.extensions import db
    from forum.models import Board

    board = db.session.scalar(select(Board).where(Board.slug == "chiiki-kotsu"))
    thread_factory(board=board, title="乗合タクシー", body="デマンド交通")
    sync_index()
    body = client.get("/api/v1/search?field=chiiki-kotsu").get_json()
    assert body["total"] == 1 and body["facets"]["field"] == {"chiiki-kotsu": 1}
    assert client.get("/api/v1/search?field=yubin-ict").get_json()["total"] == 0


def test_search_api_unknown_board_or_author_finds_nothing(client, thread_factory, sync_index):
    thread_factory(title="見守り", body="本文")
    sync_index()
    assert client.get("/api/v1/search?q=見守り&board=nope").get_json()["total"] == 0
    assert client.get("/api/v1/search?q=見守り&author=nobody").get_json()["total"] == 0
    assert client.get("/api/v1/search?q=見守り&block=kinki").get_json()["total"] == 0


def test_search_api_rejects_bad_parameters(client):
    error = api_error(client.get("/api/v1/search?sort=best"), 400, "bad_request")
    assert "sort" in error["fields"]
    api_error(client.get("/api/v1/search?limit=500"), 400)
    api_error(client.get("/api/v1/search?cursor=bm9wZQ"), 400)
    api_error(client.get("/api/v1/search?to=yesterday"), 400)


def test_search_api_date_range_uses_tokyo_days(client, thread_factory, sync_index):
    from datetime import UTC, datetime

    from sqlalchemy import update

    from core.extensions import db
    from forum.models import Post

    thread = thread_factory(title="年度末の報告", body="報告です")
    # 2026-03-31 23:30 in Tokyo is 14:30 UTC the same day
    db.session.execute(
        update(Post)
        .where(Post.thread_id == thread.id)
        .values(created_at=datetime(2026, 3, 31, 14, 30, tzinfo=UTC))
    )
    db.session.commit()
    from search.outbox import record

    record(db.session, [("thread", thread.id)])
    db.session.commit()
    sync_index()
    assert client.get("/api/v1/search?from=2026-03-31&to=2026-03-31").get_json()["total"] == 1
    assert client.get("/api/v1/search?from=2026-04-01").get_json()["total"] == 0
    assert client.get("/api/v1/search?to=2026-03-30").get_json()["total"] == 0
