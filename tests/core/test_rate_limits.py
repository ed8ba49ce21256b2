"""Rate limits: Japanese 429 pages, and a limit shared by two app instances through Redis."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
import redis

from tests.fixtures.app import CSRF_RE

ROOT = Path(__file__).resolve().parents[2]


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


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("KYOSO_REQUIRE_SERVICES"):
            pytest.fail("REDIS_URL is not set but KYOSO_REQUIRE_SERVICES=1")
        pytest.skip("set REDIS_URL to run the Redis tests")
    return url


@pytest.mark.redis
def test_rate_limits_are_shared_between_worker_processes_through_redis(
    database_url, tmp_path, user
):
    """Two worker processes count failed logins against one limit kept in Redis."""
    url = _redis_url()
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
    workers = [_start_worker(database_url, tmp_path / f"w{i}", config) for i in range(2)]
    try:
        statuses = []
        for i in range(11):
            process, port = workers[i % 2]
            statuses.append(_failed_login(f"http://127.0.0.1:{port}", user.email))
        return statuses
    finally:
        for process, _ in workers:
            process.terminate()
            process.wait(timeout=10)
            process.stdout.close()


def _start_worker(database_url, instance, config):
    full = {"DATABASE_URL": database_url, "SECRET_KEY": "multi-process-test",
            "INSTANCE_PATH": str(instance), "RATELIMIT_ENABLED": True, **config}  # fmt: skip
    env = {**os.environ, "KYOSO_TEST_CONFIG": json.dumps(full)}
    instance.mkdir(parents=True, exist_ok=True)
    with open(instance / "worker.log", "wb") as log:  # request log and errors, for debugging
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.serve_worker"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True,
        )  # fmt: skip
    return process, int(process.stdout.readline())


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
