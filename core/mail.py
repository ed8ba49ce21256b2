"""Outgoing e-mail. With ``MAIL_SERVER`` set, mail goes through SMTP; otherwise each message is
written as an ``.eml`` file to the outbox folder (default ``instance/outbox``) and logged, so that
password reset works out of the box."""

from __future__ import annotations

import re
import smtplib
import unicodedata
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

from core.metrics import MAIL_FAILURES

_SPACES = re.compile(r"\s+")


def header_value(value: str) -> str:
    """One line of header text: CR, LF and every other control or separator character (a thread
    title typed with a line break, U+2028 …) becomes a space, so no value can break a header or
    add one."""
    cleaned = "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in str(value)
    )
    return _SPACES.sub(" ", cleaned).strip()


def build_message(
    to: str, subject: str, text: str, html: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:  # fmt: skip
    msg = EmailMessage()
    msg["From"] = header_value(current_app.config["MAIL_DEFAULT_SENDER"])
    msg["To"] = header_value(to)
    msg["Subject"] = header_value(subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="kyoso.local")
    for name, value in (headers or {}).items():  # e.g. List-Unsubscribe
        msg[header_value(name)] = header_value(value)
    msg.set_content(text, charset="utf-8")
    if html is not None:
        msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


def send_mail(
    to: str, subject: str, text: str, html: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:  # fmt: skip
    """Send one message now (callers send after their transaction commits); a failure is
    counted (``kyoso_mail_failures_total``) and raised to the caller."""
    msg = build_message(to, subject, text, html, headers)
    try:
        _deliver(msg)
    except Exception:
        MAIL_FAILURES.inc()
        raise
    return msg


def _deliver(msg: EmailMessage) -> None:
    config = current_app.config
    if config["MAIL_SERVER"]:
        smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(msg)
    else:
        outbox = Path(config["MAIL_OUTBOX_DIR"])
        outbox.mkdir(parents=True, exist_ok=True)
        name = msg["Message-ID"].strip("<>").replace("@", "_") + ".eml"
        (outbox / name).write_bytes(msg.as_bytes())
        current_app.logger.info(
            "mail to %s written to %s: %s", msg["To"], outbox / name, msg["Subject"]
        )


def read_outbox(outbox_dir: str) -> list[EmailMessage]:
    """The messages in an outbox folder, oldest first (used by tests and the CLI)."""
    paths = sorted(Path(outbox_dir).glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(p.read_bytes()) for p in paths]  # type: ignore[misc]
