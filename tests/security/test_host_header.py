"""Class 1 of issue #13: absolute links come from SITE_URL, never from the request's Host header.

The attack: ``POST /password/forgot`` with ``Host: attacker.example`` mailed the victim a reset
link to the attacker's host, with a valid token. Now an unknown Host is refused (400) and every
absolute URL — mail, feeds, .ics, JSON-LD, the API — is built from ``SITE_URL``.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import feedparser
import pytest
from icalendar import Calendar

from auth.accounts import create_api_token, get_role
from core.extensions import db
from core.setup import ConfigurationError
from notifications import worker
from tests.fixtures.app import CSRF_RE, PASSWORD, make_test_app

SITE = "https://kyoso.example.lg.jp"
#: a second name of the same site, accepted in the Host header (e.g. an internal name)
ALIAS = "http://kyoso-internal.example"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_config():
    return {"SITE_URL": SITE, "TRUSTED_HOSTS": "kyoso-internal.example"}


def _post_form_on(client, base_url: str, url: str, data: dict):
    """A form post with the CSRF token fetched from the same host, as a browser would."""
    html = client.get(url, base_url=base_url).get_data(as_text=True)
    data = {"csrf_token": CSRF_RE.search(html).group(1), **data}
    return client.post(url, data=data, base_url=base_url)


def _links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s<>\"]+", text)


def test_host_header_unknown_host_is_refused_and_no_reset_mail_is_sent(client, outbox, user):
    token = client.csrf_token("/password/forgot")
    response = client.post(
        "/password/forgot", data={"csrf_token": token, "email": user.email},
        headers={"Host": "attacker.example"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "このアドレスではアクセスできません" in response.get_data(as_text=True)
    assert outbox() == []


@pytest.mark.parametrize("host", ["attacker.example", "kyoso.example.lg.jp.attacker.example",
                                  "attacker.example:443", "localhost.attacker.example"])  # fmt: skip
def test_host_header_unknown_hosts_get_400_on_pages_and_json_on_the_api(client, host):
    page = client.get("/", headers={"Host": host})
    assert page.status_code == 400 and page.mimetype == "text/html"
    api = client.get("/api/v1/boards", headers={"Host": host})
    assert api.status_code == 400
    assert api.get_json()["error"]["code"] == "bad_request"


def test_host_header_configured_hosts_are_accepted(client):
    for host in ("kyoso.example.lg.jp", "kyoso-internal.example", "localhost", "127.0.0.1:5123"):
        assert client.get("/", headers={"Host": host}).status_code == 200, host


def test_host_header_reset_link_uses_site_url_on_any_accepted_host(client, outbox, user):
    response = _post_form_on(client, ALIAS, "/password/forgot", {"email": user.email})
    assert response.status_code == 302
    (mail,) = outbox()
    links = _links(mail.get_content())
    assert links and all(link.startswith(f"{SITE}/password/reset/") for link in links)
    assert "kyoso-internal" not in mail.get_content()


def test_host_header_verification_link_uses_site_url(client, outbox, user):
    role = get_role("municipal_staff")
    _post_form_on(client, ALIAS, "/login", {"email": user.email, "password": PASSWORD})
    response = _post_form_on(client, ALIAS, "/settings/verification", {
        "role_id": str(role.id), "organisation": "横手市", "prefecture_code": "05",
        "municipality": "横手市", "work_email": "sato@city.yokote.lg.jp"})  # fmt: skip
    assert response.status_code == 302
    (mail,) = outbox()
    links = _links(mail.get_content())
    assert links and all(link.startswith(f"{SITE}/verify/") for link in links)


def test_host_header_notification_mail_links_use_site_url(app, client, thread, user_factory,
                                                          outbox):  # fmt: skip
    from datetime import timedelta

    from core.types import utcnow

    me = user_factory(handle="mail_me")
    author = user_factory()
    token = create_api_token(author)
    db.session.commit()
    response = client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "@mail_me 確認を"},
                           headers={"Authorization": f"Bearer {token}"}, base_url=ALIAS)  # fmt: skip
    assert response.status_code == 201
    assert response.get_json()["url"].startswith(f"{SITE}/p/")
    worker.run_once()
    worker.run_once(now=utcnow() + timedelta(days=1))
    mails = [m for m in outbox() if m["To"] == me.email]
    assert mails
    for mail in mails:
        for part in ("plain", "html"):
            links = _links(mail.get_body(preferencelist=(part,)).get_content())
            assert links and all(link.startswith(SITE + "/") for link in links), links
        assert mail["List-Unsubscribe"].startswith(f"<{SITE}/notifications/unsubscribe/")


def test_host_header_api_location_and_urls_use_site_url(client, user):
    token = create_api_token(user)
    db.session.commit()
    response = client.post("/api/v1/boards/zentai/threads",
                           json={"title": "新しい話題", "body": "本文です"},
                           headers={"Authorization": f"Bearer {token}"}, base_url=ALIAS)  # fmt: skip
    assert response.status_code == 201
    assert response.headers["Location"].startswith(f"{SITE}/t/")
    body = response.get_json()
    assert body["url"] == response.headers["Location"]
    assert body["post"]["url"].startswith(f"{SITE}/p/")
    boards = client.get("/api/v1/boards", base_url=ALIAS).get_json()
    assert all(b["url"].startswith(f"{SITE}/b/") for b in boards["boards"])


def test_host_header_feed_ics_and_jsonld_use_site_url(client, structured_factory):
    event = structured_factory("event", title="研修会", start_at="2030-12-01T10:00+09:00")
    feed = feedparser.parse(client.get("/feeds/events.atom?prefecture=28",
                                       base_url=ALIAS).get_data())  # fmt: skip
    assert feed.entries
    assert feed.feed.id.startswith(f"{SITE}/feeds/events.atom")
    assert all(link.href.startswith(SITE) for link in feed.feed.links)
    assert all(e.id.startswith(f"{SITE}/t/") and e.link.startswith(SITE) for e in feed.entries)
    ics = client.get(f"/t/{event.id}/event.ics", base_url=ALIAS)
    (vevent,) = [c for c in Calendar.from_ical(ics.get_data()).walk() if c.name == "VEVENT"]
    assert str(vevent["url"]) == f"{SITE}/t/{event.id}"
    assert str(vevent["uid"]).endswith("@kyoso.example.lg.jp")
    page = client.get(f"/t/{event.id}", base_url=ALIAS).get_data(as_text=True)
    jsonld = re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1)
    assert f'"url": "{SITE}/t/{event.id}"' in jsonld
    assert "kyoso-internal" not in ics.get_data(as_text=True) + jsonld


def test_host_header_production_refuses_to_start_without_site_url(database_url, tmp_path):
    with pytest.raises(ConfigurationError, match="SITE_URL"):
        make_test_app(database_url, tmp_path, TESTING=False, SITE_URL="")
    for bad in ("kyoso.example.lg.jp", "javascript:alert(1)", "https://", "https://x.jp/?a=1"):
        with pytest.raises(ConfigurationError, match="SITE_URL"):
            make_test_app(database_url, tmp_path, SITE_URL=bad)


def test_host_header_production_accepts_only_site_url_and_listed_hosts(database_url, tmp_path):
    # production mode, but no background workers: a thread of this test must not outlive its
    # database (it would fail in a later test once the database is dropped)
    app = make_test_app(database_url, tmp_path, TESTING=False, SITE_URL=SITE,
                        TRUSTED_HOSTS="kyoso-internal.example", SEARCH_INDEXER="off",
                        NOTIFICATION_WORKER="off")  # fmt: skip
    try:
        client = app.test_client()
        assert client.get("/healthz", headers={"Host": "kyoso.example.lg.jp"}).status_code == 200
        assert client.get("/healthz", headers={"Host": "kyoso-internal.example"}).status_code == 200
        assert client.get("/healthz", headers={"Host": "localhost"}).status_code == 400
        assert client.get("/healthz", headers={"Host": "attacker.example"}).status_code == 400
    finally:
        with app.app_context():
            db.engine.dispose()


def test_host_header_no_absolute_url_is_built_from_the_request():
    """``_external=True``, ``request.host_url``/``url_root``/``host`` stay out of the code: every
    absolute link goes through ``core.urls.absolute_url`` (so the attack cannot come back)."""
    pattern = (
        r"_external\s*=\s*True|host_url|url_root|root_url|request\.base_url|request\.host\b"
        r"|request\.url\b"
    )
    found = subprocess.run(
        ["git", "grep", "--untracked", "-nE", pattern, "--", "*.py", "*.html", "*.xml", "*.txt",
         ":!tests/", ":!core/urls.py"],
        cwd=ROOT, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert found == "", found
