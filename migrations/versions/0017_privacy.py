"""Privacy (issue #15): accounts that left (退会) keep a pseudonymous row (``users.erased_at``), and
the keyed hashes of the addresses of sanctioned accounts that left, so that they cannot come back
within the sanction period (the address itself is not kept).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from core.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', UTCDateTime(), nullable=True))
    op.create_table(
        'erased_addresses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address_key', sa.String(length=64), nullable=False),
        sa.Column('blocked_until', UTCDateTime(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_erased_addresses_address_key', 'erased_addresses', ['address_key'])


def downgrade():
    op.drop_index('ix_erased_addresses_address_key', table_name='erased_addresses')
    op.drop_table('erased_addresses')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
