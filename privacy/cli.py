"""``flask --app app accounts erase --email E`` (an administrator handling a written request to
delete an account) and ``flask --app app privacy purge`` (retention)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from auth import accounts
from core.extensions import db
from privacy import erasure, retention

accounts_group = AppGroup("accounts", help="Accounts: erase on a written request.")
privacy_group = AppGroup("privacy", help="Personal data: retention.")


def register(app: Flask) -> None:
    app.cli.add_command(accounts_group)
    app.cli.add_command(privacy_group)


@accounts_group.command("erase")
@click.option("--email", required=True, help="the account's e-mail address")
@click.option("--erase-posts", is_flag=True, help="also erase the bodies of the member's posts")
@click.option("--reason", default="書面による請求", show_default=True,
              help="recorded in the audit log (e.g. the request's reference)")  # fmt: skip
@click.option("--admin", "admin_handle", default=None,
              help="handle of the administrator handling the request (named in the audit log)")
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
def erase(email: str, erase_posts: bool, reason: str, admin_handle: str | None, yes: bool) -> None:
    """Erase an account (退会): the same service as the settings page and DELETE /api/v1/me."""
    user = accounts.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"そのメールアドレスのアカウントはありません (no user with e-mail {email})")
    operator = None
    if admin_handle:
        operator = accounts.find_user_by_handle(admin_handle)
        if operator is None or operator.role.slug != "admin":
            raise click.ClickException(f"@{admin_handle} は管理者ではありません (not an administrator)")
    if not yes:
        click.confirm(f"@{user.handle} (#{user.id}) を退会させます。元に戻せません。続けますか?",
                      abort=True)  # fmt: skip
    try:
        outcome = erasure.erase_account(
            user, by=None, operator=operator, erase_posts=erase_posts, reason=reason
        )
    except erasure.ErasureRefused as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(
        f"erased user #{outcome.user_id}: {outcome.posts_erased} post bodies erased"
        + (", address blocked for the sanction period" if outcome.address_blocked else "")
    )


@privacy_group.command("purge")
def purge() -> None:
    """Delete what has been kept past its retention period (PRIVACY_RETAIN_* settings)."""
    done = retention.purge()
    db.session.commit()
    click.echo(", ".join(f"{name} {count}" for name, count in done.items()))
