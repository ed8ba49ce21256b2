"""Consent (issue #15, item 5): the version of the terms and privacy policy a member accepted at
registration, and when.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

from core.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms_version', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('terms_accepted_at', UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('terms_accepted_at')
        batch_op.drop_column('terms_version')
