"""Publishing with gatekeepers: the forum asks registered checks (moderation's pre-moderation,
personal-information guard, spam heuristics) before a post goes live, without importing them.

A gatekeeper returns *concerns*. ``refuse`` stops the post (the author gets the message and keeps
the text); ``confirm`` shows the author what was found and asks before going on; ``hold`` (or a
confirmed ``confirm``) hands the draft to the registered holder, which keeps it for review and
publishes it intact on approval. With no gatekeeper or holder registered, posts go live at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from auth.models import User
from forum import posting
from forum.models import Board, Post, Thread

REFUSE, CONFIRM, HOLD = "refuse", "confirm", "hold"


@dataclass(frozen=True)
class Draft:
    """What an author wants to publish: a new thread (``thread`` is None), a reply, or an edit
    (``post`` is set)."""

    author: User
    board: Board
    body: str
    title: str | None = None
    thread: Thread | None = None
    post: Post | None = None
    #: a new thread's kind (discussion, case, event, policy, challenge)
    thread_kind: str = "discussion"
    #: a structured thread's typed fields (API representation); saved by an on-publish hook
    details: dict[str, Any] | None = None
    #: free text of the typed fields, screened by gatekeepers like the body
    extra_text: str = ""
    #: an edit's base: the post version the author saw (None: not checked)
    base_version: int | None = None

    @property
    def screened_text(self) -> str:
        return f"{self.body}\n\n{self.extra_text}" if self.extra_text else self.body

    @property
    def screened_fields(self) -> list[tuple[str, str]]:
        """Every piece of text the author typed, as (field name, text): the title, the body and
        each free-text field of the typed details. What gatekeepers screen and rewriters
        censor, on a new thread, a reply and an edit alike."""
        fields = [("title", self.title or ""), ("body", self.body)]
        if self.details and _details_text is not None:
            fields += [(name, text) for name, _label, text in self._typed_fields()]
        elif self.extra_text:
            fields.append(("details", self.extra_text))
        return [(name, text) for name, text in fields if text]

    @property
    def field_labels(self) -> dict[str, str]:
        """The label of each typed field (context for screening: 会場の住所 is a venue's)."""
        return {name: str(label) for name, label, _text in self._typed_fields()}

    def _typed_fields(self) -> list[tuple[str, Any, str]]:
        if not self.details or _details_text is None:
            return []
        return _details_text(self.thread_kind, self.details)

    @property
    def kind(self) -> str:
        if self.post is not None:
            return "edit"
        return "reply" if self.thread is not None else "thread"


@dataclass(frozen=True)
class Concern:
    code: str  # e.g. "personal_info", "first_posts", "premoderated_board", "watched_word"
    message: str  # for the author, already translated
    action: str  # REFUSE | CONFIRM | HOLD
    details: tuple[dict[str, Any], ...] = ()  # e.g. matched spans for highlighting


@dataclass
class Outcome:
    """What became of an action (the one result type of ``forum.actions``).

    ``status``: ``published`` | ``held`` | ``needs_confirmation`` | ``refused`` (publishing);
    ``done`` (an action without publishing: delete, lock…); ``invalid`` (``errors`` by field);
    ``forbidden``; ``conflict`` (an edit against a version that is no longer current: ``post``
    holds the current text, nothing was changed)."""

    status: str
    concerns: list[Concern] = field(default_factory=list)
    thread: Thread | None = None
    post: Post | None = None
    held: Any = None  # what the holder returned (a queue item)
    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str = ""
    #: things the author should know about what was saved (e.g. mentions that notify nobody)
    notices: list[str] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        """Whether something was written that the caller must commit."""
        return self.status in ("published", "held", "done")


Gatekeeper = Callable[[Draft], list[Concern]]
Holder = Callable[[Draft, list[Concern]], Any]
Rewriter = Callable[[Draft], Draft]
AfterPublish = Callable[[Draft, "Outcome"], None]

_rewriters: list[Rewriter] = []
_gatekeepers: list[Gatekeeper] = []
_holder: Holder | None = None
_after_publish: list[AfterPublish] = []
_on_publish: list[AfterPublish] = []
#: a held outcome → the page where its author sees what they sent, waiting (set by moderation)
_held_page: Callable[[Outcome], str | None] | None = None
#: (kind, details) → the free-text typed fields as (name, label, text); set by structured
_details_text: Callable[[str, dict[str, Any]], list[tuple[str, Any, str]]] | None = None


def add_rewriter(rewrite: Rewriter) -> None:
    """A rewriter may change the draft before it is checked (e.g. censor words)."""
    if rewrite not in _rewriters:
        _rewriters.append(rewrite)


def add_after_publish(hook: AfterPublish) -> None:
    """Runs in the same transaction right after a post is published (e.g. flag it)."""
    if hook not in _after_publish:
        _after_publish.append(hook)


def add_on_publish(hook: AfterPublish) -> None:
    """Runs in the same transaction whenever a draft is published, directly or after approval
    (e.g. save a structured thread's typed fields)."""
    if hook not in _on_publish:
        _on_publish.append(hook)


def add_gatekeeper(check: Gatekeeper) -> None:
    if check not in _gatekeepers:
        _gatekeepers.append(check)


def set_details_text(fields: Callable[[str, dict[str, Any]], list[tuple[str, Any, str]]]) -> None:
    """Say which typed fields of a draft are free text (screened and censored like the body)."""
    global _details_text
    _details_text = fields


def set_holder(holder: Holder | None) -> None:
    global _holder
    _holder = holder


def set_held_page(page: Callable[[Outcome], str | None] | None) -> None:
    """Say where the author of a held draft sees it waiting (the holder's receipt page)."""
    global _held_page
    _held_page = page


def held_page_url(outcome: Outcome) -> str | None:
    """The 「確認待ち」 page of a held outcome (what was sent, the expected review time, the
    status), or None without a registered page. The web redirects there, the API names it."""
    if outcome.status != "held" or _held_page is None:
        return None
    return _held_page(outcome)


def held_message() -> str:
    """What the author of a held draft is told (translated per request)."""
    return _(
        "投稿を受け付けました。モデレーターの確認後に公開されます。内容は保存されています。"
        "結果は「確認待ちの投稿と通報」でお知らせします。"
    )


def review(draft: Draft) -> list[Concern]:
    return [concern for check in _gatekeepers for concern in check(draft)]


def screen(draft: Draft) -> tuple[Draft, list[Concern]]:
    """The rewriters and gatekeepers alone, for text that is not a post but is screened like
    one (a co-creation offer): the rewritten draft and what the gatekeepers found."""
    for rewrite in _rewriters:
        draft = rewrite(draft)
    return draft, review(draft)


def submit(draft: Draft, *, confirmed: bool = False) -> Outcome:
    """Publish ``draft`` now, hold it for review, or say why not. The caller commits."""
    for rewrite in _rewriters:
        draft = rewrite(draft)
    concerns = review(draft)
    refusals = [c for c in concerns if c.action == REFUSE]
    if refusals:
        return Outcome("refused", refusals)
    to_confirm = [c for c in concerns if c.action == CONFIRM]
    if to_confirm and not confirmed:
        return Outcome("needs_confirmation", to_confirm)
    if concerns and _holder is not None:
        return Outcome("held", concerns, thread=draft.thread, held=_holder(draft, concerns))
    outcome = _publish(draft)
    for hook in _after_publish:
        hook(draft, outcome)
    return outcome


def _publish(draft: Draft) -> Outcome:
    outcome = _write(draft)
    for hook in _on_publish:
        hook(draft, outcome)
    return outcome


def _write(draft: Draft) -> Outcome:
    if draft.post is not None:
        posting.edit_post(post=draft.post, editor=draft.author, body=draft.body, title=draft.title,
                          base_version=draft.base_version)  # fmt: skip
        return Outcome("published", thread=draft.post.thread, post=draft.post)
    if draft.thread is not None:
        post = posting.create_reply(thread=draft.thread, author=draft.author, body=draft.body)
        return Outcome("published", thread=draft.thread, post=post)
    thread, first = posting.open_thread(
        board=draft.board, author=draft.author, title=draft.title or "", body=draft.body,
        kind=draft.thread_kind,
    )  # fmt: skip
    return Outcome("published", thread=thread, post=first)


def publish_held(draft: Draft) -> Outcome:
    """Publish a draft that a moderator approved (no gatekeeper runs again)."""
    return _publish(draft)
