"""The budget of new conversations (Flask-Limiter): one per person for the web form and the API
alike, counted only when a conversation was actually started."""

from __future__ import annotations

from flask import current_app

#: the web form and the API share one budget of new conversations per person
START_SCOPE = "conversations-start"


def conversations_limit() -> str:
    return current_app.config["CONVERSATIONS_LIMIT"]


def started(response) -> bool:
    """``deduct_when``: only a conversation actually started uses up the day's budget."""
    return response.status_code in (201, 302, 303)
