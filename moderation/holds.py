"""Gatekeepers registered with ``forum.publishing``: what is held before publication, what is
refused, and the holder that keeps a draft for review.

- Held (saved, published intact on approval): the first MODERATION_HOLD_FIRST_POSTS posts of a
  new member (not of a verified role); posts in pre-moderated boards; posts with a watched word set to
  "require_approval"; posts in which the personal-information guard finds something and whose
  author publishes anyway (the author is shown the matches first).
- Refused (the author keeps the text): watched words set to "block"; more links than a new
  account may post; the same text posted twice within MODERATION_DUPLICATE_MINUTES.
Moderators of the board are exempt from holds; staff also from the PII guard when
PII_GUARD_EXEMPT_STAFF is on.

Every check reads ``Draft.screened_fields`` -- the title, the body and each free-text typed
field -- on new threads, replies and edits alike, after the one normalisation of
``pii.normalise_with_offsets`` (NFKC, format characters such as U+200B and U+00AD removed).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from auth.permissions import moderates
from core.extensions import db
from core.types import utcnow
from forum.models import Post
from forum.publishing import CONFIRM, HOLD, REFUSE, Concern, Draft
from forum.rendering import render_markdown
from moderation import pii, queue, watched
from moderation.models import HeldPost, WatchedWord

LINK_RE = re.compile(r"https?://|www\.", re.IGNORECASE)


def _is_moderator(draft: Draft) -> bool:
    return moderates(draft.author, draft.board)


def check_first_posts(draft: Draft) -> list[Concern]:
    """A new member's first posts wait for review; so do their edits while they are still new
    (an approved first post could otherwise be edited into anything). Verified roles (a role
    with a badge: the mailbox was proven and, outside trusted domains, a moderator reviewed the
    request) are not new members: their first event is not reviewed a second time. Every other
    check (watched words, the personal-information guard, pre-moderated boards) still applies."""
    limit = current_app.config["MODERATION_HOLD_FIRST_POSTS"]
    if limit <= 0 or _is_moderator(draft) or draft.author.role.badge:
        return []
    earlier = db.session.scalars(  # at most ``limit`` rows, however prolific the author
        select(Post.id).where(Post.author_id == draft.author.id).limit(limit)
    ).all()
    if len(earlier) >= limit:
        return []
    return [
        Concern("first_posts", _("はじめての投稿は、モデレーターが確認してから公開します。"), HOLD)
    ]


def check_premoderated_board(draft: Draft) -> list[Concern]:
    """Everything on a pre-moderated board waits for review, edits included."""
    if not draft.board.is_premoderated or _is_moderator(draft):
        return []
    message = _("この掲示板の投稿は、モデレーターが確認してから公開します。")
    return [Concern("premoderated_board", message, HOLD)]


#: each text is normalised once, however many watched words are matched on it (50 words on a
#: 20,000-character post took 1.3 s when every word normalised the text again)
_normalised = lru_cache(maxsize=32)(pii.normalise_with_offsets)


def word_spans(word: watched.Rule | WatchedWord, text: str) -> list[tuple[int, int]]:
    """Where ``word`` occurs in ``text`` (offsets into ``text``), matched case-insensitively on
    NFKC-normalised text so that full-width/half-width and case variants are caught. Runs on
    RE2 (linear time); a stored pattern RE2 cannot compile matches nothing."""
    if not text:
        return []
    pattern = watched.compiled(word.word, word.is_regex)
    if pattern is None:
        return []
    norm, starts, ends = _normalised(text)
    return [
        (starts[m.start()], ends[m.end() - 1])
        for m in pattern.finditer(norm)
        if m.end() > m.start()
    ]


def _watched(action: str) -> list[watched.Rule]:
    return watched.active_rules(action)


def watched_word_concerns(fields: list[tuple[str, str]], *, exempt: bool) -> list[Concern]:
    """The watched-word screening of any text a member sends (posts, private messages): words
    set to "block" refuse; a word set to "require_approval" asks for review (``exempt``:
    moderators, who are not held)."""
    concerns = []
    for word in _watched("block"):
        if any(word_spans(word, text) for _name, text in fields):
            message = _(
                "この内容は投稿できません（禁止語「%(word)s」が含まれています）。", word=word.word
            )
            concerns.append(Concern("watched_word", message, REFUSE))
    if not exempt:
        for word in _watched("require_approval"):
            if any(word_spans(word, text) for _name, text in fields):
                message = _(
                    "確認が必要な語句が含まれているため、モデレーターの確認後に公開します。"
                )
                concerns.append(Concern("watched_word", message, HOLD))
                break
    return concerns


def has_flag_words(fields: list[tuple[str, str]]) -> bool:
    """Whether a word set to "flag" occurs (the text goes to the review queue, still shown)."""
    return any(word_spans(w, text) for w in _watched("flag") for _name, text in fields)


def check_watched_words(draft: Draft) -> list[Concern]:
    return watched_word_concerns(draft.screened_fields, exempt=_is_moderator(draft))


def censor_text(text: str, words: list[watched.Rule] | None = None) -> str:
    """``text`` with every word set to "censor" replaced by ■ (one per character)."""
    words = _watched("censor") if words is None else words
    chars = list(text)
    for word in words:
        for start, end in word_spans(word, text):
            chars[start:end] = "■" * (end - start)
    return "".join(chars)


def censor_watched_words(draft: Draft) -> Draft:
    """Rewriter: replace words set to "censor" with ■ in every text field (title, body, each
    free-text typed field)."""
    words = _watched("censor")
    if not words:
        return draft

    changed = {
        name: new
        for name, text in draft.screened_fields
        if (new := censor_text(text, words)) != text
    }
    if not changed:
        return draft
    details = draft.details
    typed = {k: v for k, v in changed.items() if k not in ("title", "body", "details")}
    if typed and details is not None:
        details = {**details, **typed}
    return replace(
        draft, title=changed.get("title", draft.title), body=changed.get("body", draft.body),
        details=details,
    )  # fmt: skip


def flag_watched_words(draft: Draft, outcome) -> None:
    """After publication: words set to "flag" put the post in the review queue (still visible)."""
    if outcome.status != "published":
        return
    if not has_flag_words(draft.screened_fields):
        return
    post = outcome.post or db.session.scalar(
        select(Post).where(Post.thread_id == outcome.thread.id, Post.number == 1)
    )
    item = queue.open_flag_item(post)
    item.score += 1
    item.reasons = sorted({*item.reasons, "watched_word"})


def check_personal_info(draft: Draft) -> list[Concern]:
    return personal_info_concerns(
        draft.author, draft.screened_fields, labels=draft.field_labels,
        staff=_is_moderator(draft),
    )  # fmt: skip


def personal_info_concerns(
    author, fields: list[tuple[str, str]], *, labels: dict[str, str] | None = None,
    staff: bool = False,
) -> list[Concern]:  # fmt: skip
    """The personal-information guard on any text a member sends (posts, private messages):
    one ``confirm`` concern listing what was found. ``staff``: the author moderates here."""
    config = current_app.config
    if not config["PII_GUARD"]:
        return []
    if config["PII_GUARD_EXEMPT_STAFF"] and staff:
        return []
    exempt_roles = {r.strip() for r in config["PII_GUARD_EXEMPT_ROLES"].split(",") if r.strip()}
    if author.role.slug in exempt_roles:  # e.g. verified municipal staff
        return []
    labels = labels or {}
    matches = [
        (name, m)
        for name, text in fields
        for m in pii.find_personal_info(text, context=labels.get(name, ""))
    ]
    if not matches:
        return []
    labels = "、".join(sorted({_(pii.KIND_LABELS[m.kind]) for _name, m in matches}))
    message = _(
        "個人が特定できる情報（%(kinds)s）が含まれている可能性があります。"
        "住民の方の情報であれば削除してください。このまま送信すると、モデレーターの確認後に公開されます。",
        kinds=labels,
    )
    details = tuple(
        {"field": name, "kind": m.kind, "label": _(pii.KIND_LABELS[m.kind]), "start": m.start,
         "end": m.end, "text": m.text}
        for name, m in matches
    )  # fmt: skip
    return [Concern("personal_info", message, CONFIRM, details)]


def check_new_account_links(draft: Draft) -> list[Concern]:
    config = current_app.config
    young = utcnow() - draft.author.created_at < timedelta(
        days=config["MODERATION_NEW_ACCOUNT_DAYS"]
    )
    limit = config["MODERATION_NEW_ACCOUNT_MAX_LINKS"]
    if not young or _is_moderator(draft) or len(LINK_RE.findall(draft.body)) <= limit:
        return []
    message = _(
        "登録して間もないアカウントは、1つの投稿に%(n)s件までしかリンクを書けません。", n=limit
    )
    return [Concern("too_many_links", message, REFUSE)]


def check_duplicate(draft: Draft) -> list[Concern]:
    """The same text (after normalisation: invisible characters do not make it new) posted again
    within MODERATION_DUPLICATE_MINUTES."""
    if draft.kind == "edit":
        return []
    since = utcnow() - timedelta(minutes=current_app.config["MODERATION_DUPLICATE_MINUTES"])
    recent = db.session.scalars(
        select(Post.body_source).where(
            Post.author_id == draft.author.id, Post.created_at >= since,
            Post.deleted_at.is_(None),
        ).order_by(Post.created_at.desc()).limit(50)
    )  # fmt: skip
    body = pii.normalise(draft.body)
    if not any(pii.normalise(source) == body for source in recent):
        return []
    return [
        Concern(
            "duplicate", _("同じ内容をすでに投稿しています。少し時間をおいてください。"), REFUSE
        )
    ]


def check_hidden_post_edit(draft: Draft) -> list[Concern]:
    """An author who edits a hidden post asks for a new review: the edit waits in the queue and
    approval publishes it and shows the post again."""
    if draft.kind != "edit" or not draft.post.is_hidden or _is_moderator(draft):
        return []
    message = _(
        "この投稿は非表示になっています。修正した内容はモデレーターが確認してから公開します。"
    )
    return [Concern("re_review", message, HOLD)]


GATEKEEPERS = (
    check_duplicate,
    check_new_account_links,
    check_watched_words,
    check_premoderated_board,
    check_first_posts,
    check_hidden_post_edit,
    check_personal_info,
)


def hold_draft(draft: Draft, concerns: list[Concern]):
    """Keep the draft for review (nothing is lost) and open a queue item."""
    held = HeldPost(
        kind=draft.kind, board_id=draft.board.id,
        thread_id=draft.thread.id if draft.thread is not None else None,
        post_id=draft.post.id if draft.post is not None else None,
        author_id=draft.author.id, title=draft.title, body_source=draft.body,
        body_html=render_markdown(draft.body), thread_kind=draft.thread_kind,
        details=draft.details,
        base_version=draft.post.version if draft.post is not None else None,
    )  # fmt: skip
    db.session.add(held)
    db.session.flush()
    reasons = [{"code": c.code, "message": c.message, "matches": list(c.details)} for c in concerns]
    return queue.open_held_item(held, reasons)
