"""Migration 0031 on an existing database: every structured thread's details get copies of its
thread's ``is_deleted``, ``is_hidden`` and ``board_id`` (a hidden, a deleted and a moved item
here), and a downgrade takes them away again (SQLite rebuilds the table; PostgreSQL alters it —
run with TEST_DATABASE_URL for that)."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from tests.fixtures.database import own_database as _own_database
from tests.security.test_leak_matrix import _fill, _old_member


def test_migration_0031_copies_each_threads_state_into_its_details(tmp_path):
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from core.extensions import db

    with _own_database(tmp_path, None, "migration0031") as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "m", "INSTANCE_PATH": str(tmp_path)})
        with app.app_context():
            upgrade(revision="0030")
            engine = create_engine(url)
            with engine.begin() as conn:
                user_id = _old_member(conn)
                boards = dict(conn.execute(text("SELECT slug, id FROM boards")).all())
                made = {}
                for title, board, deleted, hidden in (("見える事例", "jirei", False, False),
                                                      ("隠された事例", "jirei", False, True),
                                                      ("削除された事例", "jirei", True, False),
                                                      ("移された事例", "zentai", False, False)):  # fmt: skip
                    _fill(conn, "threads", {"board_id": boards[board], "author_id": user_id,
                                            "title": title, "kind": "case", "last_number": 1,
                                            "is_deleted": deleted, "is_hidden": hidden})  # fmt: skip
                    made[title] = conn.scalar(
                        text("SELECT id FROM threads WHERE title = :t"), {"t": title}
                    )
                    _fill(conn, "thread_details", {"thread_id": made[title], "kind": "case",
                                                   "prefecture_code": "28"})  # fmt: skip
            upgrade()
            with engine.connect() as conn:
                copies = {
                    tid: (bool(deleted), bool(hidden), board)
                    for tid, deleted, hidden, board in conn.execute(
                        text("SELECT thread_id, is_deleted, is_hidden, board_id FROM thread_details")
                    )
                }
                columns = {c["name"]: c for c in inspect(conn).get_columns("thread_details")}
                indexes = {i["name"] for i in inspect(conn).get_indexes("thread_details")}
            assert copies == {
                made["見える事例"]: (False, False, boards["jirei"]),
                made["隠された事例"]: (False, True, boards["jirei"]),
                made["削除された事例"]: (True, False, boards["jirei"]),
                made["移された事例"]: (False, False, boards["zentai"]),
            }
            assert not any(columns[n]["nullable"] for n in ("is_deleted", "is_hidden", "board_id"))
            assert {"ix_thread_details_kind_state", "ix_thread_details_kind_start_state"} <= indexes
            assert "ix_thread_details_kind_start_pref" not in indexes
            downgrade(revision="0030")
            with engine.connect() as conn:
                columns = {c["name"] for c in inspect(conn).get_columns("thread_details")}
                indexes = {i["name"] for i in inspect(conn).get_indexes("thread_details")}
                kept = conn.scalar(text("SELECT count(*) FROM thread_details"))
            assert not {"is_deleted", "is_hidden", "board_id"} & columns
            assert "ix_thread_details_kind_start_pref" in indexes and kept == 4
            engine.dispose()
            db.engine.dispose()
