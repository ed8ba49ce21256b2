"""Search outbox: content changes recorded for the search indexer in the same transaction.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 19:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "search_outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_outbox")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("search_outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_search_outbox_created_at"), ["created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("search_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_outbox_created_at"))

    op.drop_table("search_outbox")
