"""A conversation opened for a partnership offer points at it: the foreign key
``conversations.offer_id → offers.id`` (ON DELETE SET NULL), which 0027 could not add because the
offers table came in 0029 (two branches of issue #16 merged).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 04:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f('fk_conversations_offer_id_offers'), 'offers', ['offer_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_conversations_offer_id_offers'), type_='foreignkey')
