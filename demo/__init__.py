"""``flask --app app seed-demo``: realistic Japanese demo content from every package (board
threads, cases, events, policies, local problems, the directory of organisations and related
links, the 兵庫県 and 長野県 platforms, messages to the secretariat), loaded once."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from auth.models import User
from cocreation.demo import seed_cocreation_demo
from core.extensions import db
from directory.demo import seed_directory_demo
from forum.demo import DEMO_DOMAIN, USERS, seed_demo_content
from pages.demo import seed_pages_demo
from spaces.demo import seed_spaces_demo
from structured.demo import seed_structured_demo


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo)


@click.command("seed-demo")
def seed_demo() -> None:
    """Load realistic Japanese demo content (skipped if it is already there)."""
    password = seed_demo_content()
    if password is None:
        click.echo("demo content already present")
        return
    users = {
        u.handle: u
        for u in db.session.scalars(select(User).where(User.email.like(f"%@{DEMO_DOMAIN}")))
    }
    seed_directory_demo(users)
    seed_structured_demo(users)
    seed_cocreation_demo(users)
    seed_spaces_demo(users)
    seed_pages_demo(users)
    db.session.commit()
    path = Path(current_app.instance_path) / "demo-accounts.txt"
    lines = [f"{handle}@{DEMO_DOMAIN}" for handle, *_ in USERS]
    path.write_text("password: " + password + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    click.echo(f"demo content loaded; demo accounts and their password are in {path}")
