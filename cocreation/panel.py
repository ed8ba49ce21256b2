"""The co-creation part of a thread page (a ``forum.thread_page`` contributor): on a local
problem, the offers (listed for the author side, counted for everyone else), the viewer's own
offer, the partners, the status controls and the cases born from it; on a case, the problem it
came from. Loaded once per page: one statement for the offers, one for the linked threads
(on a case; on a partnered or finished problem), and for a signed-in viewer who sees offers one
for the private conversations they were opened with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cocreation import cases, service
from cocreation.forms import AnswerForm, OfferForm, StatusForm
from cocreation.models import LIVE, PARTNERED, Offer
from conversations import queries as conversation_queries
from directory.models import Organization
from forum.models import Thread
from structured.status import may_change_status

#: the statuses a problem may have once a case was published from it
BORN_FROM = ("partnered", "closed")


@dataclass
class Panel:
    kind: str
    #: the offers the viewer may read in full (the author side), else empty
    offers: list[Offer] = field(default_factory=list)
    count: int = 0
    partners: list[Organization] = field(default_factory=list)
    own_offer: Offer | None = None
    author_side: bool = False
    may_offer: bool = False
    may_change_status: bool = False
    may_publish_case: bool = False
    born_cases: list[Thread] = field(default_factory=list)
    origin: Thread | None = None
    forms: dict[str, Any] = field(default_factory=dict)
    #: offer id → its private conversation, for the offers the viewer sees and takes part in
    conversations: dict[int, int] = field(default_factory=dict)


def panel(view) -> Panel | None:
    thread = view.thread
    if not view.first_page or thread.kind not in ("challenge", "case"):
        return None
    if thread.kind == "case":
        origin = cases.origin_of(thread.id)
        return Panel("case", origin=origin) if origin is not None else None
    detail = view.parts.get("detail")
    viewer = view.viewer
    offers = service.offers_of(thread.id)
    author_side = service.is_author_side(viewer, thread)
    org = service.offering_organization(viewer)
    result = Panel(
        "challenge",
        offers=offers if author_side else [],
        count=sum(o.status in LIVE for o in offers),
        partners=[o.organization for o in offers if o.status == PARTNERED],
        own_offer=next((o for o in offers if org and o.organization_id == org and o.is_live), None),
        author_side=author_side,
        may_change_status=author_side or may_change_status(viewer, thread),
        # a case is published from a partnered problem: others have none to look up
        born_cases=cases.cases_from(thread.id) if detail and detail.status in BORN_FROM else [],
    )  # fmt: skip
    result.may_offer = result.own_offer is None and service.may_offer(viewer, thread, detail)
    result.may_publish_case = cases.may_publish_case(viewer, thread, detail)
    if getattr(viewer, "is_authenticated", False):
        shown = [o.id for o in result.offers] + ([result.own_offer.id] if result.own_offer else [])
        result.conversations = conversation_queries.offer_conversations(viewer.id, shown)
        result.forms = {"answer": AnswerForm(formdata=None), "offer": OfferForm(formdata=None),
                        "status": StatusForm(formdata=None,
                                             status=detail.status if detail else "open")}  # fmt: skip
    return result
