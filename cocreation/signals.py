"""Co-creation events, queued in the transaction and sent only after it commits (dropped on
rollback), like ``forum.signals``. Receivers get ids only.

``offer_created(offer_id, thread_id, organization_id, author_id)`` — a new offer to partner.
    **Hook for private conversations:** each offer opens a private conversation between the
    offerer and the problem's author side. The conversations package (issue #16 item 2)
    subscribes here on merge — ``offer_created.connect(open_conversation_for_offer)`` — and
    opens the conversation in its own transaction (the receiver runs after the commit, outside
    the offer's session). Nothing in this package needs to change for that.
``offer_decided(offer_id, thread_id, action, actor_id)`` — ``action``: accepted | declined |
    partnered | withdrawn.
The status of the problem itself is ``structured.status.status_changed``.
"""

from __future__ import annotations

from blinker import Namespace

from core.extensions import db
from forum.signals import queue_after_commit

_signals = Namespace()

offer_created = _signals.signal("cocreation-offer-created")
offer_decided = _signals.signal("cocreation-offer-decided")


def queue(signal, **payload) -> None:
    queue_after_commit(db.session, signal, **payload)
