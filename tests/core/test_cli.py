from sqlalchemy import select

from auth import accounts
from auth.models import User
from core.extensions import db
from forum.models import Post, Thread


def test_cli_create_user_and_token(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--email", "Mod@Example.jp", "--handle", "mod_1",
                                 "--name", "モデレーター", "--role", "moderator",
                                 "--password", "long-enough-pw"])  # fmt: skip
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.handle == "mod_1"))
    assert user.role.slug == "moderator" and user.email == "mod@example.jp"
    result = runner.invoke(args=["create-token", "--email", "mod@example.jp"])
    token = result.output.strip()
    assert token.startswith("kys_")
    assert accounts.user_for_api_token(token).id == user.id


def test_cli_create_user_refuses_duplicates_and_short_passwords(app, user):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--email", user.email, "--handle", "new_one",
                                 "--name", "重複", "--password", "long-enough-pw"])  # fmt: skip
    assert result.exit_code != 0 and "すでに登録" in result.output
    result = runner.invoke(args=["create-user", "--email", "a@b.jp", "--handle", "new_two",
                                 "--name", "短い", "--password", "short"])  # fmt: skip
    assert result.exit_code != 0


def test_cli_render_posts_rerenders_everything(app, thread_factory):
    thread = thread_factory(replies=3)
    db.session.execute(db.update(Post).values(body_html="stale", renderer_version=0))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["render-posts", "--batch-size", "2"])
    assert "re-rendered 4 posts" in result.output
    db.session.expire_all()
    posts = db.session.scalars(select(Post).where(Post.thread_id == thread.id)).all()
    assert all(p.body_html != "stale" and p.renderer_version >= 1 for p in posts)


def test_cli_render_posts_resumes_with_what_is_left(app, thread_factory):
    """An interrupted run is resumed by running it again: only posts an older renderer wrote are
    redone (``--all``: every post)."""
    thread = thread_factory(replies=3)
    posts = db.session.scalars(select(Post).where(Post.thread_id == thread.id)).all()
    stale = posts[2:]
    db.session.execute(
        db.update(Post)
        .where(Post.id.in_([p.id for p in stale]))
        .values(body_html="stale", renderer_version=0)
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["render-posts"])
    assert result.exit_code == 0, result.output
    assert "re-rendered 2 posts" in result.output  # (the bar is drawn on a terminal only)
    again = app.test_cli_runner().invoke(args=["render-posts"])
    assert "re-rendered 0 posts" in again.output
    every = app.test_cli_runner().invoke(args=["render-posts", "--all"])
    assert "re-rendered 4 posts" in every.output


def test_cli_seed_demo_loads_once(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert "demo content loaded" in result.output
    threads = db.session.scalar(select(db.func.count(Thread.id)))
    assert threads >= 6
    users = db.session.scalars(select(User)).all()
    assert len({u.prefecture_code for u in users}) >= 5
    titles = " ".join(db.session.scalars(select(Thread.title)))
    for topic in ("移動販売", "見守り", "乗合タクシー"):
        assert topic in titles
    assert "already present" in runner.invoke(args=["seed-demo"]).output
    assert db.session.scalar(select(db.func.count(Thread.id))) == threads
