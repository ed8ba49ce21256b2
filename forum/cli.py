"""``flask --app app render-posts`` and ``seed-demo``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from core.extensions import db
from forum.demo import DEMO_DOMAIN, USERS, seed_demo_content
from forum.models import Post
from forum.posting import rerender_post


def register(app: Flask) -> None:
    app.cli.add_command(render_posts)
    app.cli.add_command(seed_demo)


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


@click.command("seed-demo")
def seed_demo() -> None:
    """Load realistic Japanese demo content (skipped if it is already there)."""
    password = seed_demo_content()
    db.session.commit()
    if password is None:
        click.echo("demo content already present")
        return
    path = Path(current_app.instance_path) / "demo-accounts.txt"
    lines = [f"{handle}@{DEMO_DOMAIN}" for handle, *_ in USERS]
    path.write_text("password: " + password + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    click.echo(f"demo content loaded; demo accounts and their password are in {path}")
