"""How much a flag counts: the one place where a flagger's trust is weighed.

A post is hidden automatically when the weights of its open flags add up to ``FLAG_HIDE_WEIGHT``
(default 3.0). An established member with a confirmed address weighs 1.0, so three of them still
hide a spam post at once; fresh or throw-away accounts weigh much less, so a handful of new
registrations can no longer take a post (or an announcement) off the site.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import case, func, select

from auth.models import User
from auth.permissions import moderates
from core.extensions import db
from core.types import utcnow
from forum.models import Post
from moderation.models import Flag

_MISSING = object()


def flag_weight(user: User, board) -> float:
    """The weight of a flag by ``user`` on a post of ``board``.

    A moderator of the board (global moderators and admins included) weighs ``FLAG_HIDE_WEIGHT``:
    their flag hides at once, as before. Anyone else starts at 1.0, multiplied by:

    - **account age**: younger than ``MODERATION_NEW_ACCOUNT_DAYS`` (3, the site's one notion of
      a new account) → ``FLAG_WEIGHT_NEW_ACCOUNT`` (0.25); younger than
      ``FLAG_ESTABLISHED_ACCOUNT_DAYS`` (14) → ``FLAG_WEIGHT_YOUNG_ACCOUNT`` (0.5).
      Three fresh accounts weigh 0.75 together; registering twelve takes effort and shows.
    - **confirmed e-mail**: an address never confirmed → ``FLAG_WEIGHT_UNCONFIRMED_EMAIL`` (0.25).
    - **past accuracy**: once ``FLAG_ACCURACY_MIN_DECIDED`` (3) of the person's flags were decided
      (agreed or disagreed; "ignored" does not count), twice the share moderators agreed with,
      kept between ``FLAG_WEIGHT_MIN_ACCURACY`` (0.1) and ``FLAG_WEIGHT_MAX_ACCURACY`` (1.5):
      half right is neutral, always wrong nearly nothing. Fewer decided flags: neutral (1.0).
    - **verified role** (a role with a badge, granted after the mailbox was proven and, outside
      trusted domains, a moderator's review) → ``FLAG_WEIGHT_VERIFIED_ROLE`` (2.0).

    The product is capped at ``FLAG_WEIGHT_MAX`` (2.0): while it stays below ``FLAG_HIDE_WEIGHT``,
    no one but a moderator hides a post alone.
    """
    config = current_app.config
    hide_weight = float(config["FLAG_HIDE_WEIGHT"])
    if moderates(user, board):
        return hide_weight
    weight = 1.0
    age = utcnow() - user.created_at
    if age < timedelta(days=config["MODERATION_NEW_ACCOUNT_DAYS"]):
        weight *= config["FLAG_WEIGHT_NEW_ACCOUNT"]
    elif age < timedelta(days=config["FLAG_ESTABLISHED_ACCOUNT_DAYS"]):
        weight *= config["FLAG_WEIGHT_YOUNG_ACCOUNT"]
    # ``users.email_confirmed_at`` arrives with the e-mail confirmation work (migration 0012,
    # merged separately). Until the column exists every account counts as confirmed — the same
    # as the accounts that migration marks confirmed when it adds the column.
    confirmed_at: Any = getattr(user, "email_confirmed_at", _MISSING)
    if confirmed_at is None:
        weight *= config["FLAG_WEIGHT_UNCONFIRMED_EMAIL"]
    weight *= _accuracy_factor(user)
    if user.role.badge:
        weight *= config["FLAG_WEIGHT_VERIFIED_ROLE"]
    return min(weight, float(config["FLAG_WEIGHT_MAX"]))


def _accuracy_factor(user: User) -> float:
    config = current_app.config
    agreed, decided = db.session.execute(
        select(
            func.count(case((Flag.outcome == "agreed", 1))),
            func.count(case((Flag.outcome.in_(("agreed", "disagreed")), 1))),
        ).where(Flag.user_id == user.id)
    ).one()
    if decided < config["FLAG_ACCURACY_MIN_DECIDED"]:
        return 1.0
    factor = 2.0 * agreed / decided
    low, high = config["FLAG_WEIGHT_MIN_ACCURACY"], config["FLAG_WEIGHT_MAX_ACCURACY"]
    return max(low, min(high, factor))


def never_auto_hidden(post: Post) -> bool:
    """Posts that flags alone never hide (they go to the top of the queue instead): posts by staff
    (anyone who moderates the post's board: board moderators, moderators, admins) and official
    announcements — the first post of a structured thread (case, event, policy…) by a verified
    role."""
    author = post.author
    if moderates(author, post.thread.board):
        return True
    return bool(author.role.badge) and post.number == 1 and post.thread.kind != "discussion"
