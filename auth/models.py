"""Accounts, roles and API tokens. Thin models: operations live in ``auth.accounts``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.types import UTCDateTime, utcnow
from taxonomy.models import PlayerField, Prefecture

if TYPE_CHECKING:
    from auth.spaces import SpaceMember


class Role(db.Model):
    """A role such as member, moderator, admin. Later issues add verified organisation and
    government roles as rows; what a role may do is the ``RolePermission`` rows, not code."""

    __tablename__ = "roles"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)
    #: verified roles (organisation / government staff, coordinators) show this badge
    badge: Mapped[str] = mapped_column(String(40), default="", server_default="")
    #: members may ask for this role (with verification)
    requestable: Mapped[bool] = mapped_column(default=False, server_default=false())
    permissions: Mapped[list[RolePermission]] = relationship(cascade="all, delete-orphan")

    @property
    def permission_names(self) -> frozenset[str]:
        """From the process's cache of every role's names (``auth.role_cache``): a login need
        not load the rows. Outside an application, built once per loaded permission list."""
        from auth import role_cache

        names = role_cache.permission_names(self.id)
        if names is not None:
            return names
        rows = self.permissions
        cached = self.__dict__.get("_permission_names")
        if cached is None or cached[0] is not rows:
            cached = (rows, frozenset(p.permission for p in rows))
            self.__dict__["_permission_names"] = cached
        return cached[1]


class RolePermission(db.Model):
    __tablename__ = "role_permissions"
    role_id: Mapped[int] = mapped_column(
        ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True
    )
    permission: Mapped[str] = mapped_column(String(60), primary_key=True)


user_player_fields = Table(
    "user_player_fields",
    db.Model.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("player_field_id", ForeignKey("player_fields.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    """An account. Profiles hold work facts only: no health data, ever."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(String(30), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(255))
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"), index=True)
    affiliation: Mapped[str] = mapped_column(String(100), default="")
    role_title: Mapped[str] = mapped_column(String(100), default="")
    prefecture_code: Mapped[str | None] = mapped_column(ForeignKey("prefectures.code"))
    municipality: Mapped[str] = mapped_column(String(50), default="")
    #: the directory entry this account speaks for (set by an admin or a verification)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    bio: Mapped[str] = mapped_column(Text, default="")
    #: what the public profile shows (the member chooses; the member always sees their own)
    show_affiliation: Mapped[bool] = mapped_column(default=True, server_default=true())
    show_region: Mapped[bool] = mapped_column(default=True, server_default=true())
    show_fields: Mapped[bool] = mapped_column(default=True, server_default=true())
    is_suspended: Mapped[bool] = mapped_column(default=False)
    #: sanctions: suspended (cannot log in) / silenced (can read, cannot post) until a time;
    #: ``None`` with the flag set means indefinitely. The reason is shown to the user.
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    silenced_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sanction_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: set when the member opened the confirmation link mailed at registration; until then
    #: they may read but not post or flag (``auth.permissions``)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the member left (退会): the row stays as a pseudonym (「退会したユーザー」) so that posts,
    #: flags and audit entries keep an author; everything that named the person is gone
    #: (``privacy.erasure``)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the version of the terms and privacy policy (TERMS_VERSION) accepted at registration
    terms_version: Mapped[str | None] = mapped_column(String(20))
    terms_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role: Mapped[Role] = relationship()
    prefecture: Mapped[Prefecture | None] = relationship(lazy="select")
    player_fields: Mapped[list[PlayerField]] = relationship(
        secondary=user_player_fields, lazy="select", order_by=PlayerField.position
    )
    board_moderations: Mapped[list[BoardModerator]] = relationship(lazy="select")
    #: memberships of prefectural spaces (``auth.spaces``); loaded when a rule needs them
    space_memberships: Mapped[list[SpaceMember]] = relationship(lazy="select", viewonly=True)

    #: which login this loaded object stands for ("s<nonce>" for a browser login,
    #: "t<token id>" for a Socket.IO connection opened with an API token); not a column
    login_ref = None

    def get_id(self) -> str:
        """Flask-Login keeps this in the session and the remember cookie: the account *and* the
        login, so a login that was ended (logout, password change, …) no longer loads."""
        return f"{self.id}:{self.login_ref}" if self.login_ref else f"{self.id}:"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def moderated_board_ids(self) -> frozenset[int]:
        return frozenset(m.board_id for m in self.board_moderations)

    @property
    def space_roles(self) -> dict[int, str]:
        """{space id: "member" | "moderator" | "admin"} of active memberships (built once per
        loaded membership list; the national space needs none)."""
        rows = self.space_memberships
        cached = self.__dict__.get("_space_roles")
        if cached is None or cached[0] is not rows:
            cached = (rows, {m.space_id: m.role for m in rows if m.status == "active"})
            self.__dict__["_space_roles"] = cached
        return cached[1]

    @property
    def moderated_space_ids(self) -> frozenset[int]:
        return frozenset(s for s, r in self.space_roles.items() if r in ("moderator", "admin"))

    @property
    def administered_space_ids(self) -> frozenset[int]:
        return frozenset(s for s, r in self.space_roles.items() if r == "admin")

    @property
    def is_active(self) -> bool:  # Flask-Login: a suspended account cannot log in
        if not self.is_suspended:
            return True
        return self.suspended_until is not None and self.suspended_until <= utcnow()

    @property
    def is_silenced(self) -> bool:
        return self.silenced_until is not None and self.silenced_until > utcnow()

    @property
    def role_slug(self) -> str:
        return self.role.slug

    @property
    def permissions(self) -> frozenset[str]:
        return self.role.permission_names


class BoardModerator(db.Model):
    """A moderator scoped to one board (global moderators have the moderator role)."""

    __tablename__ = "board_moderators"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    board_id: Mapped[int] = mapped_column(
        ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True
    )


class ApiToken(db.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class UserSession(db.Model):
    """One browser login. The session and remember cookies name it (by a random nonce, of which
    only the SHA-256 is stored); deleting the row ends that login wherever the cookies went."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the remember cookie is replaced each time it restores the login; the one it replaced
    #: still works for ROTATION_GRACE (requests already on their way), then never again
    previous_nonce_hash: Mapped[str | None] = mapped_column(String(64))
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class ErasedAddress(db.Model):
    """A sanctioned account left: the keyed hash (HMAC-SHA-256 with SECRET_KEY) of its normalised
    address, refused at registration until ``blocked_until`` (None: indefinitely). The address
    itself is not kept; the row is purged when the period ends."""

    __tablename__ = "erased_addresses"
    id: Mapped[int] = mapped_column(primary_key=True)
    address_key: Mapped[str] = mapped_column(String(64), index=True)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
