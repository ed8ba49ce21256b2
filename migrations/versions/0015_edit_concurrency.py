"""Edits that lose nothing: posts carry a version (optimistic concurrency) and who saved them
last (the grace period applies only to the same author's consecutive saves); a held edit
remembers the version it was written against; revisions can be redacted by moderators.

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-06 13:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('edited_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_posts_edited_by_id_users'), 'users', ['edited_by_id'], ['id'])
    with op.batch_alter_table('held_posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('base_version', sa.Integer(), nullable=True))
    for table in ('post_revisions', 'thread_detail_revisions'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('redacted_at', sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('redacted_by_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_redacted_by_id_users'), 'users', ['redacted_by_id'], ['id'])
    # Every earlier edit was the author's own or recorded as a revision; start from there.
    op.execute("UPDATE posts SET version = 1 + revision_count")


def downgrade():
    for table in ('thread_detail_revisions', 'post_revisions'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_redacted_by_id_users'), type_='foreignkey')
            batch_op.drop_column('redacted_by_id')
            batch_op.drop_column('redacted_at')
    with op.batch_alter_table('held_posts', schema=None) as batch_op:
        batch_op.drop_column('base_version')
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_posts_edited_by_id_users'), type_='foreignkey')
        batch_op.drop_column('edited_by_id')
        batch_op.drop_column('version')
