"""Co-creation (issue #16): offers to partner on a local problem (one live offer per
organisation and problem: a partial unique index), and the link from a case to the local
problem it was born from (``case_origins``: the case listing's 「このプラットフォームから
生まれた事例」 filter).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 03:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

from core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

LIVE = "status IN ('open', 'accepted', 'partnered')"


def upgrade():
    op.create_table(
        'offers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('message_source', sa.Text(), nullable=False),
        sa.Column('message_html', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('decided_at', UTCDateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['thread_id'], ['threads.id'],
                                name=op.f('fk_offers_thread_id_threads'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_offers_organization_id_organizations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'],
                                name=op.f('fk_offers_author_id_users')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name=op.f('fk_offers_decided_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_offers')),
    )
    op.create_index('ix_offers_thread_id', 'offers', ['thread_id', 'id'], unique=False)
    op.create_index(op.f('ix_offers_organization_id'), 'offers', ['organization_id'], unique=False)
    op.create_index(op.f('ix_offers_author_id'), 'offers', ['author_id'], unique=False)
    op.create_index('uq_offers_live_per_organization', 'offers', ['thread_id', 'organization_id'],
                    unique=True, sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))
    op.create_table(
        'case_origins',
        sa.Column('case_thread_id', sa.Integer(), nullable=False),
        sa.Column('challenge_thread_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_thread_id'], ['threads.id'],
                                name=op.f('fk_case_origins_case_thread_id_threads'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['challenge_thread_id'], ['threads.id'],
                                name=op.f('fk_case_origins_challenge_thread_id_threads'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_case_origins_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('case_thread_id', name=op.f('pk_case_origins')),
    )
    op.create_index(op.f('ix_case_origins_challenge_thread_id'), 'case_origins',
                    ['challenge_thread_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_case_origins_challenge_thread_id'), table_name='case_origins')
    op.drop_table('case_origins')
    op.drop_index('uq_offers_live_per_organization', table_name='offers')
    op.drop_index(op.f('ix_offers_author_id'), table_name='offers')
    op.drop_index(op.f('ix_offers_organization_id'), table_name='offers')
    op.drop_index('ix_offers_thread_id', table_name='offers')
    op.drop_table('offers')
