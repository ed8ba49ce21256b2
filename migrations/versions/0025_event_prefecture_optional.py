"""An online event of national scope has no prefecture (issue #14): thread_details.prefecture_code
becomes nullable. The forms and the API allow it only for an event whose 参加方法 is online;
listings, the calendar, .ics, exports and the statistics show it as 「全国（オンライン）」.

SQLite cannot drop a NOT NULL in place: the batch operation rebuilds the table (env.py turns the
foreign keys off while migrating, so nothing cascades); PostgreSQL drops the constraint.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 00:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('thread_details', schema=None) as batch_op:
        batch_op.alter_column('prefecture_code', existing_type=sa.String(length=2), nullable=True)


def downgrade():
    # events without a prefecture cannot go back: they are placed in 東京都 ("13") rather than lost
    op.execute("UPDATE thread_details SET prefecture_code = '13' WHERE prefecture_code IS NULL")
    with op.batch_alter_table('thread_details', schema=None) as batch_op:
        batch_op.alter_column('prefecture_code', existing_type=sa.String(length=2), nullable=False)
