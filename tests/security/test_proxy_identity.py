"""Class 4 of issue #13: the client's identity behind a reverse proxy.

The attack: behind the documented nginx every visitor was 127.0.0.1, so 10 wrong logins by one
person locked everyone's login and 6 reset requests blocked resets site-wide. Now
``PROXY_FIX_X_FOR`` names how many proxies to believe, login limits count per target account and
per client address, reset limits per address and per target e-mail — and with 0 proxies a made-up
``X-Forwarded-For`` changes nothing.
"""

from __future__ import annotations

import pytest

from tests.fixtures.app import PASSWORD

LIMITED = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
PROXY = "10.0.0.2"  # the nginx in front: every request arrives from it


def _from(client, forwarded_for: str | None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return {"headers": headers, "environ_base": {"REMOTE_ADDR": PROXY}}


def _forgot(client, email: str, forwarded_for: str | None = None) -> int:
    token = client.csrf_token("/password/forgot")
    return client.post("/password/forgot", data={"csrf_token": token, "email": email},
                       **_from(client, forwarded_for)).status_code  # fmt: skip


def _login(client, email: str, password: str, forwarded_for: str | None = None) -> int:
    token = client.csrf_token("/login")
    data = {"csrf_token": token, "email": email, "password": password}
    status = client.post("/login", data=data, **_from(client, forwarded_for)).status_code
    if status == 302:
        client.post("/logout", data={"csrf_token": client.csrf_token()})
    return status


@pytest.mark.parametrize("app_config", [{**LIMITED, "PROXY_FIX_X_FOR": 1}], indirect=True)
def test_proxy_clients_behind_a_trusted_proxy_are_limited_separately(client):
    first = [_forgot(client, f"person{i}@example.jp", "203.0.113.1") for i in range(11)]
    assert first[:10] == [302] * 10 and first[10] == 429
    # another visitor behind the same proxy is not blocked by the first one
    assert _forgot(client, "someone@example.jp", "203.0.113.2") == 302


@pytest.mark.parametrize("app_config", [{**LIMITED, "PROXY_FIX_X_FOR": 0}], indirect=True)
def test_proxy_forwarded_for_is_ignored_without_a_trusted_proxy(client):
    """Spoofing: a new made-up X-Forwarded-For on every request does not escape the limit."""
    statuses = [_forgot(client, f"person{i}@example.jp", f"198.51.100.{i}") for i in range(11)]
    assert statuses[:10] == [302] * 10 and statuses[10] == 429


@pytest.mark.parametrize("app_config", [{**LIMITED, "PROXY_FIX_X_FOR": 1}], indirect=True)
def test_proxy_only_the_last_hop_is_believed(client):
    """With one trusted proxy, a client's own X-Forwarded-For entries (left of what nginx
    appends) are not believed: varying them does not escape the limit."""
    statuses = [
        _forgot(client, f"person{i}@example.jp", f"198.51.100.{i}, 203.0.113.9") for i in range(11)
    ]
    assert statuses[10] == 429


@pytest.mark.parametrize("app_config", [LIMITED], indirect=True)
def test_proxy_wrong_passwords_for_one_account_do_not_lock_out_others(client, user_factory):
    victim, other = user_factory(), user_factory()
    statuses = [_login(client, victim.email, "wrong-password") for _ in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429
    # the same address (the whole office behind one proxy) can still sign in to other accounts
    assert _login(client, other.email, PASSWORD) == 302
    assert _login(client, other.email, "wrong-password") == 422


@pytest.mark.parametrize("app_config", [LIMITED], indirect=True)
def test_proxy_one_address_trying_many_accounts_is_limited(client, user_factory):
    people = [user_factory() for _ in range(31)]
    statuses = [_login(client, p.email, "wrong-password") for p in people]
    assert statuses[:30] == [422] * 30 and statuses[30] == 429


@pytest.mark.parametrize("app_config", [LIMITED], indirect=True)
def test_proxy_successful_logins_do_not_use_up_the_budget(client, user_factory):
    """Colleagues behind one address signing in all morning are never refused."""
    people = [user_factory() for _ in range(35)]
    assert [_login(client, p.email, PASSWORD) for p in people] == [302] * 35


@pytest.mark.parametrize("app_config", [{**LIMITED, "PROXY_FIX_X_FOR": 1}], indirect=True)
def test_proxy_reset_requests_per_target_address_are_limited(client, outbox, user):
    """Mail bombing one mailbox from many addresses stops after 3 an hour."""
    statuses = [_forgot(client, user.email, f"203.0.113.{i}") for i in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert len(outbox()) == 3
    assert _forgot(client, "another@example.jp", "203.0.113.50") == 302
