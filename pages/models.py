"""Site pages (運営者情報, 利用規約, アクセシビリティ方針, はじめての方へ, お問い合わせの案内) kept as
Markdown with their rendered HTML and every saved version, and the messages sent through the
contact form. Thin models: ``pages.service`` and ``pages.contact`` act on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from auth.models import User
from core.extensions import db
from core.types import UTCDateTime, utcnow
from moderation.models import ModerationItem


class SitePage(db.Model):
    """One page at a fixed address (``slug``: about, terms, accessibility, guide, contact).
    ``version`` is the optimistic lock of the edit form: a save names the version it saw."""

    __tablename__ = "site_pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    renderer_version: Mapped[int] = mapped_column(default=1)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: who saved the current text (None: the text the migration put in)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    updated_by: Mapped[User | None] = relationship(lazy="select")


class SitePageRevision(db.Model):
    """A saved version of a page (the first one is the migration's text): the history admins see."""

    __tablename__ = "site_page_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("site_pages.id", ondelete="CASCADE"),
                                         index=True)  # fmt: skip
    version: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(120))
    body_source: Mapped[str] = mapped_column(Text)
    #: what the editor wrote about the change (also in the audit entry)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    author: Mapped[User | None] = relationship(lazy="joined")


class ContactMessage(db.Model):
    """A message to the secretariat (お問い合わせ). It reaches them as a review-queue item of kind
    ``contact`` (``item``) and, when ``CONTACT_EMAIL`` is set, by mail. Not linked to an account:
    a signed-in sender is the queue item's subject."""

    __tablename__ = "contact_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_items.id", ondelete="SET NULL"), index=True
    )
    sender_name: Mapped[str] = mapped_column(String(80), default="")
    sender_email: Mapped[str] = mapped_column(String(254))
    category: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    #: ``item.contact_message`` on the queue's side (the queue template shows the message)
    item: Mapped[ModerationItem | None] = relationship(
        lazy="select", backref=backref("contact_message", uselist=False, lazy="select")
    )
