"""The events' start-time index also carries the prefecture (issue #18): the prefecture map of
/events counts the upcoming (or past) events per prefecture from the index alone, without reading
each ~2.6 KB row for its prefecture (at 100,000 structured threads, upcoming events 18 → 7 ms in
SQLite, past events 108 → 31 ms; bench/README.md). It replaces ix_thread_details_kind_start,
whose order (kind, starts_at, thread_id) it keeps for the listings and the calendar: with both
present, SQLite without statistics keeps choosing the narrower one.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 20:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_thread_details_kind_start_pref', 'thread_details',
                    ['kind', 'starts_at', 'thread_id', 'prefecture_code'], unique=False)
    op.drop_index('ix_thread_details_kind_start', table_name='thread_details')


def downgrade():
    op.create_index('ix_thread_details_kind_start', 'thread_details',
                    ['kind', 'starts_at', 'thread_id'], unique=False)
    op.drop_index('ix_thread_details_kind_start_pref', table_name='thread_details')
