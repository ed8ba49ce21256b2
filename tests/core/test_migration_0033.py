"""Migration 0033 on an existing database: the listings' kept counts are counted once from the
items (a hidden and a deleted item left out, tags counted per field and domain, an online event
of national scope under no prefecture), equal to what ``structured.counts`` counts; a downgrade
drops the table (run with TEST_DATABASE_URL for PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import create_engine, inspect, text

from tests.fixtures.database import own_database as _own_database
from tests.security.test_leak_matrix import _fill, _old_member

START = datetime(2027, 1, 31, 23, 30, tzinfo=UTC)


def test_migration_0033_counts_the_items_once(tmp_path):
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from core.extensions import db
    from structured import counts

    with _own_database(tmp_path, None, "migration0033") as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "m", "INSTANCE_PATH": str(tmp_path)})
        with app.app_context():
            upgrade(revision="0032")
            engine = create_engine(url)
            with engine.begin() as conn:
                user_id = _old_member(conn)
                boards = dict(conn.execute(text("SELECT slug, id FROM boards")).all())
                domain = conn.scalar(text("SELECT id FROM life_domains WHERE slug = 'kaimono'"))
                field = conn.scalar(text("SELECT id FROM player_fields ORDER BY id LIMIT 1"))
                for title, kind, code, deleted, hidden in (
                    ("見える事例", "case", "28", False, False),
                    ("もう一つの事例", "case", "28", False, False),
                    ("隠された事例", "case", "28", False, True),
                    ("削除された事例", "case", "13", True, False),
                    ("オンラインのイベント", "event", None, False, False),
                ):
                    board = boards["jirei" if kind == "case" else "events"]
                    _fill(conn, "threads", {"board_id": board, "author_id": user_id,
                                            "title": title, "kind": kind, "last_number": 1,
                                            "is_deleted": deleted, "is_hidden": hidden})  # fmt: skip
                    tid = conn.scalar(text("SELECT id FROM threads WHERE title = :t"), {"t": title})
                    _fill(conn, "thread_details", {
                        "thread_id": tid, "kind": kind, "prefecture_code": code, "board_id": board,
                        "is_deleted": deleted, "is_hidden": hidden,
                        "starts_at": START if kind == "event" else None})  # fmt: skip
                    if kind == "case":
                        conn.execute(text("INSERT INTO thread_life_domains VALUES (:t, :d)"),
                                     {"t": tid, "d": domain})  # fmt: skip
                        conn.execute(text("INSERT INTO thread_player_fields VALUES (:t, :f)"),
                                     {"t": tid, "f": field})  # fmt: skip
            upgrade()
            with engine.connect() as conn:
                rows = set(conn.execute(text(
                    "SELECT kind, field_id, domain_id, month, prefecture_code, board_id, items"
                    " FROM listing_counts")).all())  # fmt: skip
            assert rows == {
                ("case", 0, 0, 0, "28", boards["jirei"], 2),
                ("case", field, 0, 0, "28", boards["jirei"], 2),
                ("case", 0, domain, 0, "28", boards["jirei"], 2),
                # 2027-01-31 23:30 UTC is 2027-02-01 in Tokyo: the month is the UTC one
                ("event", 0, 0, 202701, "", boards["events"], 1),
            }
            assert counts.differences() == []
            db.session.remove()  # its transaction would hold the table the downgrade drops
            downgrade(revision="0032")
            with engine.connect() as conn:
                assert "listing_counts" not in inspect(conn).get_table_names()
            engine.dispose()
            db.engine.dispose()
