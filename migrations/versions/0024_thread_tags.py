"""Discussions carry tags (issue #14, item 5): a prefecture, life-support domains and player
fields, so that plain questions can be filtered by region and domain like the structured
listings. One row per tag, which the index serves a board filtered by a tag from; and the same
as words on the thread (``threads.tag_words``), which a page of threads shows without a statement.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 23:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('threads') as batch_op:
        batch_op.add_column(sa.Column('tag_words', sa.String(length=400), nullable=True))
    op.create_table(
        'thread_tags',
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('facet', sa.String(length=16), nullable=False),
        sa.Column('value', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('thread_id', 'facet', 'value'),
    )
    op.create_index('ix_thread_tags_facet_value', 'thread_tags',
                    ['facet', 'value', 'thread_id'], unique=False)


def downgrade():
    op.drop_index('ix_thread_tags_facet_value', table_name='thread_tags')
    op.drop_table('thread_tags')
    with op.batch_alter_table('threads') as batch_op:
        batch_op.drop_column('tag_words')
