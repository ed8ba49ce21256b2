"""The demo (``flask seed-demo``) shows the site pages (migration 0021) and puts two messages to
the secretariat in the review queue."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from moderation.models import ModerationItem


def test_demo_has_site_pages_and_contact_messages(app, client, login, moderator):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert "demo content loaded" in result.output
    items = db.session.scalars(select(ModerationItem).where(ModerationItem.kind == "contact")).all()
    assert len(items) == 2 and all(i.contact_message is not None for i in items)
    assert sorted(i.subject_user.handle if i.subject_user else "" for i in items) == [
        "",
        "suzuki_toyooka",
    ]
    html = client.get("/").get_data(as_text=True)
    for href in ("/about", "/terms", "/privacy", "/accessibility", "/contact"):
        assert f'href="{href}"' in html and client.get(href).status_code == 200
    login(moderator)
    assert "地域課題の投稿は住民でもできますか" in client.get(
        "/moderation/queue?kind=contact"
    ).get_data(as_text=True)
