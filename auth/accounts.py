"""Account operations. Verb-named, typed; the caller owns the transaction (no commit here)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from auth.models import ApiToken, Role, User
from core.extensions import db
from core.types import utcnow
from taxonomy.models import PlayerField

RESET_SALT = "kyoso.password-reset"
TOKEN_PREFIX = "kys_"
RESERVED_HANDLES = frozenset(
    {"admin", "administrator", "api", "root", "system", "moderator", "staff", "support", "kyoso",
     "all", "everyone", "here", "null", "none", "settings", "login", "logout", "register"}
)  # fmt: skip


class AccountError(ValueError):
    """A refused account operation; ``field`` names the form field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalize_email(email: str) -> str:
    return email.strip().lower()


def normalize_handle(handle: str) -> str:
    return handle.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def find_user_by_handle(handle: str) -> User | None:
    return db.session.scalar(select(User).where(User.handle == normalize_handle(handle)))


def get_role(slug: str) -> Role:
    role = db.session.scalar(select(Role).where(Role.slug == slug))
    if role is None:
        raise LookupError(f"role {slug!r} does not exist")
    return role


def register_user(
    *,
    email: str,
    handle: str,
    display_name: str,
    password: str,
    role: str = "member",
    password_hash: str | None = None,
) -> User:
    """Create an account; raises :class:`AccountError` if the e-mail or handle is taken."""
    email, handle = normalize_email(email), normalize_handle(handle)
    if handle in RESERVED_HANDLES:
        raise AccountError("handle", "このハンドル名は使えません。")
    if db.session.scalar(select(func.count()).where(User.handle == handle)):
        raise AccountError("handle", "このハンドル名はすでに使われています。")
    if db.session.scalar(select(func.count()).where(User.email == email)):
        raise AccountError("email", "このメールアドレスはすでに登録されています。")
    user = User(
        email=email,
        handle=handle,
        display_name=display_name.strip(),
        password_hash=password_hash or generate_password_hash(password),
        role=get_role(role),
    )
    db.session.add(user)
    db.session.flush()
    for hook in _after_register:
        hook(user)
    return user


_after_register: list = []


def add_after_register(hook) -> None:
    """Other packages (moderation) act on a new account in the same transaction."""
    if hook not in _after_register:
        _after_register.append(hook)


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)  # same work either way: no timing oracle
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


_DUMMY_HASH = generate_password_hash(secrets.token_hex(8))


def set_password(user: User, password: str) -> None:
    user.password_hash = generate_password_hash(password)
    user.password_changed_at = utcnow()


def update_profile(
    user: User,
    *,
    display_name: str,
    affiliation: str,
    role_title: str,
    prefecture_code: str | None,
    municipality: str,
    player_field_ids: Iterable[int],
    bio: str = "",
) -> None:
    user.display_name = display_name.strip()
    user.affiliation = affiliation.strip()
    user.role_title = role_title.strip()
    user.prefecture_code = prefecture_code or None
    user.municipality = municipality.strip()
    user.bio = bio.strip()
    ids = list(player_field_ids)
    user.player_fields = (
        list(db.session.scalars(select(PlayerField).where(PlayerField.id.in_(ids)))) if ids else []
    )


# --- password reset: signed, expiring, single use -------------------------------------------


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    """A token that expires after PASSWORD_RESET_MAX_AGE and dies once the password changes."""
    return _reset_serializer().dumps({"u": user.id, "p": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    try:
        data = _reset_serializer().loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("u"))
    if user is None or data.get("p") != _password_fingerprint(user):
        return None
    return user


# --- API tokens ------------------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(user: User, name: str = "") -> str:
    """Create a token and return it; only its hash is stored, so show it to the user once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=_hash_token(token), name=name))
    db.session.flush()
    return token


def user_for_api_token(token: str) -> User | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == _hash_token(token), ApiToken.revoked_at.is_(None)
        )
    )
    return row.user if row is not None else None
