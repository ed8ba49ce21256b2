"""``flask --app app backup create|verify|restore``: arguments in, ``backup.service`` does the
work, progress bars on the terminal (stderr)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from backup import service

group = AppGroup("backup", help="Backups: create, verify and restore one archive of the site.")


def register(app: Flask) -> None:
    app.cli.add_command(group)


class ClickProgress(service.Progress):
    """Each step as a ``click.progressbar`` on stderr (a label alone when not a terminal)."""

    @contextmanager
    def step(self, label: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        if total is None:
            click.echo(f"{label} …", err=True)
            yield lambda _n: None
            return
        with click.progressbar(length=max(total, 1), label=label, file=sys.stderr,
                               show_pos=False, show_percent=True) as bar:  # fmt: skip
            yield bar.update

    def note(self, message: str) -> None:
        click.echo(message, err=True)


def _fail(exc: service.BackupError) -> click.ClickException:
    return click.ClickException(str(exc))


@group.command("create")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="folder of the archives (default: <instance>/backups)")  # fmt: skip
def create(output: Path | None) -> None:
    """Write one dated archive: database, attachment files, instance secret key, manifest."""
    output = output or Path(current_app.instance_path) / "backups"
    try:
        created = service.create(output, progress=ClickProgress())
    except service.BackupError as exc:
        raise _fail(exc) from exc
    for line in service.describe(created.manifest):
        click.echo(line)
    click.echo(f"バックアップを作成しました (backup written): {created.path}")
    click.echo("秘密鍵と個人データを含みます。保管場所のアクセス権に注意してください "
               "(it holds the secret key and personal data: keep it protected)")  # fmt: skip


@group.command("verify")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify(archive: Path) -> None:
    """Check an archive's files against its manifest (sizes, SHA-256); touches nothing."""
    try:
        manifest = service.verify(archive, progress=ClickProgress())
    except service.BackupError as exc:
        raise _fail(exc) from exc
    for line in service.describe(manifest):
        click.echo(line)
    click.echo(f"アーカイブはマニフェストと一致しています (the archive matches its manifest): {archive}")


@group.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="restore even if the database or attachment folder already holds data "
                   "(it is replaced)")  # fmt: skip
def restore(archive: Path, force: bool) -> None:
    """Restore an archive into an empty site (stop the web processes and workers first)."""
    try:
        restored = service.restore(archive, force=force, progress=ClickProgress())
    except service.BackupError as exc:
        raise _fail(exc) from exc
    for line in service.describe(restored.manifest):
        click.echo(line)
    if restored.upgraded_from:
        click.echo(f"schema upgraded from {restored.upgraded_from}")
    click.echo(f"attachment files: {restored.attachments}; search documents: "
               f"{restored.indexed_documents}")  # fmt: skip
    click.echo(f"復元し、件数をマニフェストと照合しました (restored and checked against the manifest): "
               f"{archive}")  # fmt: skip
