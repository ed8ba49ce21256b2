"""Co-creation events → notifications (run by the notifications worker, after the commit).

- a new offer: the problem's author side hears of it;
- an answer to an offer (accepted for discussion, partnered, declined — told kindly): the
  member who made it; a withdrawn offer: the problem's author;
- a problem's new status: its watchers (thread watch level 「ウォッチ」 or 「追跡」) and every
  member who made a live offer on it.

Everyone passes the notifications' usual filters (not the actor, active, not muting the actor,
allowed to read the problem) in ``notifications.fanout.deliver``.
"""

from __future__ import annotations

from sqlalchemy import select

from auth.models import User
from cocreation.models import LIVE, Offer
from core.extensions import db
from forum.models import Thread
from notifications import kinds
from notifications.fanout import Source, deliver, thread_levels
from notifications.models import MUTED, NORMAL, NotificationJob

ACTIONS = {"accepted": "offer_accepted", "partnered": "offer_partnered",
           "declined": "offer_declined", "withdrawn": "offer_withdrawn"}  # fmt: skip


def _author_side(thread: Thread) -> list[int]:
    ids = [thread.author_id]
    org = thread.author.organization_id if thread.author is not None else None
    if org:
        ids += list(db.session.scalars(select(User.id).where(User.organization_id == org)))
    return ids


def on_offer_created(job: NotificationJob) -> list[int]:
    offer = db.session.get(Offer, job.payload["offer_id"])
    if offer is None:
        return []
    thread = db.session.get(Thread, offer.thread_id)
    if thread is None:
        return []
    source = Source(collapse_key=f"cocreation:offer:{offer.id}", source_id=job.id, thread=thread,
                    actor_id=offer.author_id,
                    data={"action": "offer_created", "organization": offer.organization.name,
                          "offer_id": offer.id})  # fmt: skip
    return deliver(kinds.COCREATION, _author_side(thread), source)


def on_offer_decided(job: NotificationJob) -> list[int]:
    offer = db.session.get(Offer, job.payload["offer_id"])
    action = ACTIONS.get(job.payload.get("action", ""))
    if offer is None or action is None:
        return []
    thread = db.session.get(Thread, offer.thread_id)
    if thread is None:
        return []
    recipients = _author_side(thread) if action == "offer_withdrawn" else [offer.author_id]
    source = Source(collapse_key=f"cocreation:{action}:{offer.id}", source_id=job.id,
                    thread=thread, actor_id=job.payload.get("actor_id"),
                    data={"action": action, "organization": offer.organization.name,
                          "offer_id": offer.id})  # fmt: skip
    return deliver(kinds.COCREATION, recipients, source)


def on_status_changed(job: NotificationJob) -> list[int]:
    thread = db.session.get(Thread, job.payload["thread_id"])
    if thread is None or thread.kind != "challenge":
        return []
    levels = thread_levels(thread.id)
    watchers = [uid for uid, level in levels.items() if level not in (MUTED, NORMAL)]
    offerers = db.session.scalars(
        select(Offer.author_id).where(Offer.thread_id == thread.id, Offer.status.in_(LIVE))
    )
    recipients = [*watchers, *(uid for uid in offerers if levels.get(uid) != MUTED)]
    status = job.payload.get("after")
    source = Source(collapse_key=f"cocreation:status:{thread.id}:{job.id}", source_id=job.id,
                    thread=thread, actor_id=job.payload.get("actor_id"),
                    data={"action": "status", "status": status})  # fmt: skip
    return deliver(kinds.COCREATION, recipients, source)
