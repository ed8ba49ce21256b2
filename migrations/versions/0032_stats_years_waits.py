"""The statistics' summary for all time and the medians (issue #18 item 4): posts per fiscal
year and author (``stats_post_years``), the month rows' index led by the board, each question's
Tokyo month and wait in microseconds on ``stats_first_replies``, and the review queue's items with their week and time to a decision
(``stats_moderation_items``). The summary is emptied and marked unbuilt: the statistics are
counted directly until the worker (or ``flask stats refresh``) has built it again.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE stats_summary_state SET built = false, building_from = NULL")
    op.execute("DELETE FROM stats_first_replies")
    # the months' index led by the board: the public level and each readable closed board are
    # one range each (led by the platform, SQLite scanned every month's rows)
    op.drop_index('ix_stats_post_months_level', table_name='stats_post_months')
    op.create_index('ix_stats_post_months_board', 'stats_post_months',
                    ['board_id', 'space_id', 'fiscal_year', 'month', 'author_id', 'threads', 'posts'])
    op.create_table('stats_post_years',
    sa.Column('board_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('space_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('fiscal_year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('author_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('threads', sa.Integer(), nullable=False),
    sa.Column('posts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('board_id', 'space_id', 'fiscal_year', 'author_id')
    )
    op.create_index('ix_stats_post_years_level', 'stats_post_years',
                    ['board_id', 'space_id', 'fiscal_year', 'author_id', 'threads', 'posts'])
    with op.batch_alter_table('stats_first_replies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('month', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('fiscal_year', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('wait_us', sa.BigInteger(), nullable=True))
        batch_op.drop_index('ix_stats_first_replies_board')
        batch_op.create_index('ix_stats_first_replies_wait',
                              ['board_id', 'fiscal_year', 'month', 'wait_us'], unique=False)
    op.create_table('stats_moderation_items',
    sa.Column('item_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=True),
    sa.Column('board_id', sa.Integer(), nullable=True),
    sa.Column('wait_us', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('item_id')
    )
    op.create_index('ix_stats_moderation_items_created', 'stats_moderation_items',
                    ['created_at', 'week', 'wait_us', 'space_id', 'board_id'])


def downgrade():
    op.execute("UPDATE stats_summary_state SET built = false, building_from = NULL")
    op.execute("DELETE FROM stats_first_replies")
    op.drop_index('ix_stats_moderation_items_created', table_name='stats_moderation_items')
    op.drop_table('stats_moderation_items')
    with op.batch_alter_table('stats_first_replies', schema=None) as batch_op:
        batch_op.drop_index('ix_stats_first_replies_wait')
        batch_op.create_index('ix_stats_first_replies_board',
                              ['board_id', 'created_at', 'first_reply_at'], unique=False)
        batch_op.drop_column('wait_us')
        batch_op.drop_column('fiscal_year')
        batch_op.drop_column('month')
    op.drop_index('ix_stats_post_years_level', table_name='stats_post_years')
    op.drop_table('stats_post_years')
    op.drop_index('ix_stats_post_months_board', table_name='stats_post_months')
    op.create_index('ix_stats_post_months_level', 'stats_post_months',
                    ['space_id', 'board_id', 'fiscal_year', 'month', 'author_id', 'threads', 'posts'])
