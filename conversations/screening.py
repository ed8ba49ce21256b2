"""Screening hooks for messages, like ``forum.publishing``'s gatekeepers: moderation registers
the same watched-word and personal-information checks that posts go through (the one
screening path, ``moderation.screening``), without this package importing moderation.

A screen returns concerns (``forum.publishing.Concern``): ``refuse`` stops the message (the
author keeps the text); ``confirm`` shows the author what was found and asks first. A message
cannot be held for review before its participants see it (it is private and live); what posts
would hold, a message is sent with and reported to the review queue by an after-send hook
(``moderation.screening.report_message``), where moderators see it with its context only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auth.models import User
from forum.publishing import Concern

Rewriter = Callable[[User, str], str]
Screen = Callable[[User, str], list[Concern]]
AfterSend = Callable[[Any, list[Concern]], None]

_rewriters: list[Rewriter] = []
_screens: list[Screen] = []
_after_send: list[AfterSend] = []


def add_rewriter(rewrite: Rewriter) -> None:
    if rewrite not in _rewriters:
        _rewriters.append(rewrite)


def add_screen(screen: Screen) -> None:
    if screen not in _screens:
        _screens.append(screen)


def add_after_send(hook: AfterSend) -> None:
    """``hook(message, concerns)`` runs in the sending transaction after the message is written;
    ``concerns`` are those the author confirmed or that only report (e.g. flag words)."""
    if hook not in _after_send:
        _after_send.append(hook)


def rewrite(author: User, body: str) -> str:
    for rewriter in _rewriters:
        body = rewriter(author, body)
    return body


def review(author: User, body: str) -> list[Concern]:
    return [concern for screen in _screens for concern in screen(author, body)]


def after_send(message: Any, concerns: list[Concern]) -> None:
    for hook in _after_send:
        hook(message, concerns)
