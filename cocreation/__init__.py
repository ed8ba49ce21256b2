"""うまれる (co-creation): a local problem meets the organisations that can help, and what they
build becomes a case others learn from (issue #16).

- **offers** (``service``): a verified member offers to partner for their organisation; the
  problem's author side sees the offers, everyone else a count; answers: accept for discussion,
  decline (told kindly), mark as partner; the offerer may withdraw;
- **status** (``structured.status``): 募集中 → 調整中 → 連携成立 → 終了, following the answers
  and by hand, audited, announced to watchers and offerers (``notify``);
- **from partnership to case** (``cases``): a case prefilled from the problem, linked both ways.

Hooks: ``signals.offer_created`` is where private conversations are opened (see its docstring).
Lower packages know nothing of this one: it joins the thread page (a contributor), the
publishing pipeline (an on-publish hook), the notifications (three job handlers) and the
listings (a template global).
"""

from __future__ import annotations

from flask import Flask

import notifications
from cocreation import api, api_schema, cases, notify, panel, service, signals, views
from core import openapi
from forum import publishing, thread_page
from structured import status as structured_status

#: listing statuses whose problems may have partners (the listing asks only then)
_WITH_PARTNERS = {"partnered", "closed"}


def challenge_partners(details) -> dict:
    """Listing cards: the partner organisations of the partnered problems on the page (one
    statement, none when no problem on the page is partnered or finished)."""
    ids = [d.thread_id for d in details if d.kind == "challenge" and d.status in _WITH_PARTNERS]
    return service.partners_by_thread(ids)


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    openapi.declare(app, api_schema.contract)
    thread_page.add_contributor("cocreation", panel.panel, order=20)
    publishing.add_on_publish(cases.link_on_publish)
    notifications.add_event(signals.offer_created, "offer_created", notify.on_offer_created)
    notifications.add_event(signals.offer_decided, "offer_decided", notify.on_offer_decided)
    notifications.add_event(structured_status.status_changed, "challenge_status_changed",
                            notify.on_status_changed)  # fmt: skip
    app.jinja_env.globals.update(
        challenge_partners=challenge_partners,
        offer_status_label=service.offer_status_label,
    )
