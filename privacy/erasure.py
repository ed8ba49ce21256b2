"""退会: the one service of leaving, used by the settings page, ``DELETE /api/v1/me`` and
``flask --app app accounts erase`` (an administrator handling a written request).

The account row stays as a pseudonym (「退会したユーザー」, a random handle, no e-mail, no
password, no profile) so that posts, flags, moderation decisions and audit entries keep an
author; everything else that names the member is deleted or emptied, per the inventory
(``privacy.inventory``). At the member's choice the bodies of their posts are erased too
(replies by others keep their own text; the opening posts of structured threads — an
organisation's cases, events, policies — stay with the organisation). Changed bodies reach the
search index through the outbox (``search.outbox``). A sanctioned account leaves the keyed hash
of its address behind until the sanction ends (``auth.accounts.block_address_of``).

The caller commits (the service writes and audits in the caller's transaction).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from werkzeug.security import check_password_hash

from audit.log import record_action
from auth import accounts
from auth.models import ApiToken, BoardModerator, User, UserSession, user_player_fields
from auth.spaces import SpaceMember
from conversations.models import ConversationMessage, ConversationParticipant
from core import events
from core.extensions import db
from core.types import utcnow
from forum.models import Post, PostRevision, Thread
from moderation.models import DELETED, PENDING, HeldPost, ModerationItem, RoleRequest
from notifications.models import (
    EventRsvp,
    Notification,
    NotificationSettings,
    ReadPosition,
    UserMute,
    Watch,
)
from search.models import POST

ERASED_NAME = "退会したユーザー"
ERASED_BODY_HTML = "<p><em>（この投稿は、投稿者の退会にともない削除されました）</em></p>"
ERASED_BODY_SOURCE = ""
ERASED_MESSAGE_HTML = "<p><em>（このメッセージは、送り主の退会にともない削除されました）</em></p>"


class ErasureRefused(ValueError):
    """A refused request to leave: ``code`` for the API, ``field`` for the form, ``message`` in
    Japanese."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


@dataclass(frozen=True)
class Erasure:
    user_id: int
    posts_erased: int
    address_blocked: bool


def _only_admin(user: User) -> bool:
    if user.role.slug != "admin":
        return False
    others = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role_id == user.role_id, User.id != user.id, User.erased_at.is_(None))
    )
    return not others


def erase_account(
    user: User,
    *,
    by: User | None,
    erase_posts: bool = False,
    password: str | None = None,
    confirmed: bool = False,
    reason: str = "",
    operator: User | None = None,
    now: datetime | None = None,
) -> Erasure:
    """``by`` is the member themself (who must give their ``password`` and ``confirmed``) or
    None for an administrator's command on the server (a written request: ``reason``; the audit
    entry names ``operator`` when given, else the system)."""
    if user.erased_at is not None:
        raise ErasureRefused("already_erased", "このアカウントはすでに退会しています。")
    if by is not None:
        if by.id != user.id:
            raise ErasureRefused("forbidden", "退会の手続きは本人だけが行えます。")
        if not password or not check_password_hash(user.password_hash, password):
            raise ErasureRefused("wrong_password", "パスワードが正しくありません。", "password")
        if not confirmed:
            raise ErasureRefused(
                "not_confirmed", "退会することを確認するチェックを入れてください。", "confirm"
            )
    if _only_admin(user):
        raise ErasureRefused(
            "last_admin", "ただ一人の管理者は退会できません。先に別の管理者を任命してください。"
        )
    now = now or utcnow()
    uid = user.id
    blocked = accounts.block_address_of(user) is not None
    erased = _erase_posts(uid, now) if erase_posts else 0
    if erase_posts:
        _erase_messages(uid)
    _delete_own_rows(uid)
    _blank_shared_rows(uid, now)
    _pseudonymise(user, now)
    record_action(
        by or operator, "account.erase", "user", uid,
        reason=reason or ("本人による退会" if by is not None else "書面による請求"),
        after={"erase_posts": erase_posts, "posts_erased": erased, "address_blocked": blocked,
               "by": "self" if by is not None else "administrator"},
    )  # fmt: skip
    return Erasure(user_id=uid, posts_erased=erased, address_blocked=blocked)


def _erase_posts(uid: int, now: datetime) -> int:
    """Bodies of the member's posts, except the opening post of a structured thread."""
    structured_openers = (
        select(Post.id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == uid, Post.number == 1, Thread.kind != "discussion")
    )
    ids = list(
        db.session.scalars(
            select(Post.id).where(Post.author_id == uid, Post.id.not_in(structured_openers))
        )
    )
    if not ids:
        return 0
    db.session.execute(delete(PostRevision).where(PostRevision.post_id.in_(ids)))
    db.session.execute(
        update(Post)
        .where(Post.id.in_(ids))
        .values(body_source=ERASED_BODY_SOURCE, body_html=ERASED_BODY_HTML, revision_count=0,
                edited_at=now)  # fmt: skip
        .execution_options(synchronize_session=False)
    )
    events.touch(db.session, POST, ids)  # a bulk UPDATE: the search outbox hears of it here
    return len(ids)


def _erase_messages(uid: int) -> None:
    """Bodies of the member's private messages, as with their posts (the message stays, so the
    conversation still reads in order for the others)."""
    db.session.execute(
        update(ConversationMessage)
        .where(ConversationMessage.author_id == uid)
        .values(body_source=ERASED_BODY_SOURCE, body_html=ERASED_MESSAGE_HTML)
        .execution_options(synchronize_session=False)
    )


def _delete_own_rows(uid: int) -> None:
    for statement in (
        # out of every conversation: the pseudonym reads nothing and is told nothing
        delete(ConversationParticipant).where(ConversationParticipant.user_id == uid),
        delete(ApiToken).where(ApiToken.user_id == uid),
        delete(UserSession).where(UserSession.user_id == uid),
        delete(BoardModerator).where(BoardModerator.user_id == uid),
        delete(SpaceMember).where(SpaceMember.user_id == uid),
        delete(user_player_fields).where(user_player_fields.c.user_id == uid),
        delete(Watch).where(Watch.user_id == uid),
        delete(Notification).where(Notification.user_id == uid),
        delete(NotificationSettings).where(NotificationSettings.user_id == uid),
        delete(UserMute).where(or_(UserMute.user_id == uid, UserMute.muted_user_id == uid)),
        delete(EventRsvp).where(EventRsvp.user_id == uid),
        delete(ReadPosition).where(ReadPosition.user_id == uid),
    ):
        db.session.execute(statement.execution_options(synchronize_session=False))


def _blank_shared_rows(uid: int, now: datetime) -> None:
    """Rows other records point at: emptied, not deleted."""
    db.session.execute(
        update(RoleRequest)
        .where(RoleRequest.user_id == uid)
        .values(organisation="", municipality="", work_email="", prefecture_code=None)
    )
    unpublished = select(HeldPost.id).where(
        HeldPost.author_id == uid, HeldPost.published_post_id.is_(None)
    )
    db.session.execute(
        update(ModerationItem)
        .where(ModerationItem.held_post_id.in_(unpublished), ModerationItem.status == PENDING)
        .values(status=DELETED, decision="withdrawn", decision_reason="投稿者の退会",
                decided_at=now)  # fmt: skip
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(HeldPost)
        .where(HeldPost.author_id == uid)
        .values(title=None, details=None, body_source="", body_html="")
        .execution_options(synchronize_session=False)
    )


def _pseudonymise(user: User, now: datetime) -> None:
    token = secrets.token_hex(6)
    user.handle = f"erased_{token}"
    user.email = f"erased+{secrets.token_hex(8)}@erased.invalid"
    user.display_name = ERASED_NAME
    user.password_hash = "!"  # no password matches (werkzeug: not a hash)
    user.role = accounts.get_role("member")
    user.affiliation = user.role_title = user.municipality = user.bio = ""
    user.sanction_reason = ""
    user.prefecture_code = None
    user.organization_id = None
    user.locale = None
    user.email_confirmed_at = None
    user.is_suspended = True  # cannot log in
    user.suspended_until = None
    user.silenced_until = None
    user.erased_at = now  # (the consent record stays with the pseudonym: what was agreed)
    db.session.expire(user, ["player_fields", "board_moderations", "space_memberships"])
