"""Moderation tests turn the holds and spam checks on (other tests run with them off)."""

import pytest


@pytest.fixture
def app_config(request):
    config = {"MODERATION_HOLD_FIRST_POSTS": 0, "MODERATION_DUPLICATE_MINUTES": 10}
    config.update(getattr(request, "param", {}))
    return config


@pytest.fixture
def post_of(app):
    """``post_of(thread, number)`` → the Post."""
    from core.extensions import db
    from forum.models import Post

    def get(thread, number=1):
        return db.session.scalars(
            db.select(Post).where(Post.thread_id == thread.id, Post.number == number)
        ).one()

    return get
