"""Migration 0025 on an existing database: the events and cases already there keep their
prefecture, and afterwards an online event of national scope can be saved without one (SQLite
rebuilds the table; PostgreSQL drops the NOT NULL — run with TEST_DATABASE_URL for that)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from tests.fixtures.database import own_database as _own_database
from tests.security.test_leak_matrix import _fill, _old_member


def test_migration_0025_keeps_prefectures_and_allows_none(tmp_path):
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from core.extensions import db

    with _own_database(tmp_path, None, "migration0025") as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "m", "INSTANCE_PATH": str(tmp_path)})
        with app.app_context():
            upgrade(revision="0024")
            engine = create_engine(url)
            with engine.begin() as conn:
                user_id = _old_member(conn)
                board_id = conn.scalar(text("SELECT id FROM boards WHERE slug = 'events'"))
                for title in ("長野の研修", "全国の配信"):
                    _fill(conn, "threads", {"board_id": board_id, "author_id": user_id,
                                            "title": title, "kind": "event", "last_number": 1})  # fmt: skip
                first, second = conn.scalars(text("SELECT id FROM threads ORDER BY id")).all()
                _fill(conn, "thread_details", {"thread_id": first, "kind": "event",
                                               "prefecture_code": "20", "municipality_code": "202011",
                                               "status": "scheduled", "attendance_mode": "venue",
                                               "starts_at": "2030-12-01 01:00:00"})  # fmt: skip
                assert not _nullable(conn)
                with pytest.raises(IntegrityError), conn.begin_nested():
                    _fill(conn, "thread_details", {"thread_id": second, "kind": "event",
                                                   "prefecture_code": None, "status": "scheduled"})
            upgrade()
            with engine.begin() as conn:
                assert _nullable(conn)
                kept = conn.execute(text(
                    "SELECT prefecture_code, municipality_code FROM thread_details"
                    " WHERE thread_id = :id"), {"id": first}).one()  # fmt: skip
                assert tuple(kept) == ("20", "202011")
                indexes = {i["name"] for i in inspect(conn).get_indexes("thread_details")}
                # 0031 carried the start-time index on with the thread's state (…_start_state)
                assert {"ix_thread_details_kind_pref", "ix_thread_details_kind_start_state"} <= indexes
                _fill(conn, "thread_details", {"thread_id": second, "kind": "event",
                                               "board_id": board_id,  # 0031's copy
                                               "prefecture_code": None, "status": "scheduled",
                                               "attendance_mode": "online",
                                               "starts_at": "2030-12-02 01:00:00"})  # fmt: skip
            # and back: the event without prefecture is placed in 東京都 rather than lost
            downgrade(revision="0024")
            with engine.connect() as conn:
                assert not _nullable(conn)
                assert conn.scalar(text("SELECT prefecture_code FROM thread_details"
                                        " WHERE thread_id = :id"), {"id": second}) == "13"  # fmt: skip
            engine.dispose()
            db.engine.dispose()


def _nullable(conn) -> bool:
    columns = {c["name"]: c for c in inspect(conn).get_columns("thread_details")}
    return columns["prefecture_code"]["nullable"]
