"""Watched words: the one path to add, change and delete them (web form and API alike), and
how they match.

Patterns run on RE2 (``google-re2``), a linear-time engine: a moderator's regular expression
can no longer take seconds per post (``([a-z0-9]+\\s?)+$`` took 3 s on a 24-letter reply with
Python's backtracking ``re``). RE2 has no backreferences or lookaround, and its ``\\d \\w \\s``
are ASCII (matching runs on NFKC text, so full-width digits and letters are ASCII already;
for kanji use ``\\p{Han}``). A pattern RE2 cannot compile is refused when saved; one stored
before this check is skipped when posts are screened and marked on the moderation page.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import re2
from blinker import Namespace
from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select

from audit import log as audit
from auth.models import User
from core import events
from core.extensions import db
from moderation import pii
from moderation.models import WATCH_ACTIONS, WatchedWord

MAX_WORD_LENGTH = 100

_OPTIONS = re2.Options()
_OPTIONS.case_sensitive = False
_OPTIONS.log_errors = False  # a bad pattern is reported to the moderator, not to stderr
_OPTIONS.max_mem = 8 << 20  # a 100-character pattern needs far less


class WatchedWordError(Exception):
    """A change that cannot be saved: ``field`` names the input, ``message`` is for people."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class Rule:
    """A watched word as the screening uses it (a plain value, safe to share across requests)."""

    id: int
    word: str
    action: str
    is_regex: bool


_CACHE_KEY = "kyoso.watched_words"


def active_rules(action: str) -> list[Rule]:
    """The watched words of ``action``. All of them are read in one statement and kept for this
    process for ``WATCHED_WORDS_CACHE_SECONDS`` (a post used to read them four times); a change
    committed in this process is seen at once (see :func:`install`), one made by another process
    within that many seconds."""
    cached = current_app.extensions.get(_CACHE_KEY)
    ttl = current_app.config["WATCHED_WORDS_CACHE_SECONDS"]
    if cached is None or time.monotonic() - cached[0] > ttl:
        rows = db.session.execute(
            select(WatchedWord.id, WatchedWord.word, WatchedWord.action, WatchedWord.is_regex)
            .order_by(WatchedWord.id)
        ).all()  # fmt: skip
        cached = (time.monotonic(), tuple(Rule(*row) for row in rows))
        current_app.extensions[_CACHE_KEY] = cached
    return [rule for rule in cached[1] if rule.action == action]


def _forget(_sender=None, **_payload) -> None:
    if has_app_context():
        current_app.extensions.pop(_CACHE_KEY, None)


def _record(session, batch: events.Batch) -> None:
    if batch.changes.get("watched_word"):
        events.queue(session, changed)  # delivered after the commit: then the cache is dropped


changed = Namespace().signal("watched-words-changed")


def install() -> None:
    """Any committed change of a watched word, by the service or otherwise, drops this process's
    cache (once per process)."""
    events.watch(WatchedWord, "watched_word", ("word", "action", "is_regex"))
    events.add_recorder(_record)
    changed.connect(_forget, weak=False)


@lru_cache(maxsize=512)
def compiled(word: str, is_regex: bool):
    """The RE2 pattern of a watched word, or None if RE2 refuses it. Matched case-insensitively
    on normalised text (``pii.normalise``); a plain word is normalised the same way."""
    try:
        if is_regex:
            return re2.compile(unicodedata.normalize("NFKC", word), _OPTIONS)
        return re2.compile(re2.escape(pii.normalise(word)), _OPTIONS)
    except re2.error:
        return None


def is_valid(word: WatchedWord) -> bool:
    return compiled(word.word, word.is_regex) is not None


def _validated(word: str, action: str, is_regex: bool, *, current: WatchedWord | None) -> str:
    word = (word or "").strip()
    if not word:
        raise WatchedWordError("word", _("語句を入力してください。"))
    if len(word) > MAX_WORD_LENGTH:
        raise WatchedWordError("word", _("100文字以内で入力してください。"))
    if action not in WATCH_ACTIONS:
        raise WatchedWordError("action", _("対応の値が正しくありません。"))
    if compiled(word, is_regex) is None:
        raise WatchedWordError(
            "word",
            _("正規表現が正しくありません。後方参照（\\1）や先読み・後読みは使えません。"),
        )
    same = db.session.scalar(select(WatchedWord.id).where(WatchedWord.word == word))
    if same is not None and (current is None or same != current.id):
        raise WatchedWordError("word", _("この語句はすでに登録されています。"))
    return word


def _state(word: WatchedWord) -> dict:
    return {"word": word.word, "action": word.action, "is_regex": word.is_regex}


def add_watched_word(*, actor: User, word: str, action: str, is_regex: bool) -> WatchedWord:
    """Validate and add a watched word, with an audit entry. The caller commits."""
    word = _validated(word, action, is_regex, current=None)
    entry = WatchedWord(word=word, action=action, is_regex=bool(is_regex))
    db.session.add(entry)
    db.session.flush()
    audit.record_action(actor, "watched_word.add", "watched_word", entry.id, reason=word,
                        after=_state(entry))  # fmt: skip
    return entry


def update_watched_word(
    entry: WatchedWord, *, actor: User, word: str, action: str, is_regex: bool
) -> WatchedWord:
    """Change a watched word (its text, action or regex flag), with an audit entry."""
    word = _validated(word, action, is_regex, current=entry)
    before = _state(entry)
    entry.word, entry.action, entry.is_regex = word, action, bool(is_regex)
    if _state(entry) != before:
        audit.record_action(actor, "watched_word.update", "watched_word", entry.id, reason=word,
                            before=before, after=_state(entry))  # fmt: skip
    return entry


def delete_watched_word(entry: WatchedWord, *, actor: User) -> None:
    """Delete a watched word, with an audit entry (keeping what it was)."""
    audit.record_action(actor, "watched_word.delete", "watched_word", entry.id,
                        reason=entry.word, before=_state(entry))  # fmt: skip
    db.session.delete(entry)


def list_watched_words() -> list[WatchedWord]:
    return list(db.session.scalars(select(WatchedWord).order_by(WatchedWord.word)))


def watched_word_json(entry: WatchedWord) -> dict:
    return {**_state(entry), "id": entry.id, "valid": is_valid(entry)}
