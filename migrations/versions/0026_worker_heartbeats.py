"""Worker heartbeats (issue #17, observability): each background worker writes the time of its
last step, so /readyz, ``flask status`` and /metrics tell a dead worker (core/heartbeat.py).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 03:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

from core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'worker_heartbeats',
        sa.Column('worker', sa.String(length=64), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('pid', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('started_at', UTCDateTime(), nullable=False),
        sa.Column('beat_at', UTCDateTime(), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('worker', 'host', 'pid', name=op.f('pk_worker_heartbeats')),
    )


def downgrade():
    op.drop_table('worker_heartbeats')
