"""The directory of participating organisations and government bodies, and related links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.types import UTCDateTime, utcnow
from taxonomy.models import PlayerField, Prefecture

#: kinds of organisation, as data for forms and filters
ORGANIZATION_KINDS = ("npo", "company", "association", "cooperative", "ministry",
                      "prefecture", "municipality", "other")  # fmt: skip


class Organization(db.Model):
    __tablename__ = "organizations"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    player_field_id: Mapped[int | None] = mapped_column(ForeignKey("player_fields.id"), index=True)
    prefecture_code: Mapped[str | None] = mapped_column(ForeignKey("prefectures.code"))
    description: Mapped[str] = mapped_column(Text, default="")
    website_url: Mapped[str] = mapped_column(String(300), default="")
    #: the site is linked only when the organisation chose to publish it
    publish_website: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_listed: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    player_field: Mapped[PlayerField | None] = relationship(lazy="joined")
    prefecture: Mapped[Prefecture | None] = relationship(lazy="joined")

    @property
    def published_website(self) -> str | None:
        """The site to link to: only if the organisation chose to publish it, and only an
        http(s) address (a second guard behind the form's validation)."""
        url = self.website_url or ""
        if self.publish_website and url.lower().startswith(("http://", "https://")):
            return url
        return None


class RelatedLink(db.Model):
    """An entry of the related-links page (関連リンク), managed by admins."""

    __tablename__ = "related_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(60), default="")
    title: Mapped[str] = mapped_column(String(120))
    url: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
