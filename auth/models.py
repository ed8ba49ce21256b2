"""Accounts, roles and API tokens. Thin models: operations live in ``auth.accounts``."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.types import UTCDateTime, utcnow
from taxonomy.models import PlayerField, Prefecture


class Role(db.Model):
    """A role such as member, moderator, admin. Later issues add verified organisation and
    government roles as rows; what a role may do is the ``RolePermission`` rows, not code."""

    __tablename__ = "roles"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)
    permissions: Mapped[list[RolePermission]] = relationship(cascade="all, delete-orphan")

    @property
    def permission_names(self) -> frozenset[str]:
        return frozenset(p.permission for p in self.permissions)


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
    bio: Mapped[str] = mapped_column(Text, default="")
    is_suspended: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    role: Mapped[Role] = relationship()
    prefecture: Mapped[Prefecture | None] = relationship(lazy="select")
    player_fields: Mapped[list[PlayerField]] = relationship(
        secondary=user_player_fields, lazy="select", order_by=PlayerField.position
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: a suspended account cannot log in
        return not self.is_suspended

    @property
    def permissions(self) -> frozenset[str]:
        return self.role.permission_names


class ApiToken(db.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
