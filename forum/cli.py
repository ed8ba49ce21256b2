"""``flask --app app render-posts``."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select

from core.extensions import db
from forum.models import Post
from forum.posting import rerender_post
from forum.rendering import RENDERER_VERSION


def register(app: Flask) -> None:
    app.cli.add_command(render_posts)


@click.command("render-posts")
@click.option("--batch-size", default=500, show_default=True)
@click.option("--all", "every", is_flag=True,
              help="Every post, not only those rendered by an older renderer.")  # fmt: skip
def render_posts(batch_size: int, every: bool) -> None:
    """Re-render posts' HTML from their Markdown source with the current renderer.

    By default only posts an older renderer wrote (``renderer_version``), so an interrupted run
    resumes where it stopped when run again: each batch is committed. A progress bar shows the
    posts left."""
    outdated = [] if every else [Post.renderer_version < RENDERER_VERSION]
    total = db.session.scalar(select(func.count()).select_from(Post).where(*outdated)) or 0
    count, last_id = 0, 0
    with click.progressbar(length=total, label="render-posts", show_pos=True) as bar:
        while True:
            posts = db.session.scalars(
                select(Post).where(Post.id > last_id, *outdated).order_by(Post.id).limit(batch_size)
            ).all()
            if not posts:
                break
            for post in posts:
                rerender_post(post)
            db.session.commit()
            last_id, count = posts[-1].id, count + len(posts)
            bar.update(len(posts))
    click.echo(f"re-rendered {count} posts")
