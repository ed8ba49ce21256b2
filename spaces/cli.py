"""``flask --app app spaces create|add-member`` and ``flask --app app boards create``: the same
services as the pages, acting as the CLI (audited with no actor)."""

from __future__ import annotations

import click
from flask import Flask

from auth import accounts
from auth.spaces import get_space
from core.extensions import db
from forum import boards
from spaces import service
from spaces.service import SYSTEM as CLI


def register(app: Flask) -> None:
    app.cli.add_command(spaces_group)
    app.cli.add_command(boards_group)


@click.group("spaces")
def spaces_group() -> None:
    """都道府県版プラットフォーム (prefectural spaces)."""


@spaces_group.command("create")
@click.option("--slug", required=True)
@click.option("--prefecture", required=True, help="都道府県コード (01-47)")
@click.option("--name", required=True)
@click.option("--description", default="")
@click.option("--join", type=click.Choice(["open", "approval"]), default="open", show_default=True)
def create(slug: str, prefecture: str, name: str, description: str, join: str) -> None:
    """Create a prefectural space with its boards."""
    result = service.create_space(actor=CLI, slug=slug, name=name, prefecture_code=prefecture,
                                  description=description, join=join)  # fmt: skip
    if result.status != "done":
        raise click.UsageError("; ".join(f"--{k}: {' '.join(v)}" for k, v in result.errors.items()))
    db.session.commit()
    click.echo(f"created space {slug} ({name}) with its boards: /pf/{slug}")


@spaces_group.command("add-member")
@click.option("--space", "slug", required=True)
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["member", "moderator", "admin"]), default="member",
              show_default=True)  # fmt: skip
def add_member(slug: str, email: str, role: str) -> None:
    """Add a member to a space, or change their role there."""
    space = get_space(slug)
    if space is None or space.is_national:
        raise click.UsageError(f"--space: no prefectural space {slug!r}")
    user = accounts.find_user_by_email(email)
    if user is None:
        raise click.UsageError(f"--email: no account {email!r}")
    service.set_member_role(actor=CLI, space=space, user=user, role=role)
    db.session.commit()
    click.echo(f"{user.handle} is {role} of {slug}")


@click.group("boards")
def boards_group() -> None:
    """Boards (掲示板)."""


@boards_group.command("create")
@click.option("--space", "slug", default="national", show_default=True)
@click.option("--slug", "board_slug", required=True)
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice(["cross", "field"]), default="cross", show_default=True)
@click.option("--description", default="")
@click.option("--audience", default="public", show_default=True,
              help="public | members | roles:<slug>,<slug>")  # fmt: skip
def create_board(slug: str, board_slug: str, name: str, kind: str, description: str,
                 audience: str) -> None:  # fmt: skip
    """Create a board in a space."""
    space = get_space(slug)
    if space is None:
        raise click.UsageError(f"--space: no space {slug!r}")
    try:
        board = boards.create_board(actor=CLI, space=space, slug=board_slug, name=name, kind=kind,
                                    description=description,
                                    audience=boards.parse_audience(audience))  # fmt: skip
    except boards.BadBoard as exc:
        raise click.UsageError(f"--audience: {exc.message}" if exc.field.startswith("audience")
                               else f"--{exc.field}: {exc.message}") from None
    db.session.commit()
    click.echo(f"created board {board.slug} in {slug} ({audience})")
