"""The search page: one box in every page's header, results with highlights, facets, sort,
cursor pagination, the advanced search form."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.extensions import db
from forum.models import Board


@pytest.fixture
def boards(app) -> dict[str, Board]:
    return {b.slug: b for b in db.session.scalars(select(Board))}


def test_search_box_is_in_every_page_header(client):
    for path in ("/", "/b/zentai", "/login", "/search"):
        html = client.get(path).get_data(as_text=True)
        form = re.search(
            r'<form role="search" method="get" action="/search"[^>]*>(.*?)</form>', html, re.S
        )
        assert form, path
        assert '<label for="site-search-q">' in form.group(1)
        assert 'id="site-search-q" name="q"' in form.group(1)


def test_search_page_shows_highlighted_results_and_facets(
    client, thread_factory, sync_index, boards
):
    thread_factory(title="見守り活動の報告", body="郵便局と**見守り活動**を始めました。")
    thread_factory(
        board=boards["komarigoto"], title="サロンの相談", body="見守りも兼ねたサロンです。"
    )
    thread_factory(title="関係のない話", body="雪かきの募集")
    sync_index()
    response = client.get("/search?q=見守り")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2件見つかりました" in html
    assert "<mark>見守り</mark>活動の報告" in html
    assert "郵便局と<mark>見守り</mark>活動を始めました。" in html
    assert "雪かき" not in html
    facets = html[html.index('class="facets"') :]
    assert '全体交流 <span class="meta">(1)</span>' in facets
    assert '困りごと相談 <span class="meta">(1)</span>' in facets
    assert "/search?q=%E8%A6%8B%E5%AE%88%E3%82%8A&amp;board=komarigoto" in facets


def test_search_page_filters_by_facet_and_removes_the_filter(
    client, thread_factory, sync_index, boards
):
    thread_factory(title="見守りの会 甲町", body="本文")
    thread_factory(board=boards["komarigoto"], title="見守りの会 乙町", body="本文")
    sync_index()
    html = client.get("/search?q=見守り&board=komarigoto").get_data(as_text=True)
    assert "1件見つかりました" in html
    assert "乙町" in html and "甲町" not in html
    assert "掲示板の条件を外す" in html


def test_search_page_empty_keyword_lists_by_date(client, thread_factory, sync_index):
    for i in range(3):
        thread_factory(title=f"お知らせ{i}", body="本文です")
    sync_index()
    html = client.get("/search?board=zentai").get_data(as_text=True)
    assert "3件見つかりました" in html
    titles = re.findall(r"お知らせ(\d)", html)
    assert titles[:3] == ["2", "1", "0"]


def test_search_page_paginates_with_a_cursor(client, thread_factory, sync_index, app):
    for i in range(5):
        thread_factory(title=f"配食サービス{i}", body="配食の記録")
    sync_index()
    html = client.get("/search?q=配食&limit=2&sort=date").get_data(as_text=True)
    seen = re.findall(r"サービス(\d)</a>", html)
    pages = 1
    while 'rel="next"' in html:
        link = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
        html = client.get(link).get_data(as_text=True)
        seen += re.findall(r"サービス(\d)</a>", html)
        pages += 1
    assert pages == 3
    assert seen == ["4", "3", "2", "1", "0"]


def test_search_page_escapes_user_text_in_snippets(client, thread_factory, sync_index):
    thread_factory(
        title="<script>alert(1)</script>見守り", body="`<img src=x onerror=alert(1)>` 見守り"
    )
    sync_index()
    html = client.get("/search?q=見守り").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>見守り</mark>" in html


def test_search_page_rejects_bad_parameters(client):
    assert client.get("/search?sort=random").status_code == 400
    assert client.get("/search?from=2026-13-40").status_code == 400
    assert client.get("/search?cursor=%%%").status_code == 400


def test_search_page_before_the_first_index_says_so(client):
    html = client.get("/search?q=見守り").get_data(as_text=True)
    assert "検索の準備をしています" in html


def test_advanced_search_form_has_every_filter_labelled(client):
    html = client.get("/search/advanced?q=見守り&board=zentai").get_data(as_text=True)
    for name in ("q", "type", "block", "prefecture", "field", "domain", "board", "author",
                 "from", "to", "event_from", "event_to"):  # fmt: skip
        assert f'<label for="adv-{name}">' in html, name
        assert f'id="adv-{name}" name="{name}"' in html, name
    assert 'value="見守り"' in html
    assert '<option value="zentai" selected>' in html
    assert '<option value="28">兵庫県</option>' in html
    assert '<option value="kinki">近畿</option>' in html


def test_search_get_never_writes(client, thread_factory, sync_index, count_queries):
    thread_factory(title="見守り活動", body="本文")
    sync_index()
    with count_queries() as log:
        assert client.get("/search?q=見守り").status_code == 200
    writes = [s for s in log.statements if s.split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    assert log.count <= 8, str(log)


def test_a_hit_names_its_board_only_where_it_says_more_than_its_type(
    client, structured_factory, thread_factory, sync_index
):
    """A case lives in the board 「取組事例」: its hit shows the type once, not 「取組事例 取組事例」;
    an event in another board still names that board."""
    import re

    structured_factory("case", title="移動販売の取組事例")
    structured_factory("event", title="移動販売の説明会", board_slug="zentai")
    sync_index()
    html = client.get("/search?q=移動販売").get_data(as_text=True)
    metas = [re.sub(r"<[^>]+>|\s+", " ", m) for m in re.findall(
        r'<p class="meta">(.*?)</p>', html, re.S)]  # fmt: skip
    case = next(m for m in metas if "取組事例" in m)
    assert case.count("取組事例") == 1, case
    event = next(m for m in metas if "イベント" in m)
    assert "全体" in event or "掲示板" in event, event
