"""Demo content of the directory, loaded by ``flask seed-demo`` with the forum's."""

from __future__ import annotations

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from directory.models import Organization, RelatedLink


def test_directory_demo_content(app, client):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert "demo content loaded" in result.output
    orgs = {o.slug: o for o in db.session.scalars(select(Organization))}
    assert len(orgs) == 8
    assert {o.kind for o in orgs.values()} == {
        "npo", "association", "company", "cooperative", "ministry", "prefecture", "municipality"}  # fmt: skip
    assert "厚生労働省 老健局" in orgs["mhlw-roken-chiiki"].name
    assert all(o.website_url.startswith("https://") or not o.website_url for o in orgs.values())
    assert any(o.website_url and not o.publish_website for o in orgs.values())
    members = dict(db.session.execute(
        select(User.handle, Organization.slug).join(Organization, User.organization_id == Organization.id)
    ).all())  # fmt: skip
    assert members["npo_hyogo"] == "sasaeai-nishinomiya" and len(members) >= 4
    links = db.session.scalars(select(RelatedLink).order_by(RelatedLink.position)).all()
    assert len(links) == 8 and len({link.category for link in links}) >= 3
    assert all(link.url.startswith("https://") for link in links)
    assert any(link.title == "地域包括ケアシステム" and "mhlw.go.jp" in link.url for link in links)

    html = client.get("/directory").get_data(as_text=True)
    assert (
        "長野県 健康福祉部 介護支援課" in html and 'href="https://www.pref.nagano.lg.jp/"' in html
    )
    assert "coop-hidamari.example.jp" not in html  # has a site, did not choose to publish it
    assert client.get("/directory/sasaeai-nishinomiya").status_code == 200
    assert "地域包括ケア「見える化」システム" in client.get("/links").get_data(as_text=True)

    assert "already present" in app.test_cli_runner().invoke(args=["seed-demo"]).output
    assert db.session.scalar(select(db.func.count(Organization.id))) == 8
    assert db.session.scalar(select(db.func.count(RelatedLink.id))) == 8
