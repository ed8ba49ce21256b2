"""``flask --app app stats refresh|status``: the statistics' summary rows (stats/summary.py)."""

from __future__ import annotations

import json

import click
from flask import Flask

from core.extensions import db
from stats import summary


def register(app: Flask) -> None:
    app.cli.add_command(stats_group)


@click.group("stats")
def stats_group() -> None:
    """Statistics (issue #18)."""


@stats_group.command("refresh")
@click.option("--full", is_flag=True, help="Throw the summary away and build it again.")
def refresh(full: bool) -> None:
    """Build the summary rows, or fold in the changes since the last refresh. A build commits
    month by month: interrupted, it resumes where it stopped when run again."""
    if full:
        summary.start_build()
    state = summary.status()
    months = 0
    with click.progressbar(length=summary.months_to_build(), label="stats refresh",
                           show_pos=True) as bar:  # fmt: skip

        def shown(progress: summary.Progress) -> None:
            nonlocal months
            if progress.building:
                bar.update(progress.months)
                months += progress.months

        summary.refresh_all(on_progress=shown)
    state = summary.status()
    click.echo(f"built {months} months; summary as of {state['refreshed_at']}, "
               f"{state['pending']} changes waiting")  # fmt: skip
    db.session.remove()


@stats_group.command("status")
def status() -> None:
    """Whether the summary is built, and how many changes wait (JSON)."""
    click.echo(json.dumps(summary.status(), ensure_ascii=False))
