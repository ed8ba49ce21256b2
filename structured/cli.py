"""``flask --app app listings counts [--rebuild]``: the listings' kept counts (structured/counts.py)."""

from __future__ import annotations

import click
from flask import Flask

from core.extensions import db
from structured import counts


def register(app: Flask) -> None:
    app.cli.add_command(listings_group)


@click.group("listings")
def listings_group() -> None:
    """Listings of cases, events, policies and local problems (issue #18)."""


@listings_group.command("counts")
@click.option("--rebuild", is_flag=True, help="Count every item again.")
def counts_command(rebuild: bool) -> None:
    """Compare the kept counts of the prefecture map with a fresh count (exit 1 when they
    differ), or count everything again."""
    if rebuild:
        rows = counts.rebuild()
        db.session.commit()
        click.echo(f"counted again: {rows} rows")
        return
    differing = counts.differences()
    db.session.remove()
    if differing:
        for kind, field, domain, month, code, board, kept, counted in differing[:20]:
            click.echo(f"differs: kind={kind} field={field} domain={domain} month={month}"
                       f" prefecture={code!r} board={board} kept={kept} counted={counted}")  # fmt: skip
        raise click.ClickException(f"{len(differing)} rows differ; run with --rebuild")
    click.echo("the kept counts agree with the items")
