"""auth.permissions.can() is the one place for permission decisions: checked per role here."""

import pytest
from flask_login import AnonymousUserMixin

from auth.permissions import can
from core.extensions import db
from forum.models import Post

ROLES = ["anonymous", "member", "author", "moderator", "admin", "suspended"]

# action -> roles that may do it, on an open thread / a post by "author"
EXPECTED = {
    "board.view": {"anonymous", "member", "author", "moderator", "admin", "suspended"},
    "thread.view": {"anonymous", "member", "author", "moderator", "admin", "suspended"},
    "thread.create": {"member", "author", "moderator", "admin"},
    "thread.reply": {"member", "author", "moderator", "admin"},
    "thread.moderate": {"moderator", "admin"},
    "post.edit": {"author", "moderator", "admin"},
    "post.delete": {"author", "moderator", "admin"},
    "board.manage": {"admin"},
    "taxonomy.manage": {"admin"},
}


@pytest.fixture
def actors(user_factory, thread_factory, board):
    author = user_factory(handle="author")
    thread = thread_factory(author=author)
    post = db.session.scalars(db.select(Post).where(Post.thread_id == thread.id)).one()
    people = {
        "anonymous": AnonymousUserMixin(),
        "member": user_factory(handle="member"),
        "author": author,
        "moderator": user_factory(role="moderator", handle="moder"),
        "admin": user_factory(role="admin", handle="adm"),
        "suspended": user_factory(handle="banned", is_suspended=True),
    }
    targets = {"board.view": board, "thread.view": thread, "thread.create": board,
               "thread.reply": thread, "thread.moderate": thread, "post.edit": post,
               "post.delete": post, "board.manage": None, "taxonomy.manage": None}  # fmt: skip
    return people, targets, thread, post


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_permissions_per_role(actors, action):
    people, targets, _, _ = actors
    allowed = {role for role in ROLES if can(people[role], action, targets[action])}
    assert allowed == EXPECTED[action]


def test_permissions_locked_thread_only_staff_reply_or_edit(actors):
    people, _, thread, post = actors
    thread.is_locked = True
    assert {r for r in ROLES if can(people[r], "thread.reply", thread)} == {"moderator", "admin"}
    assert {r for r in ROLES if can(people[r], "post.edit", post)} == {"moderator", "admin"}


def test_permissions_deleted_thread_visible_to_staff_only(actors):
    people, _, thread, post = actors
    thread.is_deleted = True
    assert {r for r in ROLES if can(people[r], "thread.view", thread)} == {"moderator", "admin"}


def test_permissions_deleted_post_cannot_be_edited_again(actors):
    people, _, _, post = actors
    post.deleted_at = post.created_at
    assert not any(can(people[r], "post.edit", post) for r in ROLES)


def test_permissions_come_from_role_rows_not_code(actors):
    """Granting a permission row changes what a role may do (later issues add roles this way)."""
    from auth.models import RolePermission

    people, _, thread, _ = actors
    member = people["member"]
    assert not can(member, "thread.moderate", thread)
    db.session.add(RolePermission(role_id=member.role_id, permission="thread.moderate"))
    db.session.commit()
    db.session.expire_all()
    assert can(member, "thread.moderate", thread)


def test_permissions_unknown_action_is_an_error(actors):
    with pytest.raises(KeyError):
        can(actors[0]["admin"], "board.destroy")
