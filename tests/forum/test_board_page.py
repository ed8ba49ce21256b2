import re
from datetime import timedelta

from core.extensions import db
from core.types import utcnow
from forum import posting


def _titles(html: str) -> list[str]:
    return re.findall(r'class="thread-title"[^>]*>([^<]+)<', html)


def _next_link(html: str) -> str | None:
    match = re.search(r'rel="next" href="([^"]+)"', html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_board_index_lists_cross_and_field_boards(client):
    html = client.get("/").get_data(as_text=True)
    for name in (
        "全体交流",
        "困りごと相談",
        "地域課題",
        "医療・介護・福祉",
        "地域交通",
        "生活インフラ",
    ):
        assert name in html
    assert html.index("分野を超えた交流") < html.index("分野別の交流")


def test_board_page_orders_pinned_first_then_newest_activity(client, thread_factory, user):
    old = thread_factory(title="古いスレッド")
    pinned = thread_factory(title="お知らせ（固定）", is_pinned=True)
    new = thread_factory(title="新しいスレッド")
    posting.create_reply(thread=old, author=user, body="返信で上がる")
    db.session.commit()
    titles = _titles(client.get("/b/zentai").get_data(as_text=True))
    assert titles == ["お知らせ（固定）", "古いスレッド", "新しいスレッド"]
    assert pinned and new


def test_board_page_shows_reply_count_author_and_last_activity(client, thread_factory):
    thread = thread_factory(title="見守り協定について", replies=4)
    html = client.get("/b/zentai").get_data(as_text=True)
    assert "見守り協定について" in html
    assert 'data-label="返信">4</td>' in html
    assert thread.author.display_name in html


def test_board_page_keyset_pagination_visits_every_thread_once(client, app, thread_factory, user):
    app.config["THREADS_PER_PAGE"] = 4
    base = utcnow() - timedelta(days=1)
    threads = [thread_factory(title=f"スレッド{i:02d}", author=user) for i in range(11)]
    for i, t in enumerate(threads):  # identical timestamps for some: ties broken by id
        t.last_post_at = base + timedelta(minutes=i // 3)
    db.session.commit()
    seen, url = [], "/b/zentai"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += _titles(html)
        url = _next_link(html)
        if len(seen) == 4:  # a new thread appears between pages: must not shift page 2
            thread_factory(title="途中で追加", author=user)
    assert len(seen) == 11
    assert sorted(seen) == sorted(f"スレッド{i:02d}" for i in range(11))


def test_board_page_bad_cursor_is_400(client):
    assert client.get("/b/zentai?cursor=%%%").status_code == 400
    assert client.get("/b/zentai?cursor=bm90LWpzb24").status_code == 400


def test_board_page_unknown_board_is_404(client):
    assert client.get("/b/no-such-board").status_code == 404


def test_board_page_query_count_is_independent_of_page_size(
    client, app, thread_factory, user_factory, count_queries, login
):
    login(user_factory())
    counts = []
    for n in (1, 25):
        for _ in range(n - len(counts) * 1):
            thread_factory(author=user_factory())
        client.get("/b/zentai")
        with count_queries() as log:
            assert client.get("/b/zentai").status_code == 200
        counts.append(log.count)
    assert counts[0] == counts[1], counts
    # board, current user, threads, authors, last posters; the notification badge (one COUNT),
    # the reader's watch level of the board and the 新着 counts of the page's threads (one)
    assert counts[1] == 8, str(log)
