"""Accounts: registration, login, password reset, profiles, roles, API tokens, permissions."""

from __future__ import annotations

from flask import Flask, Request, request
from flask_login import current_user

from auth import api, api_schema, cli, role_cache, security_views, session, spaces, views  # noqa: F401
from auth.accounts import user_for_api_token
from auth.models import ApiToken, User, UserSession
from auth.permissions import can
from core import events, openapi
from core.extensions import login_manager


def register(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    login_manager.request_loader(_load_user_from_request)
    session.register(app)
    role_cache.register(app)
    events.quiet(UserSession, ApiToken)  # a login's last use, a token's: no page shows them
    app.jinja_env.globals["can"] = _template_can
    app.register_blueprint(views.bp)
    app.register_blueprint(security_views.bp)
    app.register_blueprint(api.bp)
    openapi.declare(app, api_schema.contract)
    cli.register(app)


def _template_can(action: str, target=None) -> bool:
    """Templates' ``can``: resolve the current user once per call, not per attribute."""
    return can(current_user._get_current_object(), action, target)


def _load_user(user_id: str) -> User | None:
    """Session/remember-cookie loader. A request that carries a Bearer token is authenticated by
    that token alone: a browser session on the same request is ignored."""
    if _bearer_token(request) is not None:
        return _load_user_from_request(request)
    return session.load_login(user_id)


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def _load_user_from_request(request: Request) -> User | None:
    token = _bearer_token(request)
    return user_for_api_token(token) if token else None
