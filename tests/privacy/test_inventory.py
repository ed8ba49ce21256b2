"""The data inventory covers every user-linked column of the schema (a new one fails here until it
is declared), names only columns that exist, and the privacy policy's data section is rendered
from it."""

from __future__ import annotations

import html

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table

from core.extensions import db
from privacy import exporting, inventory
from privacy.inventory import ERASE_ACTIONS, INVENTORY


def test_every_user_linked_column_is_in_the_inventory(app):
    assert inventory.uncovered(db.metadata) == []


def test_the_inventory_names_only_existing_columns(app):
    assert inventory.stale(db.metadata) == []


def test_a_new_user_linked_column_is_caught(app):
    metadata = MetaData()
    Table("users", metadata, Column("id", Integer, primary_key=True))
    Table(
        "volunteer_visits", metadata,
        Column("id", Integer, primary_key=True),
        Column("visitor_id", ForeignKey("users.id")),
        Column("contact_phone", String(20)),
        Column("client_ip", String(45)),
        Column("notes", String(200)),
    )  # fmt: skip
    assert {c for t, c in inventory.uncovered(metadata) if t == "volunteer_visits"} == {
        "visitor_id", "contact_phone", "client_ip"
    }  # fmt: skip


def test_every_entry_is_complete(app):
    tables = {t.name for t in db.metadata.sorted_tables}
    for e in INVENTORY:
        assert e.what and e.whose and e.why and e.retention, e
        assert e.erase in ERASE_ACTIONS, e
        assert e.export or e.why_not_exported, e
        assert e.table is None or e.table in tables, e
    assert set(exporting.SECTIONS) <= {
        "profile", "threads", "posts", "held_posts", "attachments", "flags_made",
        "moderation_decisions", "verification_requests", "notifications", "api_tokens",
        "sessions", "space_memberships", "board_moderations", "audit_entries", "conversations",
        "offers",
    }  # fmt: skip


def test_the_policy_page_is_generated_from_the_inventory(client):
    response = client.get("/privacy")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert "<h2 id=\"held-data-heading\">保有する個人データ</h2>" in page
    for e in INVENTORY:
        assert e.what in page and e.retention in page
    assert "/privacy" in client.get("/").get_data(as_text=True)  # linked from every page


def test_the_policy_page_chrome_follows_the_language(client):
    client.post_form("/lang", {"lang": "en", "next": "/"})
    page = client.get("/privacy").get_data(as_text=True)
    assert "Privacy policy" in page and "Personal data we hold" in page
