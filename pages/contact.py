"""The contact form (お問い合わせ): a message reaches the secretariat as a review-queue item of
kind ``contact`` and, when ``CONTACT_EMAIL`` is set, by mail. The message is screened with the
personal-information guard first: the sender is warned, as an author is before posting, and
sends only after confirming; the queue item then says why it needs care."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from auth.models import User
from core.extensions import db
from core.mail import send_mail
from core.urls import absolute_url
from forum.publishing import CONFIRM, Concern
from moderation import pii, queue
from pages.forms import CONTACT_CATEGORIES
from pages.models import ContactMessage


@dataclass
class ContactOutcome:
    """``sent`` (``message`` saved, the caller commits and then calls :func:`mail_secretariat`)
    or ``needs_confirmation`` (``concerns`` to show; nothing saved)."""

    status: str
    message: ContactMessage | None = None
    concerns: list[Concern] = field(default_factory=list)


def screen(body: str) -> list[Concern]:
    """What in the message looks like a resident's personal information (the forum's guard)."""
    if not current_app.config["PII_GUARD"]:
        return []
    matches = pii.find_personal_info(body)
    if not matches:
        return []
    kinds = "、".join(sorted({_(pii.KIND_LABELS[m.kind]) for m in matches}))
    text = _(
        "個人が特定できる情報（%(kinds)s）が含まれている可能性があります。住民の方の情報であれば、"
        "消してから送ってください。必要な情報であれば、下の「内容を確認しました」にチェックを入れて"
        "送信してください。",
        kinds=kinds,
    )
    details = tuple(
        {"field": "body", "kind": m.kind, "label": _(pii.KIND_LABELS[m.kind]), "start": m.start,
         "end": m.end, "text": m.text}
        for m in matches
    )  # fmt: skip
    return [Concern("personal_info", text, CONFIRM, details)]


def submit_contact(*, sender: User | None, name: str, email: str, category: str, body: str,
                   confirmed: bool = False) -> ContactOutcome:  # fmt: skip
    """Save a message to the secretariat and open its queue item (the caller commits)."""
    concerns = screen(body)
    if concerns and not confirmed:
        return ContactOutcome("needs_confirmation", concerns=concerns)
    reasons = [{"code": c.code, "message": c.message, "matches": list(c.details)} for c in concerns]
    item = queue.open_contact_item(reasons, sender)
    message = ContactMessage(item_id=item.id, sender_name=name.strip(), sender_email=email.strip(),
                             category=category, body=body)  # fmt: skip
    db.session.add(message)
    db.session.flush()
    return ContactOutcome("sent", message=message, concerns=concerns)


def mail_secretariat(message: ContactMessage) -> bool:
    """Tell ``CONTACT_EMAIL`` (after the commit). A message the guard flagged is not copied
    into the mail: the secretariat reads it in the review queue."""
    to = current_app.config["CONTACT_EMAIL"]
    if not to:
        return False
    flagged = bool(message.item is not None and message.item.reasons)
    with force_locale("ja"):
        subject = _("【共創】お問い合わせ：%(category)s",
                    category=CONTACT_CATEGORIES.get(message.category, message.category))  # fmt: skip
        text = render_template(
            "pages/email/contact.txt", message=message, flagged=flagged,
            queue_url=absolute_url("moderation.review_queue", kind="contact"),
            category=CONTACT_CATEGORIES.get(message.category, message.category),
        )  # fmt: skip
    send_mail(to, subject, text, headers={"Reply-To": message.sender_email})
    return True
