"""Spaces (issue #12): the national platform and prefectural platforms on one server, members of
a space, boards' reading audiences, and join requests in the review queue. Everything that exists
belongs to the national space (id 1) and stays public.

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-06 16:40:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

from core.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    spaces = op.create_table(
        'spaces',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('prefecture_code', sa.String(length=2), nullable=True),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('join_policy', sa.String(length=20), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['prefecture_code'], ['prefectures.code']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('slug'),
    )
    op.bulk_insert(spaces, [{
        'id': 1, 'slug': 'national', 'name': '全国版生活支援共創プラットフォーム',
        'kind': 'national', 'prefecture_code': None,
        'description': '省庁・全国団体と全国のコーディネーター、自治体職員が集まる全国版の場です。',
        'join_policy': 'open', 'position': 0,
        'created_at': datetime(2026, 12, 6, tzinfo=timezone.utc),
    }])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("SELECT setval(pg_get_serial_sequence('spaces', 'id'), (SELECT MAX(id) FROM spaces))")
    op.create_table(
        'space_members',
        sa.Column('space_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('space_id', 'user_id'),
    )
    op.create_index('ix_space_members_user_id', 'space_members', ['user_id'])
    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('space_id', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('audience', sa.String(length=20), server_default='public',
                                      nullable=False))
        batch_op.add_column(sa.Column('audience_roles', sa.String(length=200), server_default='',
                                      nullable=False))
        batch_op.create_index('ix_boards_space_id', ['space_id'])
        batch_op.create_foreign_key('fk_boards_space_id', 'spaces', ['space_id'], ['id'])
    with op.batch_alter_table('moderation_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('space_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_moderation_items_space_id', 'spaces', ['space_id'], ['id'],
                                    ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('moderation_items', schema=None) as batch_op:
        batch_op.drop_constraint('fk_moderation_items_space_id', type_='foreignkey')
        batch_op.drop_column('space_id')
    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.drop_constraint('fk_boards_space_id', type_='foreignkey')
        batch_op.drop_index('ix_boards_space_id')
        batch_op.drop_column('audience_roles')
        batch_op.drop_column('audience')
        batch_op.drop_column('space_id')
    op.drop_index('ix_space_members_user_id', table_name='space_members')
    op.drop_table('space_members')
    op.drop_table('spaces')
