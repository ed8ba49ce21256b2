from sqlalchemy import select

from core.extensions import db
from forum import posting
from forum.models import Post


def test_thread_page_shows_posts_in_order_with_numbers(client, thread_factory):
    thread = thread_factory(replies=3)
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert html.index('id="p1"') < html.index('id="p2"') < html.index('id="p4"')
    assert "<strong>巡回ルート</strong>" in html
    assert "返信その3" in html


def test_thread_page_unknown_thread_is_404_in_japanese(client):
    response = client.get("/t/999999")
    assert response.status_code == 404
    assert "お探しのページが見つかりません" in response.get_data(as_text=True)


def test_thread_page_paginates_by_post_number(client, app, thread_factory):
    app.config["POSTS_PER_PAGE"] = 5
    thread = thread_factory(replies=11)  # posts #1..#12
    page2 = client.get(f"/t/{thread.id}?page=2").get_data(as_text=True)
    assert 'id="p6"' in page2 and 'id="p10"' in page2
    assert 'id="p5"' not in page2 and 'id="p11"' not in page2
    page3 = client.get(f"/t/{thread.id}?page=3").get_data(as_text=True)
    assert 'id="p11"' in page3 and 'id="p12"' in page3


def test_thread_page_keeps_a_posts_page_stable_after_deletions(client, app, thread_factory):
    app.config["POSTS_PER_PAGE"] = 5
    thread = thread_factory(replies=11)
    post7 = db.session.query(Post).filter_by(thread_id=thread.id, number=7).one()
    before = client.get(f"/p/{post7.id}").headers["Location"]
    for number in (2, 3, 4):
        victim = db.session.query(Post).filter_by(thread_id=thread.id, number=number).one()
        posting.delete_post(post=victim, actor=thread.author)
    db.session.commit()
    after = client.get(f"/p/{post7.id}").headers["Location"]
    assert before == after
    assert after.endswith(f"/t/{thread.id}?page=2#p7")
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert html.count("この投稿は削除されました。") == 3


def test_thread_page_permalink_by_number_redirects(client, app, thread_factory):
    app.config["POSTS_PER_PAGE"] = 5
    thread = thread_factory(replies=7)
    response = client.get(f"/t/{thread.id}/8")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/t/{thread.id}?page=2#p8")
    assert client.get(f"/t/{thread.id}/99").status_code == 404


def test_thread_page_query_count_is_independent_of_page_size(
    client, app, thread_factory, count_queries, user_factory, login
):
    small = thread_factory(replies=2)
    big = thread_factory(replies=60)
    login(user_factory())
    counts = []
    for url in (f"/t/{small.id}", f"/t/{big.id}"):
        client.get(url)  # warm up
        with count_queries() as log:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(log.count)
    assert counts[0] == counts[1], counts
    # thread with its board, current user (with role and permissions), posts with their
    # authors; the notification badge (one COUNT) and the reader's watch level of the thread
    assert counts[1] == 5, str(log)


def test_thread_page_anonymous_query_count(client, thread_factory, count_queries):
    url = f"/t/{thread_factory(replies=30).id}"
    with count_queries() as log:
        assert client.get(url).status_code == 200
    assert log.count == 2, str(log)  # thread with its board, posts with their authors


def test_thread_page_does_not_write(client, thread_factory, count_queries):
    url = f"/t/{thread_factory(replies=3).id}"
    with count_queries() as log:
        client.get(url)
        client.get("/")
        client.get("/b/zentai")
    writes = [s for s in log.statements if not s.upper().startswith(("SELECT", "WITH"))]
    assert writes == []


def test_thread_page_hidden_posts_cost_one_statement_for_moderators(
    client, thread_factory, count_queries, moderator, login
):
    """Why each hidden post is hidden comes from the moderation contributor of the thread
    view-model, in one statement for the page (it was one per hidden post)."""
    from moderation.flags import flag_post

    thread = thread_factory(replies=6)
    posts = db.session.scalars(
        select(Post).where(Post.thread_id == thread.id, Post.number > 1).order_by(Post.number)
    ).all()
    login(moderator)
    counts, hidden = [], 0
    for batch in (posts[:1], posts[1:5]):
        for post in batch:
            flag_post(post, user=moderator, reason="spam")  # a moderator's flag hides at once
        db.session.commit()
        hidden += len(batch)
        client.get(f"/t/{thread.id}")  # warm up
        with count_queries() as log:
            html = client.get(f"/t/{thread.id}").get_data(as_text=True)
        counts.append(log.count)
        assert html.count("理由: ") == hidden
    assert counts[0] == counts[1], counts
