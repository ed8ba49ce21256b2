"""The listings' kept counts (issue #18, the prefecture map): visible items per kind, board and
prefecture (events: and month of their start, YYYYMM in UTC), in all and per player field and
life domain (``listing_counts``), kept exact by ``structured.counts`` in the transaction of every
change, and counted here from the items once. ``ix_thread_details_kind_state`` gains
``starts_at``, so that a prefecture's events are counted again from that index alone.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 13:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

_STATE = ['kind', 'is_deleted', 'is_hidden', 'prefecture_code', 'board_id', 'status',
          'fiscal_year', 'population', 'funding_kind', 'policy_kind', 'ministry']
_VISIBLE = "NOT d.is_deleted AND NOT d.is_hidden"
_PREFECTURE = "coalesce(d.prefecture_code, '')"
_MONTH = {  # structured.counts.utc_month
    "sqlite": "CAST(strftime('%Y%m', d.starts_at) AS INTEGER)",
    "postgresql": "CAST(to_char(d.starts_at AT TIME ZONE 'UTC', 'YYYYMM') AS INTEGER)",
}


def upgrade():
    op.create_table('listing_counts',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('field_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('domain_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('prefecture_code', sa.String(length=2), nullable=False),
    sa.Column('board_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'field_id', 'domain_id', 'month', 'prefecture_code', 'board_id')
    )
    op.create_index('ix_listing_counts_group', 'listing_counts', ['kind', 'prefecture_code'])
    # the state index carries the start too: a prefecture's events are counted per month of
    # their start from it alone (structured.counts)
    op.drop_index('ix_thread_details_kind_state', table_name='thread_details')
    op.create_index('ix_thread_details_kind_state', 'thread_details', _STATE + ['starts_at', 'thread_id'])
    # the same rows as structured.counts counts them (this revision's schema, written out here)
    month = (f"CASE WHEN d.kind = 'event' THEN coalesce({_MONTH[op.get_bind().dialect.name]}, 0)"
             " ELSE 0 END")
    group = f"d.kind, {month}, {_PREFECTURE}, d.board_id"
    op.execute(
        "INSERT INTO listing_counts"
        " (kind, field_id, domain_id, month, prefecture_code, board_id, items)"
        f" SELECT d.kind, 0, 0, {month}, {_PREFECTURE}, d.board_id, count(*)"
        f" FROM thread_details d WHERE {_VISIBLE} GROUP BY {group}"
        f" UNION ALL SELECT d.kind, f.player_field_id, 0, {month}, {_PREFECTURE}, d.board_id,"
        " count(*) FROM thread_details d JOIN thread_player_fields f ON f.thread_id = d.thread_id"
        f" WHERE {_VISIBLE} GROUP BY f.player_field_id, {group}"
        f" UNION ALL SELECT d.kind, 0, l.life_domain_id, {month}, {_PREFECTURE}, d.board_id,"
        " count(*) FROM thread_details d JOIN thread_life_domains l ON l.thread_id = d.thread_id"
        f" WHERE {_VISIBLE} GROUP BY l.life_domain_id, {group}"
    )

def downgrade():
    op.drop_index('ix_thread_details_kind_state', table_name='thread_details')
    op.create_index('ix_thread_details_kind_state', 'thread_details', _STATE + ['thread_id'])
    op.drop_index('ix_listing_counts_group', table_name='listing_counts')
    op.drop_table('listing_counts')
