"""Test setup: a real database per test (a copied SQLite file, or a PostgreSQL database cloned
from a migrated template when TEST_DATABASE_URL points at PostgreSQL).

Fixtures live in ``tests/fixtures/`` and are registered through ``pytest_plugins``.
"""

import os

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.app",
    "tests.fixtures.factories",
    "tests.fixtures.queries",
    "tests.fixtures.realtime",
    "tests.fixtures.live_server",
    "tests.fixtures.structured",
    "tests.fixtures.api",
]

# Apps created outside make_test_app (the migrated template, worker subprocesses, which inherit
# the environment) run in production mode, which requires SITE_URL.
os.environ.setdefault("SITE_URL", "http://localhost")
