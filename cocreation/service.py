"""One path per co-creation action: offering to partner on a local problem, the author side's
answers (accept for discussion, decline, mark as partner), withdrawing, and the problem's status
by hand. The web views and the API call these functions, and only these. Each checks the
permission, validates, screens the text like a post, writes, audits and queues the events for
after the commit. The caller commits when ``outcome.saved``.

Who is who on a problem:

- **offerer**: a signed-in member with a verified role (a badge) who speaks for an organisation
  of the directory (``users.organization_id``), with a confirmed address, not silenced;
- **author side**: the problem's author and the members of the author's organisation — they
  see the offers and answer them; everyone else who may read the problem sees only a count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from audit.log import record_action
from auth.models import User
from auth.permissions import can
from cocreation import signals
from cocreation.models import ACCEPTED, DECLINED, LIVE, OPEN, PARTNERED, WITHDRAWN, Offer
from conversations import service as conversation_service
from core.extensions import db
from core.types import utcnow
from directory.models import Organization
from forum import publishing
from forum.models import Thread
from forum.rendering import render_markdown
from structured.models import ThreadDetail
from structured.status import StatusRefused, change_status

MESSAGE_MIN, MESSAGE_MAX = 10, 2000
#: statuses of a problem that still takes offers
TAKING_OFFERS = ("open", "negotiating")


@dataclass
class Outcome:
    """``status``: done | invalid | refused | needs_confirmation | forbidden | conflict |
    not_found (the problem or offer does not exist for this member: a 404, never a 403)."""

    status: str
    offer: Offer | None = None
    message: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    concerns: list[publishing.Concern] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        return self.status == "done"


def _forbidden(message: str) -> Outcome:
    return Outcome("forbidden", message=message)


# --- who is who ------------------------------------------------------------------------------


def offering_organization(user: Any) -> int | None:
    """The organisation ``user`` may offer for (its id), or None."""
    if not getattr(user, "is_authenticated", False) or not user.organization_id:
        return None
    if not user.role.badge or user.is_silenced or not user.email_confirmed:
        return None
    return user.organization_id


def author_organization_id(thread: Thread) -> int | None:
    author = thread.author
    return author.organization_id if author is not None else None


def is_author_side(user: Any, thread: Thread) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.id == thread.author_id:
        return True
    org = author_organization_id(thread)
    return org is not None and user.organization_id == org


def _challenge(thread: Thread) -> ThreadDetail | None:
    if thread.kind != "challenge":
        return None
    return db.session.get(ThreadDetail, thread.id)


def live_offer_of(thread_id: int, organization_id: int) -> Offer | None:
    return db.session.scalar(
        select(Offer).where(
            Offer.thread_id == thread_id,
            Offer.organization_id == organization_id,
            Offer.status.in_(LIVE),
        )  # fmt: skip
    )


def may_offer(user: Any, thread: Thread, detail: ThreadDetail | None) -> bool:
    """Whether 「連携を申し出る」 is offered to ``user`` (the service checks again)."""
    org = offering_organization(user)
    return (
        org is not None and detail is not None and detail.status in TAKING_OFFERS
        and not is_author_side(user, thread) and can(user, "thread.view", thread)
    )  # fmt: skip


# --- offering --------------------------------------------------------------------------------


def message_errors(message: str | None) -> dict[str, list[str]]:
    text = (message or "").strip()
    if not MESSAGE_MIN <= len(text) <= MESSAGE_MAX:
        return {"message": [_("申し出の内容は%(low)s文字以上%(high)s文字以内で書いてください。",
                              low=MESSAGE_MIN, high=MESSAGE_MAX)]}  # fmt: skip
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
        return {"message": [_("使えない制御文字が含まれています。")]}
    return {}


def _screen(actor: User, thread: Thread, text: str, confirmed: bool) -> tuple[str, Outcome | None]:
    """The posts' screening: watched words (censored, refused) and the personal-information
    guard. An offer is not a post waiting in a queue, so what would hold a post refuses it:
    the author changes the text (kept) and sends again."""
    draft = publishing.Draft(author=actor, board=thread.board, thread=thread, body=text)
    draft, concerns = publishing.screen(draft)
    for concern in concerns:
        if concern.action == publishing.REFUSE:
            return draft.body, Outcome("refused", message=concern.message, concerns=[concern])
    pii = [c for c in concerns if c.code == "personal_info"]
    if pii and not confirmed:
        message = _("個人が特定できる情報が含まれている可能性があります。住民の方の情報であれば"
                    "削除してください。団体の連絡先などで問題がなければ、確認のうえ送信してください。")  # fmt: skip
        return draft.body, Outcome("needs_confirmation", message=message, concerns=pii)
    held = [c for c in concerns if c.code == "watched_word" and c.action == publishing.HOLD]
    if held:
        message = _(
            "確認が必要な語句が含まれているため、この申し出は送れません。言い換えてから送ってください。"
        )
        return draft.body, Outcome("refused", message=message, concerns=held)
    return draft.body, None


def make_offer(*, actor: User, thread: Thread, message: str, confirmed: bool = False) -> Outcome:
    detail = _challenge(thread)
    if detail is None or not can(actor, "thread.view", thread):
        return Outcome("not_found", message=_("地域課題が見つかりません。"))
    org = offering_organization(actor)
    if org is None:
        return _forbidden(_("連携の申し出は、認証済みの団体・自治体の担当者ができます。"))
    if is_author_side(actor, thread):
        return _forbidden(_("自分の団体の地域課題には申し出られません。"))
    if detail.status not in TAKING_OFFERS:
        return Outcome("conflict", message=_("この地域課題は申し出を受け付けていません。"))
    if errors := message_errors(message):
        return Outcome("invalid", errors=errors, message=errors["message"][0])
    if live_offer_of(thread.id, org) is not None:
        return Outcome("conflict", message=_("あなたの団体はこの地域課題にすでに申し出ています。"))
    text, refusal = _screen(actor, thread, message.strip(), confirmed)
    if refusal is not None:
        return refusal
    offer = Offer(thread_id=thread.id, organization_id=org, author_id=actor.id,
                  message_source=text, message_html=render_markdown(text), status=OPEN,
                  created_at=utcnow())  # fmt: skip
    db.session.add(offer)
    db.session.flush()
    _open_conversation(actor, thread, offer)
    signals.queue(signals.offer_created, offer_id=offer.id, thread_id=thread.id,
                  organization_id=org, author_id=actor.id)  # fmt: skip
    return Outcome("done", offer=offer)


def _open_conversation(actor: User, thread: Thread, offer: Offer) -> None:
    """Each offer opens a private conversation between the offerer and the problem's author, in
    the offer's transaction, with the offer's (already screened) message as its first message;
    either may invite others (their organisations' members). If it cannot be opened — the
    author left, or may no longer read the problem — the offer stands without one."""
    author = thread.author
    if author is None or author.id == actor.id:
        return
    subject = _("連携の申し出：%(title)s", title=thread.title)[:conversation_service.MAX_SUBJECT]
    conversation_service.start_conversation(
        starter=actor, participants=[author], body=offer.message_source, subject=subject,
        challenge=thread, offer_id=offer.id, confirmed=True,
    )  # fmt: skip


# --- answering -------------------------------------------------------------------------------

#: action → (statuses it applies to, new status, audit action)
ANSWERS = {
    "accept": ((OPEN,), ACCEPTED, "offer.accept"),
    "decline": ((OPEN, ACCEPTED), DECLINED, "offer.decline"),
    "partner": ((OPEN, ACCEPTED), PARTNERED, "offer.partner"),
    "withdraw": ((OPEN, ACCEPTED), WITHDRAWN, "offer.withdraw"),
}
#: the problem status each answer moves it to (from the statuses listed), automatically
FOLLOWS = {"accept": ("negotiating", ("open",)),
           "partner": ("partnered", ("open", "negotiating"))}  # fmt: skip


def is_offerer_side(user: Any, offer: Offer) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.id == offer.author_id or (
        offering_organization(user) is not None and user.organization_id == offer.organization_id
    )


def answer_offer(*, actor: User, offer: Offer, action: str, reason: str = "") -> Outcome:
    """accept | decline | partner (the author side) or withdraw (the offerer's side)."""
    thread = db.session.get(Thread, offer.thread_id)
    if action not in ANSWERS:
        return Outcome("invalid", message=_("操作が正しくありません。"))
    if thread is None or not can(actor, "thread.view", thread):
        return Outcome("not_found", message=_("申し出が見つかりません。"))
    allowed = (
        is_offerer_side(actor, offer) if action == "withdraw" else is_author_side(actor, thread)
    )
    if not allowed:
        if not is_author_side(actor, thread) and not is_offerer_side(actor, offer):
            return Outcome("not_found", message=_("申し出が見つかりません。"))
        return _forbidden(_("この申し出にこの操作はできません。"))
    valid_from, new_status, audit_action = ANSWERS[action]
    if offer.status not in valid_from:
        return Outcome("conflict", offer=offer, message=_("この申し出はすでに「%(status)s」です。",
                                                           status=offer_status_label(offer.status)))  # fmt: skip
    before = offer.status
    offer.status, offer.decided_at, offer.decided_by_id = new_status, utcnow(), actor.id
    record_action(actor, audit_action, "offer", offer.id, reason=reason[:500],
                  before={"status": before}, after={"status": new_status})  # fmt: skip
    signals.queue(signals.offer_decided, offer_id=offer.id, thread_id=thread.id,
                  action=new_status, actor_id=actor.id)  # fmt: skip
    if action in FOLLOWS:
        detail = _challenge(thread)
        target, from_statuses = FOLLOWS[action]
        if detail is not None and detail.status in from_statuses:
            change_status(actor=actor, thread=thread, detail=detail, status=target,
                          authorised=True)  # fmt: skip
    return Outcome("done", offer=offer)


def set_status(*, actor: User, thread: Thread, status: str, reason: str = "") -> Outcome:
    """The problem's status by hand (its author, the author side, moderators)."""
    detail = _challenge(thread)
    if detail is None or not can(actor, "thread.view", thread):
        return Outcome("not_found", message=_("地域課題が見つかりません。"))
    authorised = is_author_side(actor, thread) and not actor.is_silenced
    try:
        change_status(actor=actor, thread=thread, detail=detail, status=status, reason=reason,
                      authorised=authorised)  # fmt: skip
    except StatusRefused as exc:
        if exc.code == "forbidden":
            return _forbidden(exc.message)
        return Outcome("invalid", message=exc.message, errors={"status": [exc.message]})
    return Outcome("done")


# --- reading ---------------------------------------------------------------------------------

OFFER_STATUS_LABELS = {
    OPEN: _l("申し出中"), ACCEPTED: _l("話し合い中"), PARTNERED: _l("連携成立"),
    DECLINED: _l("見送り"), WITHDRAWN: _l("取り下げ"),
}  # fmt: skip


def offer_status_label(status: str) -> str:
    return str(OFFER_STATUS_LABELS.get(status, status))


def offers_of(thread_id: int, *, limit: int = 200) -> list[Offer]:
    """The problem's offers, oldest first (organisation and author joined): one statement."""
    return list(
        db.session.scalars(
            select(Offer).where(Offer.thread_id == thread_id).order_by(Offer.id).limit(limit)
        )
    )


def live_count(thread_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Offer)
        .where(Offer.thread_id == thread_id, Offer.status.in_(LIVE))
    )  # fmt: skip


def partners_by_thread(thread_ids: list[int]) -> dict[int, list[Organization]]:
    """The partner organisations of several problems (listing cards): one statement."""
    if not thread_ids:
        return {}
    rows = db.session.execute(
        select(Offer.thread_id, Organization)
        .join(Organization, Organization.id == Offer.organization_id)
        .where(Offer.thread_id.in_(thread_ids), Offer.status == PARTNERED)
        .order_by(Offer.id)
    )
    out: dict[int, list[Organization]] = {}
    for thread_id, org in rows:
        out.setdefault(thread_id, []).append(org)
    return out
