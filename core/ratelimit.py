"""Rate-limit keys: per user when logged in (so people behind one municipal proxy do not share
a budget), per address otherwise."""

from __future__ import annotations

from flask_limiter.util import get_remote_address
from flask_login import current_user

#: per person, for posting, flagging and API writes
PER_USER_POSTING = "20 per minute; 300 per day"
#: per address, a looser ceiling on top (one office may hold many people)
PER_ADDRESS_POSTING = "120 per minute"


def user_or_address() -> str:
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()
