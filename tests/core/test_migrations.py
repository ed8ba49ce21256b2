from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from core.extensions import db
from forum.models import Board
from taxonomy.models import LifeDomain, PlayerField, Prefecture, Region


def test_migrations_upgrade_from_empty_matches_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migrations_load_default_taxonomies_and_boards(app):
    assert db.session.scalar(select(db.func.count()).select_from(Prefecture)) == 47
    assert db.session.scalar(select(db.func.count()).select_from(Region)) == 8
    assert db.session.scalar(select(db.func.count()).select_from(PlayerField)) == 13
    assert db.session.scalar(select(db.func.count()).select_from(LifeDomain)) == 23
    assert db.session.get(Prefecture, "24").region_code == "kinki"
    assert db.session.get(Prefecture, "13").name == "東京都"
    boards = db.session.scalars(select(Board).order_by(Board.position)).all()
    assert [b.name for b in boards[:3]] == ["全体交流", "困りごと相談", "地域課題"]
    assert sum(b.kind == "field" for b in boards) == 13
    assert all(b.player_field_id for b in boards if b.kind == "field")


def test_migrations_new_rows_get_fresh_ids_after_seeded_ones(app):
    board = Board(slug="new-board", name="新しい掲示板", kind="cross", position=999)
    db.session.add(board)
    db.session.commit()
    assert board.id == 20  # 16 boards of 0002 and 3 of 0009


def test_migrations_keep_role_permissions_through_table_rebuilds(app):
    """SQLite batch migrations rebuild tables; with foreign keys on that once cascade-deleted
    every role's permissions (env.py turns them off while migrating)."""
    from auth.accounts import get_role

    assert {"thread.create", "post.create", "post.flag"} <= get_role("member").permission_names
    assert "moderation.review" in get_role("moderator").permission_names
    assert "thread.create_policy" in get_role("municipal_staff").permission_names
    assert get_role("municipal_staff").badge == "市町村"
