"""Rendered post articles kept per process (``forum.thread_page.article``): an article is used
again only when everything it shows is the same, so edits, renames, hiding and deleting show
at once, and each viewer still gets their own buttons."""

import re

import pytest

from core.extensions import db
from forum import posting, thread_page
from forum.models import Post
from moderation.actions import hide_post


def article(html: str, number: int) -> str:
    match = re.search(rf'<article[^>]* id="p{number}".*?</article>', html, re.S)
    assert match, f"no article #{number}"
    return match.group(0)


def without_csrf(html: str) -> str:
    """The page without its CSRF tokens, which carry the second they were made in."""
    return re.sub(r'(csrf[-_]token"[^>]*(?:content|value)=")[^"]+', r"\1…", html)


@pytest.fixture
def posts(thread_factory, user_factory):
    author = user_factory(handle="writer", display_name="書き手")
    thread = thread_factory(author=author, replies=2)
    return db.session.query(Post).filter_by(thread_id=thread.id).order_by(Post.number).all()


def test_a_second_view_reuses_the_articles_and_shows_the_same(client, posts):
    thread_page.clear_articles()
    url = f"/t/{posts[0].thread_id}"
    first = without_csrf(client.get(url).get_data(as_text=True))
    kept = len(thread_page._articles)
    assert kept == 3
    assert without_csrf(client.get(url).get_data(as_text=True)) == first
    assert len(thread_page._articles) == kept  # nothing new was rendered


def test_changes_show_at_once(client, posts):
    url = f"/t/{posts[0].thread_id}"
    client.get(url)  # keeps the articles
    reply = posts[1]
    posting.edit_post(post=reply, editor=reply.author, body="書き直した返信")
    reply.author.display_name = "改名した書き手"
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert "書き直した返信" in article(html, 2) and "返信その1" not in article(html, 2)
    assert "改名した書き手" in article(html, 1) and ">書き手</a>" not in html

    hide_post(posts[2], actor=posts[2].author, reason="確認中")
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert "返信その2" not in article(html, 3)
    assert "モデレーターの確認まで非表示" in article(html, 3)

    posting.delete_post(post=reply, actor=reply.author)
    db.session.commit()
    assert "この投稿は削除されました" in article(client.get(url).get_data(as_text=True), 2)


def test_each_viewer_gets_their_own_buttons(app, client, login, posts, user_factory):
    url = f"/t/{posts[0].thread_id}"
    anonymous = article(client.get(url).get_data(as_text=True), 2)  # kept first
    assert "引用して返信" not in anonymous and ">編集<" not in anonymous

    login(user_factory(handle="reader"))
    member = article(client.get(url).get_data(as_text=True), 2)
    assert "引用して返信" in member and "通報" in member and ">編集<" not in member
    client.post_form("/logout")

    login(posts[1].author)
    author = article(client.get(url).get_data(as_text=True), 2)
    assert ">編集<" in author and ">削除<" in author and "通報" not in author
    client.post_form("/logout")

    login(user_factory(role="moderator", handle="mod"))
    moderator = article(client.get(url).get_data(as_text=True), 2)
    assert ">削除<" in moderator
    assert len({anonymous, member, author, moderator}) == 4


def test_english_viewers_get_english_articles(client, posts):
    url = f"/t/{posts[0].thread_id}"
    japanese = article(client.get(url).get_data(as_text=True), 2)
    client.set_cookie("lang", "en")
    english = article(client.get(url).get_data(as_text=True), 2)
    assert "この投稿へのリンク" in japanese and "この投稿へのリンク" not in english


@pytest.mark.parametrize("app_config", [{"ARTICLE_CACHE_SIZE": 2}], indirect=True)
def test_the_number_kept_is_bounded(client, posts):
    thread_page.clear_articles()
    html = client.get(f"/t/{posts[0].thread_id}").get_data(as_text=True)
    assert len(thread_page._articles) == 2
    assert all(f'id="p{n}"' in html for n in (1, 2, 3))


@pytest.mark.parametrize("app_config", [{"ARTICLE_CACHE_SIZE": 0}], indirect=True)
def test_size_zero_keeps_none(client, posts):
    thread_page.clear_articles()
    assert 'id="p3"' in client.get(f"/t/{posts[0].thread_id}").get_data(as_text=True)
    assert not thread_page._articles
