"""``flask --app app render-posts``."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from core.extensions import db
from forum.models import Post
from forum.posting import rerender_post


def register(app: Flask) -> None:
    app.cli.add_command(render_posts)


@click.command("render-posts")
@click.option("--batch-size", default=500, show_default=True)
def render_posts(batch_size: int) -> None:
    """Re-render every post's HTML from its Markdown source with the current renderer."""
    count, last_id = 0, 0
    while True:
        posts = db.session.scalars(
            select(Post).where(Post.id > last_id).order_by(Post.id).limit(batch_size)
        ).all()
        if not posts:
            break
        for post in posts:
            rerender_post(post)
        db.session.commit()
        last_id, count = posts[-1].id, count + len(posts)
    click.echo(f"re-rendered {count} posts")
