"""Worker processes for multi-process tests: the app served by ``tests.support.serve_worker``
in its own Python process, as a production worker would be."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def redis_url_or_skip() -> str:
    """REDIS_URL for tests that need Redis; they fail instead of skipping in CI."""
    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("KYOSO_REQUIRE_SERVICES"):
            pytest.fail("REDIS_URL is not set but KYOSO_REQUIRE_SERVICES=1")
        pytest.skip("set REDIS_URL to run the Redis tests")
    return url


@contextmanager
def worker_processes(
    database_url: str, tmp_path: Path, config: dict, count: int = 2
) -> Iterator[list[str]]:
    """Start ``count`` workers sharing one database; yields their base URLs."""
    started: list[subprocess.Popen] = []
    urls: list[str] = []
    try:
        for i in range(count):
            process, port = _start(database_url, tmp_path / f"worker{i}", config)
            started.append(process)
            urls.append(f"http://127.0.0.1:{port}")
        yield urls
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=10)
            process.stdout.close()


def _start(database_url: str, instance: Path, config: dict) -> tuple[subprocess.Popen, int]:
    full = {"DATABASE_URL": database_url, "SECRET_KEY": "multi-process-test",
            "INSTANCE_PATH": str(instance), "SITE_URL": "http://127.0.0.1",
            "MODERATION_HOLD_FIRST_POSTS": 0,
            "MODERATION_DUPLICATE_MINUTES": 0, **config}  # fmt: skip
    env = {**os.environ, "KYOSO_TEST_CONFIG": json.dumps(full)}
    instance.mkdir(parents=True, exist_ok=True)
    with open(instance / "worker.log", "wb") as log:  # request log and errors, for debugging
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.serve_worker"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True,
        )  # fmt: skip
    line = process.stdout.readline()
    if not line.strip().isdigit():
        process.kill()
        raise RuntimeError(f"worker did not start; see {instance / 'worker.log'}")
    return process, int(line)
