"""``flask --app app notifications process | send | status``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from core.background import BackgroundLoop
from core.extensions import db
from notifications import worker
from notifications.models import EMAIL_DIGEST, EMAIL_PENDING, Notification, NotificationJob

group = AppGroup("notifications", help="Notifications: fan-out jobs, e-mails, digests.")


def register(app: Flask) -> None:
    app.cli.add_command(group)


def _report(progress: worker.Progress) -> None:
    click.echo(
        f"jobs {progress.jobs} (failed {progress.failed}), e-mails {progress.emails}, "
        f"digests {progress.digests}, reminders {progress.reminders}"
    )


@group.command("process")
@click.option("--loop", is_flag=True, help="Keep running (poll every NOTIFICATION_POLL_SECONDS).")
def process(loop: bool) -> None:
    """Turn pending jobs into notifications, send due e-mails and digests, queue reminders.
    With ``--loop``, a database error is logged and retried with backoff, never the end."""
    if not loop:
        _report(worker.run_once())
        db.session.remove()
        return

    def step() -> None:
        progress = worker.run_once()
        if progress:
            _report(progress)

    app = current_app._get_current_object()  # noqa: SLF001 - the loop pushes its own contexts
    BackgroundLoop("notifications process", step, app=app,
                   poll_seconds=app.config["NOTIFICATION_POLL_SECONDS"]).run()  # fmt: skip


@group.command("send")
@click.option("--loop", is_flag=True, help="Keep running (for a scheduler-less setup).")
def send(loop: bool) -> None:
    """Same as ``process``: what a scheduler (cron, systemd timer) runs every minute."""
    process.callback(loop)


@group.command("status")
def status() -> None:
    """Pending jobs and e-mails."""
    jobs = db.session.execute(
        select(NotificationJob.status, func.count()).group_by(NotificationJob.status)
    ).all()
    mails = db.session.execute(
        select(Notification.email_state, func.count())
        .where(Notification.email_state.in_((EMAIL_PENDING, EMAIL_DIGEST)))
        .group_by(Notification.email_state)
    ).all()
    click.echo("jobs: " + ", ".join(f"{s} {n}" for s, n in jobs))
    click.echo("e-mails: " + ", ".join(f"{s} {n}" for s, n in mails))
