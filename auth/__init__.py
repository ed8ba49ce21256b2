"""Accounts: registration, login, password reset, profiles, roles, API tokens, permissions."""

from __future__ import annotations

from flask import Flask, Request, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from auth import cli, views
from auth.accounts import user_for_api_token
from auth.models import Role, User
from core.extensions import db, login_manager


def register(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    login_manager.request_loader(_load_user_from_request)
    app.register_blueprint(views.bp)
    cli.register(app)


def _load_user(user_id: str) -> User | None:
    """Session/remember-cookie loader. A request that carries a Bearer token is authenticated by
    that token alone: a browser session on the same request is ignored."""
    if _bearer_token(request) is not None:
        return _load_user_from_request(request)
    try:
        uid = int(user_id)
    except ValueError:
        return None
    return db.session.scalar(
        select(User)
        .where(User.id == uid)
        .options(
            joinedload(User.role).joinedload(Role.permissions),
            joinedload(User.board_moderations),
        )
    )


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def _load_user_from_request(request: Request) -> User | None:
    token = _bearer_token(request)
    return user_for_api_token(token) if token else None
