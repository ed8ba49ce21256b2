"""A structured thread's details carry copies of its thread's ``is_deleted``, ``is_hidden`` and
``board_id`` (issue #18): the prefecture map's counts and the listings' result counts then read
one index of ``thread_details`` alone, instead of looking up each item's thread (at 100,000
structured threads that look-up was most of the uncached map's cost; bench/README.md, "Prefecture
map"). ``structured.copies`` keeps the copies in step at every commit.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 09:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

COPY = """UPDATE thread_details SET
    is_deleted = (SELECT t.is_deleted FROM threads t WHERE t.id = thread_details.thread_id),
    is_hidden = (SELECT t.is_hidden FROM threads t WHERE t.id = thread_details.thread_id),
    board_id = (SELECT t.board_id FROM threads t WHERE t.id = thread_details.thread_id)"""

#: every item of a kind that counts (neither deleted nor hidden) in prefecture order, with its
#: board (the audience rule) and the columns the listings filter on: a count is this index alone.
#: The thread id last: SQLite keeps it in every index anyway, PostgreSQL needs it there to match
#: a field's or domain's threads without reading the table.
STATE = ['kind', 'is_deleted', 'is_hidden', 'prefecture_code', 'board_id', 'status', 'fiscal_year',
         'population', 'funding_kind', 'policy_kind', 'ministry', 'thread_id']
#: the events' start-time index (0023) with the state and the event filters: the upcoming or past
#: events counted from the index alone, in the order the listing and the calendar read them
START_STATE = ['kind', 'starts_at', 'thread_id', 'prefecture_code', 'is_deleted', 'is_hidden',
               'board_id', 'status', 'attendance_mode']


def upgrade():
    with op.batch_alter_table('thread_details', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_deleted', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('is_hidden', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('board_id', sa.Integer(), nullable=True))
    op.execute(COPY)
    with op.batch_alter_table('thread_details', schema=None) as batch_op:
        batch_op.alter_column('board_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_thread_details_board_id_boards'), 'boards', ['board_id'], ['id'])
        batch_op.create_index('ix_thread_details_kind_state', STATE, unique=False)
        batch_op.drop_index('ix_thread_details_kind_start_pref')
        batch_op.create_index('ix_thread_details_kind_start_state', START_STATE, unique=False)
        # the 所管 choices of /policies: the ministries in order, with what the audience rule and
        # the deleted/hidden checks read (covering: no row and no thread read)
        batch_op.drop_index('ix_thread_details_kind_ministry')
        batch_op.create_index('ix_thread_details_kind_ministry',
                              ['kind', 'ministry', 'is_deleted', 'is_hidden', 'board_id'], unique=False)


def downgrade():
    with op.batch_alter_table('thread_details', schema=None) as batch_op:
        batch_op.drop_index('ix_thread_details_kind_ministry')
        batch_op.create_index('ix_thread_details_kind_ministry', ['kind', 'ministry'], unique=False)
        batch_op.drop_index('ix_thread_details_kind_start_state')
        batch_op.create_index('ix_thread_details_kind_start_pref', ['kind', 'starts_at', 'thread_id', 'prefecture_code'], unique=False)
        batch_op.drop_index('ix_thread_details_kind_state')
        batch_op.drop_constraint(batch_op.f('fk_thread_details_board_id_boards'), type_='foreignkey')
        batch_op.drop_column('board_id')
        batch_op.drop_column('is_hidden')
        batch_op.drop_column('is_deleted')
