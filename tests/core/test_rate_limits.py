"""Rate limits: Japanese 429 pages, and a limit shared by two app instances through Redis."""

import os
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar

import pytest
import redis

from tests.fixtures.app import CSRF_RE
from tests.support.workers import redis_url_or_skip, worker_processes


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}


def test_rate_limits_login_attempts_get_japanese_429(client, user):
    statuses = [
        client.post_form("/login", {"email": user.email, "password": "wrong-password"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
    response = client.post_form("/login", {"email": user.email, "password": "wrong-password"})
    assert "しばらく待ってからもう一度お試しください" in response.get_data(as_text=True)


@pytest.mark.redis
def test_rate_limits_are_shared_between_worker_processes_through_redis(
    database_url, tmp_path, user
):
    """Two worker processes count failed logins against one limit kept in Redis."""
    url = redis_url_or_skip()
    prefix = f"kyoso-test-{uuid.uuid4().hex}"
    try:
        statuses = _alternate_logins(database_url, tmp_path, user, {
            "RATELIMIT_STORAGE_URI": url, "RATELIMIT_KEY_PREFIX": prefix})  # fmt: skip
    finally:
        connection = redis.Redis.from_url(url)
        for key in connection.scan_iter(f"*{prefix}*"):
            connection.delete(key)
        connection.close()
    assert statuses[:10] == [422] * 10, statuses
    assert statuses[10] == 429


def test_rate_limits_in_memory_are_per_worker_process(database_url, tmp_path, user):
    """Control for the Redis test: without a shared store each process counts on its own."""
    statuses = _alternate_logins(
        database_url, tmp_path, user, {"RATELIMIT_STORAGE_URI": "memory://"}
    )
    assert statuses == [422] * 11


def _alternate_logins(database_url, tmp_path, user, config) -> list[int]:
    """11 failed logins from one address, alternating between two worker processes."""
    config = {"RATELIMIT_ENABLED": True, **config}
    with worker_processes(database_url, tmp_path, config) as urls:
        return [_failed_login(urls[i % 2], user.email) for i in range(11)]


def _failed_login(base: str, email: str) -> int:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    html = opener.open(f"{base}/login", timeout=10).read().decode()
    token = CSRF_RE.search(html).group(1)
    data = urllib.parse.urlencode(
        {"csrf_token": token, "email": email, "password": "wrong-password"}
    ).encode()
    try:
        return opener.open(f"{base}/login", data=data, timeout=10).status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def test_rate_limits_posting_budget_is_per_person(client, user_factory, thread):
    """Colleagues behind one municipal proxy (one address) each have their own budget."""
    from auth.accounts import create_api_token
    from core.extensions import db

    people = [user_factory(), user_factory()]
    tokens = [create_api_token(p) for p in people]
    db.session.commit()

    def reply(token, i):
        return client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": f"返信 {i}"},
                           headers={"Authorization": f"Bearer {token}"}).status_code  # fmt: skip

    assert [reply(tokens[0], i) for i in range(21)][-2:] == [201, 429]
    assert reply(tokens[1], 99) == 201


@pytest.fixture
def own_redis():
    """A redis-server of the test's own (to stop under the site), and its URL."""
    import shutil
    import subprocess

    from bench.cluster import _redis_ping as ping
    from bench.cluster import free_port, wait_until

    if shutil.which("redis-server") is None:  # CI (KYOSO_REQUIRE_SERVICES) fails instead
        if os.environ.get("KYOSO_REQUIRE_SERVICES"):
            pytest.fail("redis-server is not installed but KYOSO_REQUIRE_SERVICES=1")
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port),
                                "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_until(lambda: ping(port), 20, "redis-server answering")
        yield process, f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait(timeout=10)


def test_rate_limits_store_going_away_falls_back_to_memory(database_url, tmp_path, own_redis, user):
    """Found by bench/faults.py (issue #17): with the limit store (Redis) gone, every limited
    request answered 500. Each process now counts in memory until the store is back."""
    from core.extensions import db
    from tests.fixtures.app import Client, make_test_app

    process, url = own_redis
    app = make_test_app(database_url, tmp_path, RATELIMIT_ENABLED=True,
                        RATELIMIT_STORAGE_URI=url)  # fmt: skip
    app.test_client_class = Client
    client = app.test_client()
    form = {"email": user.email, "password": "wrong-password"}
    assert client.post_form("/login", form).status_code == 422  # counted in Redis
    process.kill()
    process.wait(timeout=10)
    statuses = [client.post_form("/login", form).status_code for _ in range(11)]
    assert 500 not in statuses
    assert statuses[-1] == 429  # the limit still holds, counted in memory
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
