"""``flask --app app create-user`` and ``create-token``."""

from __future__ import annotations

import click
from flask import Flask

from auth import accounts
from core.extensions import db


def register(app: Flask) -> None:
    app.cli.add_command(create_user)
    app.cli.add_command(create_token)


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--handle", required=True)
@click.option("--name", "display_name", required=True, help="表示名 (display name)")
@click.option(
    "--role",
    type=click.Choice(["member", "moderator", "admin"]),
    default="member",
    show_default=True,
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user(email: str, handle: str, display_name: str, role: str, password: str) -> None:
    """Create an account."""
    if len(password) < 10:
        raise click.BadParameter(
            "10文字以上にしてください (at least 10 characters)", param_hint="--password"
        )
    try:
        user = accounts.register_user(
            email=email,
            handle=handle,
            display_name=display_name,
            password=password,
            role=role,
            email_confirmed=True,  # made by an administrator on the server
        )
    except accounts.AccountError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"created user #{user.id} @{user.handle} ({role})")


@click.command("create-token")
@click.option("--email", required=True)
@click.option("--name", default="cli", show_default=True, help="a label for the token")
def create_token(email: str, name: str) -> None:
    """Create a personal API token and print it (shown only once)."""
    user = accounts.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    token = accounts.create_api_token(user, name=name)
    db.session.commit()
    click.echo(token)
