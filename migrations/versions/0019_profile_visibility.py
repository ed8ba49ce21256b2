"""Profile visibility (issue #15, item 5): a member chooses whether their affiliation, region and
fields are shown on their public profile. Existing profiles stay as they were (shown).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 17:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

COLUMNS = ('show_affiliation', 'show_region', 'show_fields')


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Boolean(), server_default=sa.true(),
                                          nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.drop_column(name)
