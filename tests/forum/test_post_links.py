"""The thread page's per-post links and abilities, made once per page (``forum.thread_page
.post_links``), say exactly what ``url_for`` and ``can`` say for each post."""

import pytest
from flask import url_for
from flask_login import AnonymousUserMixin

from auth.permissions import can
from core.extensions import db
from forum import posting, thread_page
from forum.models import Post


@pytest.mark.parametrize("viewer_kind", ["anonymous", "author", "other", "moderator"])
def test_post_links_equal_url_for_and_can_per_post(app, thread_factory, user_factory, viewer_kind):
    author, other = user_factory(), user_factory(handle="other_member")
    thread = thread_factory(author=author, replies=3)
    posting.create_reply(thread=thread, author=other, body="別の人の返信")
    db.session.commit()
    posts = db.session.query(Post).filter_by(thread_id=thread.id).order_by(Post.number).all()
    posting.delete_post(post=posts[1], actor=author)
    from moderation.actions import hide_post

    moderator = user_factory(role="moderator")
    hide_post(posts[2], actor=moderator, reason="確認中")
    db.session.commit()
    viewer = {"anonymous": AnonymousUserMixin(), "author": author, "other": other,
              "moderator": moderator}[viewer_kind]  # fmt: skip
    with app.test_request_context():
        links = thread_page.build(thread, posts, viewer, only={"post_links"}).post_links
        for post in posts:
            got = links[post.id]
            assert got.link == url_for("forum.post_in_thread", thread_id=thread.id,
                                       number=post.number)  # fmt: skip
            assert got.revisions == url_for("forum.revisions", post_id=post.id)
            assert got.quote == url_for("forum.reply", thread_id=thread.id, quote=post.id)
            assert got.edit == url_for("forum.edit", post_id=post.id)
            assert got.delete == url_for("forum.delete", post_id=post.id)
            assert got.flag == url_for("moderation.flag", post_id=post.id)
            if not post.is_deleted:
                assert got.profile == url_for("auth.profile", handle=post.author.handle)
            assert got.may_edit == can(viewer, "post.edit", post)
            assert got.may_delete == can(viewer, "post.delete", post)
            assert got.may_flag == can(viewer, "post.flag", post)
            assert got.may_view_hidden == (post.is_hidden and can(viewer, "post.view_hidden", post))
    assert "post_links" in thread_page.POST_PARTS  # live-update fragments render the same macro
