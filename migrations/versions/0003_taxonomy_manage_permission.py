"""Give admins the taxonomy.manage permission (editing player fields, domains, regions).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

role_permissions = sa.table("role_permissions", sa.column("role_id"), sa.column("permission"))
roles = sa.table("roles", sa.column("id"), sa.column("slug"))


def upgrade():
    admin_id = op.get_bind().execute(sa.select(roles.c.id).where(roles.c.slug == "admin")).scalar()
    if admin_id is not None:
        op.bulk_insert(role_permissions, [{"role_id": admin_id, "permission": "taxonomy.manage"}])


def downgrade():
    op.execute(role_permissions.delete().where(role_permissions.c.permission == "taxonomy.manage"))
