"""The signed-in account of the current request, and browser logins that can be ended.

Every login is a ``UserSession`` row named by a random nonce. Flask-Login keeps
``"<user id>:s<nonce>"`` (``User.get_id``) in the session *and* in the remember cookie, so deleting
the row ends both, wherever they were copied to: logout ends this login; a password change,
「すべての端末からログアウト」, a suspension and an account rejection end them all. A login also
ends when it is older than LOGIN_MAX_DAYS or older than the password.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from flask import Flask, current_app, g, request, session
from flask_login import current_user, login_user, logout_user, user_loaded_from_cookie
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload

from auth.models import ApiToken, User, UserSession
from auth.spaces import Space, SpaceMember
from core.extensions import db
from core.types import utcnow

log = logging.getLogger(__name__)

#: last seen / last used is written at most this often per login or token
TOUCH_EVERY = timedelta(minutes=5)
#: how long a replaced remember cookie still works (parallel requests of the same browser)
ROTATION_GRACE = timedelta(seconds=60)


def current_account() -> User:
    """The real User behind Flask-Login's proxy (for services that keep or compare it)."""
    return current_user._get_current_object()


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _user_options():
    return (
        # the role's permissions come from auth.role_cache: joined here, they multiplied the rows
        joinedload(UserSession.user).joinedload(User.role),
        joinedload(UserSession.user).joinedload(User.board_moderations),
        # with their spaces: the header's switcher needs no statement of its own
        joinedload(UserSession.user).joinedload(User.space_memberships)
        .joinedload(SpaceMember.space).joinedload(Space.prefecture),
    )


def log_in(user: User, *, remember: bool = False) -> bool:
    """Start a login for this browser (a new row, new cookies). The caller commits."""
    nonce = secrets.token_urlsafe(32)
    agent = (request.user_agent.string or "")[:200]
    db.session.add(UserSession(user_id=user.id, nonce_hash=_hash(nonce), user_agent=agent))
    db.session.flush()
    user.login_ref = "s" + nonce
    return login_user(user, remember=remember)


def log_out() -> None:
    """End this browser's login: its session and remember cookies stop working everywhere."""
    if current_user.is_authenticated and current_login_id() is not None:
        db.session.execute(delete(UserSession).where(UserSession.id == current_login_id()))
    logout_user()


def current_login_id() -> int | None:
    """The ``UserSession`` id of this request's browser login, if any."""
    return g.get("kyoso_login_id")


def list_logins(user: User) -> list[UserSession]:
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id)
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def end_login(user: User, login_id: int) -> bool:
    """End one of ``user``'s logins (another browser); False if there is no such login."""
    result = db.session.execute(
        delete(UserSession).where(UserSession.id == login_id, UserSession.user_id == user.id)
    )
    return bool(result.rowcount)


def end_all_logins(user: User) -> int:
    """End every browser login of ``user`` (password change, logout everywhere, suspension)."""
    result = db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    return result.rowcount or 0


def load_login(user_id: str) -> User | None:
    """Flask-Login's user loader: ``"<id>:s<nonce>"`` (a browser login) or ``"<id>:t<token id>"``
    (a Socket.IO connection opened with an API token). Anything else — an ended login, a cookie
    from before this scheme — loads nobody."""
    uid_text, _, ref = str(user_id).partition(":")
    try:
        uid = int(uid_text)
    except ValueError:
        return None
    if ref.startswith("s") and len(ref) > 1:
        nonce_hash = _hash(ref[1:])
        row = db.session.scalar(
            select(UserSession)
            .where(
                UserSession.user_id == uid,
                or_(
                    UserSession.nonce_hash == nonce_hash,
                    and_(
                        UserSession.previous_nonce_hash == nonce_hash,
                        UserSession.rotated_at > utcnow() - ROTATION_GRACE,
                    ),
                ),
            )
            .options(*_user_options())
        )
        if row is None or not _login_is_current(row):
            return None
        g.kyoso_login_id = row.id
        g.kyoso_login_rotatable = row.nonce_hash == nonce_hash
        if utcnow() - row.last_seen_at > TOUCH_EVERY:
            touch_later(UserSession, row.id, "last_seen_at")
        user = row.user
    elif ref.startswith("t") and ref[1:].isdigit():
        token = db.session.get(ApiToken, int(ref[1:]))
        if token is None or token.user_id != uid or token.revoked_at is not None:
            return None
        user = token.user
    else:
        return None
    user.login_ref = ref
    return user


def _rotate_remember_cookie(app, user: User, **_extra) -> None:
    """Flask-Login restored a login from the remember cookie: give the browser a new one and
    retire the old (it keeps working for ROTATION_GRACE only). A copied remember cookie thus
    works at most until the owner's browser next uses its own, and vice versa."""
    if not g.pop("kyoso_login_rotatable", False):
        return
    nonce = secrets.token_urlsafe(32)
    try:
        with db.engine.begin() as conn:  # its own transaction: the view's may still roll back
            conn.execute(
                update(UserSession)
                .where(UserSession.id == g.kyoso_login_id)
                .values(
                    previous_nonce_hash=UserSession.nonce_hash,
                    nonce_hash=_hash(nonce),
                    rotated_at=utcnow(),
                )
            )
    except SQLAlchemyError:  # a busy database: keep the current cookie, rotate next time
        log.warning("could not rotate the remember cookie of login %s", g.kyoso_login_id)
        return
    user.login_ref = "s" + nonce
    session["_user_id"] = user.get_id()
    session["_remember"] = "set"  # Flask-Login sets the new remember cookie on the response


def _login_is_current(row: UserSession) -> bool:
    max_age = timedelta(days=current_app.config["LOGIN_MAX_DAYS"])
    now = utcnow()
    return row.created_at > now - max_age and row.created_at >= row.user.password_changed_at


def touch_later(model, row_id: int, column: str) -> None:
    g.setdefault("kyoso_touch", []).append((model, row_id, column))


def touch_after_request(response):
    """Write "last seen" / "last used" (at most every TOUCH_EVERY) after the view is done, on a
    connection of its own, so a read never turns the request's transaction into a write."""
    for model, row_id, column in g.pop("kyoso_touch", []):
        try:
            with db.engine.begin() as conn:
                conn.execute(update(model).where(model.id == row_id).values({column: utcnow()}))
        except SQLAlchemyError:  # best effort: a busy database must not fail the page
            log.warning("could not record last use of %s %s", model.__tablename__, row_id)
    return response


def register(app: Flask) -> None:
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(days=app.config["LOGIN_MAX_DAYS"]))
    app.after_request(touch_after_request)
    user_loaded_from_cookie.connect(_rotate_remember_cookie, app)
