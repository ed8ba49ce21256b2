"""Role permissions are read once per process (auth.role_cache): a login loads no permission rows,
and a change to a role's permissions is seen at once by the process that made it."""

from __future__ import annotations

from auth import role_cache
from auth.models import Role, RolePermission
from auth.permissions import has
from auth.spaces import set_member
from core.extensions import db
from spaces import service


def test_grant_and_withdrawal_are_seen_at_once(app, user_factory):
    member = user_factory()
    assert not has(member, "thread.moderate")  # the cache is now loaded
    grant = RolePermission(role_id=member.role_id, permission="thread.moderate")
    db.session.add(grant)
    db.session.commit()
    assert has(member, "thread.moderate")
    db.session.delete(grant)
    db.session.commit()
    assert not has(member, "thread.moderate")


def test_a_rolled_back_grant_is_forgotten(app, user_factory):
    member = user_factory()
    assert not has(member, "user.manage")
    db.session.add(RolePermission(role_id=member.role_id, permission="user.manage"))
    db.session.flush()
    assert has(member, "user.manage")  # this transaction sees its own grant
    db.session.rollback()
    assert not has(member, "user.manage")


def test_every_role_is_read_in_one_statement(app, count_queries):
    role_cache.clear()
    roles = db.session.query(Role).all()
    with count_queries() as log:
        names = {role.slug: role.permission_names for role in roles}
    assert log.count == 1, str(log)
    assert "moderation.review" in names["moderator"] and "moderation.review" not in names["member"]


def test_a_members_login_does_not_multiply_by_their_spaces(client, login, user_factory,
                                                          count_queries):  # fmt: skip
    """The login's one statement used to join the role's permissions beside the memberships:
    permissions × spaces rows. Now it carries no permission rows at all."""
    member = user_factory()
    for slug, code in (("hyogo", "28"), ("nagano", "20"), ("osaka", "27")):
        made = service.create_space(actor=service.SYSTEM, slug=slug, name=f"{slug} 試験",
                                    prefecture_code=code)  # fmt: skip
        set_member(made.space, member)
    db.session.commit()
    login(member)
    client.get("/")
    with count_queries() as log:
        assert client.get("/cases").status_code == 200
    login_statement = next(s for s in log.statements if "FROM user_sessions" in s)
    assert "role_permissions" not in login_statement
    assert not any(s.startswith("SELECT role_permissions") for s in log.statements)
