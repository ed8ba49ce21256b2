"""One path per forum action. The web forms, the JSON API, Socket.IO handlers and CLI commands
call these functions, and only these, to change the board.

Each action checks the permission (``can``), applies the validation rules that are not a form's
business (one title rule), builds the draft, publishes it through the gatekeepers, writes the
audit entry when a member acts on someone else's content, and queues the events. It returns one
:class:`~forum.publishing.Outcome`; views only translate it into HTML or JSON. The caller
commits when ``outcome.saved``.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from audit.log import record_action
from auth.models import User
from auth.permissions import can
from core.types import utcnow
from forum import mentions, moving, posting, publishing, tags
from forum.models import Board, Post, Thread
from forum.publishing import Draft, Outcome

TITLE_MIN, TITLE_MAX = 2, 120
THREAD_STATES = {
    "pin": {"is_pinned": True},
    "unpin": {"is_pinned": False},
    "lock": {"is_locked": True},
    "unlock": {"is_locked": False},
}


def title_errors(title: str | None) -> dict[str, list[str]]:
    """The one title rule (forms, API and structured threads alike)."""
    if TITLE_MIN <= len((title or "").strip()) <= TITLE_MAX:
        return {}
    return {"title": [_("タイトルは2文字以上120文字以内にしてください。")]}


def forbidden(message: str | None = None) -> Outcome:
    return Outcome("forbidden", message=message or _("この操作を行う権限がありません。"))


def start_thread(
    *, actor: User, board: Board, title: str, body: str, kind: str = "discussion",
    details: dict[str, Any] | None = None, extra_text: str = "", confirmed: bool = False,
) -> Outcome:  # fmt: skip
    """Start a thread (a plain discussion or a structured kind with its typed fields)."""
    if not can(actor, f"thread.create.{kind}", board):
        return forbidden(_("この掲示板にこの種類のスレッドを作成する権限がありません。"))
    if errors := title_errors(title):
        return Outcome("invalid", errors=errors)
    if kind == "discussion":  # a discussion's typed fields are its tags
        details, errors = tags.clean(details)
        if errors:
            return Outcome("invalid", errors=errors)
    draft = Draft(author=actor, board=board, title=title, body=body, thread_kind=kind,
                  details=details, extra_text=extra_text)  # fmt: skip
    return _with_notices(publishing.submit(draft, confirmed=confirmed), board, body)


def reply(*, actor: User, thread: Thread, body: str, confirmed: bool = False) -> Outcome:
    if not can(actor, "thread.view", thread) or not can(actor, "thread.reply", thread):
        return forbidden(_("このスレッドには返信できません。"))
    draft = Draft(author=actor, board=thread.board, thread=thread, body=body)
    return _with_notices(publishing.submit(draft, confirmed=confirmed), thread.board, body)


def _with_notices(outcome: Outcome, board: Board, body: str) -> Outcome:
    """Tell the author which of their @mentions cannot read this board (nobody is notified)."""
    if outcome.status in ("published", "held"):
        outcome.notices += mentions.notice(board, body)
    return outcome


def edit_post(
    *, actor: User, post: Post, body: str, title: str | None = None,
    details: dict[str, Any] | None = None, extra_text: str = "",
    details_before: dict[str, Any] | None = None,
    base_version: int | None = None, confirmed: bool = False,
) -> Outcome:  # fmt: skip
    """Edit a post (and a first post's title, and a structured thread's typed fields).

    ``base_version`` is the version the editor loaded: if someone saved in between, nothing is
    changed and the outcome is ``conflict`` with the current post, so the editor can compare and
    keep their text. An edit of someone else's post is audited."""
    if not can(actor, "post.edit", post):
        return forbidden(_("この投稿を編集する権限がありません。"))
    if base_version is not None and base_version != post.version:
        return _conflict(post)
    thread = post.thread
    if post.number != 1:
        title = None
    elif title is not None and (errors := title_errors(title)):
        return Outcome("invalid", errors=errors)
    if thread.kind == "discussion":  # a discussion's typed fields are its first post's tags
        details, errors = _edited_tags(thread, details if post.number == 1 else None)
        if errors:
            return Outcome("invalid", errors=errors)
        if details is not None and details_before is None:
            details_before = tags.as_fields(thread)
    before = {"body": post.body_source, "title": thread.title, "version": post.version}
    if details_before is not None:
        before["fields"] = details_before
    draft = Draft(
        author=actor, board=thread.board, thread=thread, post=post, body=body, title=title,
        thread_kind=thread.kind, details=details, extra_text=extra_text,
        base_version=post.version,
    )  # fmt: skip
    try:
        outcome = publishing.submit(draft, confirmed=confirmed)
    except posting.StaleEdit:
        return _conflict(post)
    if outcome.status == "published" and actor.id != post.author_id:
        after = {"body": post.body_source, "title": thread.title, "version": post.version}
        if details is not None:
            after["fields"] = details
            record_action(actor, "thread.edit_details", "thread", thread.id, before=before,
                          after=after)  # fmt: skip
        else:
            record_action(actor, "post.edit", "post", post.id, before=before, after=after)
    return outcome


def _edited_tags(
    thread: Thread, raw: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """The tags an edit of a discussion's first post sets: ``None`` when it leaves them as they
    are (not given, or the same), ``{}`` when it removes them all."""
    if raw is None:
        return None, {}
    cleaned, errors = tags.clean(raw)
    if errors:
        return None, errors
    if tags.same(cleaned, thread):
        return None, {}
    return cleaned or {}, {}


def _conflict(post: Post) -> Outcome:
    message = _(
        "この投稿は、あなたが編集を始めた後に更新されました。あなたの入力は残してあります。"
        "最新の内容と見比べてから、もう一度保存してください。"
    )
    return Outcome("conflict", thread=post.thread, post=post, message=message)


def delete_post(*, actor: User, post: Post, reason: str = "") -> Outcome:
    """Soft-delete a post (#1 deletes the thread). Deleting someone else's post is audited."""
    if not can(actor, "post.delete", post):
        return forbidden(_("この投稿を削除する権限がありません。"))
    before = {"body": post.body_source}
    posting.delete_post(post=post, actor=actor)
    if actor.id != post.author_id:
        record_action(actor, "post.delete", "post", post.id, reason=reason, before=before)
    return Outcome("done", thread=post.thread, post=post)


def set_thread_state(*, actor: User, thread: Thread, action: str) -> Outcome:
    """Pin, unpin, lock or unlock a thread (moderators), audited."""
    changes = THREAD_STATES.get(action)
    if changes is None:
        return Outcome("invalid", errors={"action": [_("操作の種類が正しくありません。")]})
    if not can(actor, "thread.moderate", thread):
        return forbidden()
    posting.set_thread_flags(thread=thread, **changes)
    record_action(actor, f"thread.{action}", "thread", thread.id)
    return Outcome("done", thread=thread)


def move_thread(*, actor: User, thread: Thread, to: Board) -> Outcome:
    """Moving between boards, also between spaces (audited in ``forum.moving``): the actor must
    moderate both boards, so a prefecture's moderators cannot take threads out of or into
    another space."""
    if not can(actor, "thread.moderate", thread) or not can(actor, "board.moderate", to):
        return forbidden()
    moving.move_thread(thread, to=to, actor=actor)
    return Outcome("done", thread=thread)


def split_thread(*, actor: User, thread: Thread, numbers: list[int], title: str) -> Outcome:
    if not can(actor, "thread.moderate", thread):
        return forbidden()
    if errors := title_errors(title):
        return Outcome("invalid", errors=errors)
    try:
        new = moving.split_thread(thread, numbers=numbers, title=title, actor=actor)
    except ValueError:
        return Outcome("invalid", errors={"numbers": [_("分ける返信を選んでください。")]})
    return Outcome("done", thread=new)


def redact_revision(
    *, actor: User, revision: Any, thread: Thread, target_kind: str, reason: str = ""
) -> Outcome:
    """Hide an earlier version of a post (``post_revision``) or of a structured thread's fields
    (``detail_revision``), e.g. one that names a resident. The text stays in the database for the
    audit trail; nobody sees it on the site. Moderators of the thread's board, audited."""
    if not can(actor, "thread.moderate", thread):
        return forbidden()
    if revision.redacted_at is None:
        revision.redacted_at = utcnow()
        revision.redacted_by_id = actor.id
        record_action(actor, f"{target_kind}.redact", target_kind, revision.id, reason=reason,
                      after={"thread": thread.id})  # fmt: skip
    return Outcome("done", thread=thread)
