"""Layers import downward only: a package may import those below it, never one above it.

    core                      domain-free plumbing (no project package)
    taxonomy, auth, audit     who and what: accounts, permissions, the audit log
    forum                     boards, threads, posts, publishing, actions
    structured, moderation, search, attachments, directory, realtime, notifications
    api, spaces, admin, demo, privacy, stats  entry points that combine them

Within a layer, the order below is the allowed direction (moderation may use structured-free
forum, notifications may use moderation and realtime, …). A new wrong-way import fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: package → the project packages it may import
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "taxonomy": {"core"},
    "auth": {"core", "taxonomy"},
    "audit": {"core", "auth"},
    "forum": {"core", "taxonomy", "auth", "audit"},
    "structured": {"core", "taxonomy", "auth", "audit", "forum"},
    "moderation": {"core", "taxonomy", "auth", "audit", "forum", "conversations"},
    "search": {"core", "taxonomy", "auth", "forum", "structured"},
    "attachments": {"core", "auth", "audit", "forum"},
    "realtime": {"core", "auth", "forum"},
    "directory": {"core", "taxonomy", "auth", "audit", "forum", "structured"},
    # private conversations (issue #16): moderation and notifications subscribe to them
    "conversations": {"core", "taxonomy", "auth", "audit", "forum", "realtime", "directory"},
    "notifications": {
        "core",
        "taxonomy",
        "auth",
        "audit",
        "forum",
        "structured",
        "moderation",
        "realtime",
        "conversations",
    },  # fmt: skip
    # the platforms' pages, API and CLI (their models and rule are in auth)
    "spaces": {"core", "taxonomy", "auth", "audit", "forum", "structured", "moderation", "api"},
    "api": {"core", "taxonomy", "auth", "forum", "structured"},
    "admin": {"core", "taxonomy", "auth", "audit"},
    "demo": {"core", "taxonomy", "auth", "forum", "structured", "directory", "spaces", "pages",
             "cocreation"},
    # the front door and the site pages: the home page's lists, the contact form's queue item
    "pages": {"core", "taxonomy", "auth", "audit", "forum", "structured", "moderation"},
    # figures over what the platform holds (issue #18): the map on the structured listings
    # (through a panel hook of structured.listings), statistics pages, their API and workbooks;
    # their summary rows follow the search outbox (the one record of changed posts and threads)
    "stats": {"core", "taxonomy", "auth", "forum", "structured", "directory", "moderation",
              "notifications", "search"},  # fmt: skip
    # personal data: the inventory, export, erasure and retention read every domain's tables
    "privacy": {
        "core",
        "taxonomy",
        "auth",
        "audit",
        "forum",
        "structured",
        "moderation",
        "search",
        "attachments",
        "notifications",
        "pages",  # messages to the secretariat (retention)
        "conversations",
        "cocreation",  # offers sent for an organisation (開示)
    },  # fmt: skip
    # うまれる's matching suggestions (issue #16): the directory, the cases and problems, the search
    # index's text similarity, the weekly digest through the notifications
    "matching": {"core", "taxonomy", "auth", "forum", "structured", "directory", "search",
                 "notifications"},  # fmt: skip
    # うまれる (issue #16): offers on local problems, their status, the case they produce
    "cocreation": {"core", "taxonomy", "auth", "audit", "forum", "structured", "directory",
                   "moderation", "notifications", "conversations"},  # fmt: skip
    # backups (issue #17): the database, the attachment files, the search index rebuilt
    "backup": {"core", "auth", "audit", "forum", "attachments", "search"},
}


def _imports(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in ALLOWED and top != package:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_layers_import_downward_only(package):
    wrong = {top: sorted(files) for top, files in _imports(package).items()
             if top not in ALLOWED[package]}  # fmt: skip
    assert wrong == {}, f"{package} imports a higher layer: {wrong}"


def test_layers_cover_every_package():
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} - {
        "tests",
        "bench",
        "migrations",
    }
    assert packages == set(ALLOWED)
