"""Notification sources (issue #17): the set of sources (posts, threads, queue items …) counted into
each notification, so that a job applied out of order — a re-run after a worker crash or a
database error — counts once, and a re-run counts nothing. Existing notifications get their latest
counted source (``last_source_id``); which earlier ones they counted was never recorded.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notification_sources',
        sa.Column('notification_id', sa.Integer(), nullable=False),
        sa.Column('source_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                  nullable=False),
        sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('notification_id', 'source_id'),
    )
    op.execute(
        'INSERT INTO notification_sources (notification_id, source_id) '
        'SELECT id, last_source_id FROM notifications'
    )


def downgrade():
    op.drop_table('notification_sources')
