"""Rate-limit keys: per user when logged in (so people behind one municipal proxy do not share
a budget), per client address otherwise, and per target (e.g. the account a login names).

The client address is ``request.remote_addr``: behind a reverse proxy it is the proxy's own
address unless ``PROXY_FIX_X_FOR`` says how many proxies to believe (``core.setup.configure_proxy``
then takes the real one from ``X-Forwarded-For``; with 0 the header is ignored, so a client cannot
escape a limit by sending a made-up one)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Response, request
from flask_login import current_user

#: per person, for posting, flagging and API writes
PER_USER_POSTING = "20 per minute; 300 per day"
#: per address, a looser ceiling on top (one office may hold many people)
PER_ADDRESS_POSTING = "120 per minute"


def client_address() -> str:
    return request.remote_addr or "unknown"


def user_or_address() -> str:
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return client_address()


def per_form_value(field: str) -> Callable[[], str]:
    """A key from a submitted form field (normalised, hashed: no addresses in the limit store),
    e.g. the e-mail address a login or a password reset names."""

    def key() -> str:
        value = (request.form.get(field) or "").strip().lower()
        return f"{field}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"

    return key


def unless_redirect(response: Response) -> bool:
    """``deduct_when`` for forms that redirect on success: only failures use up the budget."""
    return not 300 <= response.status_code < 400
