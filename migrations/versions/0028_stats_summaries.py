"""Summary rows for the statistics (issue #18 item 4): per month and author the posts of the
public boards (site and platform) and of each closed board, each thread's first reply, the
structured items counted per board, month, prefecture and facet, and how far
the summary has read the search outbox. Empty after the upgrade: the statistics are computed
directly until ``flask stats refresh`` (or the background worker) has built them.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 03:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stats_post_months',
    sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('space_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('board_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('author_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('threads', sa.Integer(), nullable=False),
    sa.Column('posts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'space_id', 'board_id', 'author_id')
    )
    op.create_index('ix_stats_post_months_level', 'stats_post_months',
                    ['space_id', 'board_id', 'fiscal_year', 'month', 'author_id', 'threads', 'posts'])
    op.create_table('stats_first_replies',
    sa.Column('thread_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_reply_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_reply_post_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('thread_id')
    )
    op.create_index('ix_stats_first_replies_board', 'stats_first_replies',
                    ['board_id', 'created_at', 'first_reply_at'])
    op.create_index('ix_stats_first_replies_post', 'stats_first_replies', ['first_reply_post_id'])
    op.create_table('stats_item_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('facet', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('prefecture_code', sa.String(length=2), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('going', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_stats_item_counts_facet', 'stats_item_counts',
                    ['kind', 'facet', 'fiscal_year', 'board_id', 'prefecture_code', 'month',
                     'value', 'n', 'going'])
    op.create_table('stats_summary_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('outbox_mark', sa.Integer(), nullable=False),
    sa.Column('gaps', sa.JSON(), nullable=False),
    sa.Column('boards', sa.String(length=64), nullable=False),
    sa.Column('building_from', sa.Integer(), nullable=True),
    sa.Column('building_mark', sa.Integer(), nullable=False),
    sa.Column('built', sa.Boolean(), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade():
    op.drop_table('stats_summary_state')
    op.drop_index('ix_stats_item_counts_facet', table_name='stats_item_counts')
    op.drop_table('stats_item_counts')
    op.drop_index('ix_stats_first_replies_post', table_name='stats_first_replies')
    op.drop_index('ix_stats_first_replies_board', table_name='stats_first_replies')
    op.drop_table('stats_first_replies')
    op.drop_index('ix_stats_post_months_level', table_name='stats_post_months')
    op.drop_table('stats_post_months')
