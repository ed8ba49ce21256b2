"""@mentions in a post's Markdown: who is named, and who of them cannot read where it was posted
(they are not notified — ``notifications.fanout`` checks ``thread.view`` — and the author is told
so when the post is published)."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from auth.models import User
from auth.permissions import board_readable
from core.extensions import db

MENTION_RE = re.compile(r"(?<![A-Za-z0-9_@/.])@([A-Za-z0-9_]{3,30})(?![A-Za-z0-9_])")
FENCE_RE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN_RE = re.compile(r"`[^`\n]*`")
#: the most mentions one post checks for readers (notifications cap them separately)
MAX_CHECKED = 20


def unquoted(source: str) -> str:
    text = FENCE_RE.sub("", source)
    text = CODE_SPAN_RE.sub("", text)
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))


def mentioned_handles(source: str, cap: int) -> list[str]:
    """Distinct @handles outside quotes and code, in order, at most ``cap``."""
    seen: list[str] = []
    for match in MENTION_RE.finditer(unquoted(source)):
        handle = match.group(1).lower()
        if handle not in seen:
            seen.append(handle)
            if len(seen) >= cap:
                break
    return seen


def unreachable(board, source: str) -> list[str]:
    """The mentioned members who may not read ``board`` (nothing to check on public boards)."""
    if board.audience == "public":
        return []
    handles = mentioned_handles(source, MAX_CHECKED)
    if not handles:
        return []
    users = db.session.scalars(select(User).where(User.handle.in_(handles)))
    return sorted(u.handle for u in users if not board_readable(u, board))


def notice(board, source: str) -> list[str]:
    """What the author is told after publishing: mentions that notify nobody."""
    names = unreachable(board, source)
    if not names:
        return []
    return [_("%(names)s さんはこの掲示板を読めないため、メンションは通知されません。",
              names="、".join(f"@{n}" for n in names))]  # fmt: skip
