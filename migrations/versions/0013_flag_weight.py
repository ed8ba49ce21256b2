"""Flags carry the flagger's trust weight (issue #13: auto-hide by summed weight, not by count).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 13:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # existing flags keep counting as one person each, as they did
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weight', sa.Float(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.drop_column('weight')
