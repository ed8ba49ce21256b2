"""From partnership to case: 「この取組を事例として公開する」 on a partnered local problem starts
a case prefilled from the problem (region, domains, fields, partners, a link back); once the
case is published — at once, or after a moderator's approval — both are linked
(``structured.models.CaseOrigin``): the case shows 「きっかけとなった地域課題」, the problem
「この課題から生まれた事例」, and the case listing can keep only the cases born here."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from auth.models import User
from auth.permissions import can
from cocreation import service
from core.extensions import db
from core.urls import absolute_url
from directory.models import Organization
from forum import actions, audience, publishing
from forum.models import Board, Thread
from structured.models import CaseOrigin, ThreadDetail

CASE_BOARD = "jirei"
#: the key of a case draft's details that names the problem it comes from (not a typed field:
#: the form never shows it; the on-publish hook reads it, even after a moderator's approval)
ORIGIN_KEY = "origin_challenge"


def may_publish_case(user: Any, thread: Thread, detail: ThreadDetail | None) -> bool:
    """The author side of a partnered (or finished, after a partnership) problem."""
    if detail is None or detail.kind != "challenge" or detail.status not in ("partnered", "closed"):
        return False
    if not service.is_author_side(user, thread):
        return False
    return detail.status == "partnered" or bool(service.partners_by_thread([thread.id]))


def case_board() -> Board | None:
    return db.session.scalar(select(Board).where(Board.slug == CASE_BOARD))


def prefill(thread: Thread, detail: ThreadDetail) -> tuple[str, str, dict[str, Any]]:
    """(title, body, typed fields) of the case form, from the problem."""
    partners = service.partners_by_thread([thread.id]).get(thread.id, [])
    author = thread.author
    implementer = ""
    if author is not None and author.organization_id:
        org = db.session.get(Organization, author.organization_id)
        implementer = org.name if org is not None else ""
    implementer = implementer or (author.affiliation if author is not None else "")
    link = absolute_url("forum.thread", thread_id=thread.id)
    data = detail.data or {}
    fields = {
        "prefecture": detail.prefecture_code,
        "municipality_code": detail.municipality_code,
        "municipality_name": data.get("municipality_name"),
        "player_fields": sorted(f.slug for f in detail.player_fields),
        "life_domains": sorted(d.slug for d in detail.life_domains),
        "area": (data.get("area") or "")[:200] or None,
        "implementer": implementer[:200] or None,
        "partners": "、".join(o.name for o in partners)[:500] or None,
        "background": _("地域課題「%(title)s」（%(url)s）への連携の申し出から始まった取組です。",
                        title=thread.title, url=link),
    }  # fmt: skip
    title = thread.title[:120]
    body = _("きっかけとなった地域課題：[%(title)s](%(url)s)", title=thread.title, url=link)
    return title, body, fields


def publish_case(
    *, actor: User, challenge: Thread, title: str, body: str, fields: dict[str, Any],
    extra_text: str = "", confirmed: bool = False,
) -> publishing.Outcome:  # fmt: skip
    detail = db.session.get(ThreadDetail, challenge.id)
    if not can(actor, "thread.view", challenge) or not may_publish_case(actor, challenge, detail):
        return actions.forbidden(
            _("この地域課題から事例を公開できるのは、連携が成立した課題の投稿者側だけです。")
        )
    board = case_board()
    if board is None:
        return actions.forbidden()
    details = {**fields, ORIGIN_KEY: challenge.id}
    return actions.start_thread(actor=actor, board=board, title=title, body=body, kind="case",
                                details=details, extra_text=extra_text, confirmed=confirmed)  # fmt: skip


def link_on_publish(draft: publishing.Draft, outcome: publishing.Outcome) -> None:
    """On-publish hook: a new case whose draft names its problem is linked to it."""
    origin = (draft.details or {}).get(ORIGIN_KEY)
    thread = outcome.thread
    if not origin or thread is None or thread.kind != "case" or draft.thread is not None:
        return
    challenge = db.session.get(Thread, int(origin))
    if challenge is None or challenge.kind != "challenge":
        return
    if db.session.get(CaseOrigin, thread.id) is None:
        db.session.add(CaseOrigin(case_thread_id=thread.id, challenge_thread_id=challenge.id,
                                  created_by_id=draft.author.id))  # fmt: skip


def cases_from(challenge_id: int) -> list[Thread]:
    """The readable, visible cases born from a problem: one statement."""
    return list(
        db.session.scalars(
            select(Thread)
            .join(CaseOrigin, CaseOrigin.case_thread_id == Thread.id)
            .where(CaseOrigin.challenge_thread_id == challenge_id, Thread.is_deleted.is_(False),
                   Thread.is_hidden.is_(False),
                   audience.readable_filter(Thread.board_id, audience.viewer()))
            .order_by(Thread.id)
        )
    )  # fmt: skip


def origin_of(case_id: int) -> Thread | None:
    """The readable, visible problem a case was born from: one statement."""
    return db.session.scalar(
        select(Thread)
        .join(CaseOrigin, CaseOrigin.challenge_thread_id == Thread.id)
        .where(CaseOrigin.case_thread_id == case_id, Thread.is_deleted.is_(False),
               Thread.is_hidden.is_(False),
               audience.readable_filter(Thread.board_id, audience.viewer()))
    )  # fmt: skip
