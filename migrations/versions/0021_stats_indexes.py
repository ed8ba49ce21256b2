"""Index posts by creation time, covering what the statistics read (issue #18): the posts,
threads and members who wrote, per month, count one range of the index per month instead of
reading every post's row.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 19:50:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

COLUMNS = ['created_at', 'thread_id', 'author_id', 'number', 'deleted_at', 'hidden_at']


def upgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.create_index('ix_posts_created', COLUMNS, unique=False)


def downgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_created')
