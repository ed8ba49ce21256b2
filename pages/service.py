"""Reading and editing the site pages. An edit renders the Markdown once (the forum's sanitising
renderer), keeps the new text as a revision, and writes an audit entry — the one path of the
admin form (and of any later entry point)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select, update

from audit.log import record_action
from auth.models import User
from auth.permissions import BOARD_MANAGE, has
from core.extensions import db
from core.types import utcnow
from forum.rendering import RENDERER_VERSION, render_markdown
from pages.models import SitePage, SitePageRevision

#: the pages at fixed addresses, in the order of the footer and the admin list (/privacy is the
#: privacy package's, generated from the data inventory)
SLUGS = ("about", "terms", "accessibility", "guide", "contact")
#: who may edit them: site admins
EDIT_PERMISSION = BOARD_MANAGE


@dataclass
class EditOutcome:
    """``done`` | ``forbidden`` | ``conflict`` (the page changed since the form was loaded:
    ``page`` holds the current text, nothing was saved) | ``unchanged``."""

    status: str
    page: SitePage | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def may_edit(user) -> bool:
    return has(user, EDIT_PERMISSION)


def get_page(slug: str) -> SitePage | None:
    return db.session.scalar(select(SitePage).where(SitePage.slug == slug))


def list_pages() -> list[SitePage]:
    pages = {p.slug: p for p in db.session.scalars(select(SitePage))}
    return [pages[s] for s in SLUGS if s in pages] + [
        p for s, p in sorted(pages.items()) if s not in SLUGS
    ]


def list_revisions(page: SitePage) -> list[SitePageRevision]:
    return list(db.session.scalars(
        select(SitePageRevision).where(SitePageRevision.page_id == page.id)
        .order_by(SitePageRevision.version.desc(), SitePageRevision.id.desc())
    ))  # fmt: skip


def edit_page(page: SitePage, *, actor: User, title: str, body: str, version: int | None,
              note: str = "") -> EditOutcome:  # fmt: skip
    """Save a new text of ``page`` as ``actor`` (an admin), against the ``version`` the editor
    loaded. The caller commits."""
    if not may_edit(actor):
        return EditOutcome("forbidden", page)
    title, note = title.strip(), note.strip()
    if version is not None and version != page.version:
        return EditOutcome("conflict", page)
    if title == page.title and body == page.body_source:
        return EditOutcome("unchanged", page)
    before = {"title": page.title, "version": page.version}
    result = db.session.execute(
        update(SitePage)
        .where(SitePage.id == page.id, SitePage.version == page.version)
        .values(title=title, body_source=body, body_html=render_markdown(body),
                renderer_version=RENDERER_VERSION, version=SitePage.version + 1,
                updated_at=utcnow(), updated_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if result.rowcount != 1:  # saved by someone else between the read and this write
        db.session.refresh(page)
        return EditOutcome("conflict", page)
    db.session.refresh(page)
    db.session.add(SitePageRevision(page_id=page.id, version=page.version, title=title,
                                    body_source=body, note=note, author_id=actor.id))  # fmt: skip
    record_action(actor, "site_page.edit", "site_page", page.id, reason=note,
                  before=before, after={"title": title, "version": page.version,
                                        "slug": page.slug})  # fmt: skip
    return EditOutcome("done", page)


def conflict_message() -> str:
    return _(
        "このページは、あなたが編集を始めた後に別の人が保存しました。下の「いまの本文」を確かめて"
        "から、もう一度保存してください（あなたの入力はそのまま残しています）。"
    )
