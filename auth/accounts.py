"""Account operations. Verb-named, typed; the caller owns the transaction (no commit here)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_request_context
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from auth import session as logins
from auth.models import ApiToken, BoardModerator, ErasedAddress, Role, RolePermission, User
from core.extensions import db
from core.types import utcnow
from taxonomy.models import PlayerField

RESET_SALT = "kyoso.password-reset"
CONFIRM_SALT = "kyoso.confirm-email"
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
    email_confirmed: bool = False,
    terms_version: str | None = None,
) -> User:
    """Create an account; raises :class:`AccountError` if the e-mail or handle is taken or the
    display name is not allowed. The address counts as unconfirmed until the member opens the
    link of :func:`make_email_confirm_token` (``email_confirmed`` for accounts made by staff)."""
    email, handle = normalize_email(email), normalize_handle(handle)
    handle, display_name = _check_handle_and_name(handle, display_name)
    if db.session.scalar(select(func.count()).where(User.email == email)):
        raise AccountError("email", "このメールアドレスはすでに登録されています。")
    if address_blocked(email):
        raise AccountError(
            "email", "このメールアドレスは利用停止の期間中に退会したため、期間が終わるまで登録できません。"
        )
    user = User(
        email=email,
        handle=handle,
        display_name=display_name,
        password_hash=password_hash or generate_password_hash(password),
        role=get_role(role),
        email_confirmed_at=utcnow() if email_confirmed else None,
        terms_version=terms_version,
        terms_accepted_at=utcnow() if terms_version else None,
    )
    db.session.add(user)
    db.session.flush()
    for hook in _after_register:
        hook(user)
    return user


def _check_handle_and_name(handle: str, display_name: str) -> tuple[str, str]:
    handle = normalize_handle(handle)
    if handle in RESERVED_HANDLES or _has_format_chars(handle):
        raise AccountError("handle", "このハンドル名は使えません。")
    if db.session.scalar(select(func.count()).where(User.handle == handle)):
        raise AccountError("handle", "このハンドル名はすでに使われています。")
    return handle, check_display_name(display_name)


@dataclass(frozen=True)
class SignUp:
    """What a registration form did: a new (unconfirmed) account, or nothing but the owner of
    the address to tell."""

    user: User | None = None
    address_owner: User | None = None
    #: the address belongs to a sanctioned account that left; registration waits until then
    #: (``blocked`` with ``blocked_until`` None: indefinitely)
    blocked: bool = False
    blocked_until: datetime | None = None


def sign_up(
    *, email: str, handle: str, display_name: str, password: str, terms_version: str | None = None
) -> SignUp:
    """The registration form. For an address that is already registered it checks the same
    things and does the same hashing work, so neither the answer nor its timing tells that the
    address is taken; the caller mails the owner instead of a confirmation link."""
    owner = find_user_by_email(email)
    block = _address_block(email) if owner is None else None
    if block is not None:
        _check_handle_and_name(handle, display_name)
        generate_password_hash(password)
        return SignUp(blocked=True, blocked_until=block.blocked_until)
    if owner is None:
        return SignUp(
            user=register_user(
                email=email, handle=handle, display_name=display_name, password=password,
                terms_version=terms_version,
            )
        )
    _check_handle_and_name(handle, display_name)
    generate_password_hash(password)
    return SignUp(address_owner=owner)


_after_register: list = []


# --- addresses of sanctioned accounts that left: a keyed hash, never the address ------------


def address_key(email: str) -> str:
    """HMAC-SHA-256 of the normalised address, keyed with SECRET_KEY: the same address always
    gives the same key, and the key cannot be turned back into the address without the secret."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, normalize_email(email).encode(), hashlib.sha256).hexdigest()


def _address_block(email: str) -> ErasedAddress | None:
    now = utcnow()
    return db.session.scalar(
        select(ErasedAddress)
        .where(
            ErasedAddress.address_key == address_key(email),
            (ErasedAddress.blocked_until.is_(None)) | (ErasedAddress.blocked_until > now),
        )
        .order_by(ErasedAddress.id.desc())
        .limit(1)
    )


def address_blocked(email: str) -> bool:
    return _address_block(email) is not None


def sanction_end(user: User) -> tuple[bool, datetime | None]:
    """(sanctioned now?, until when: None means indefinitely) of a suspension or silencing."""
    now = utcnow()
    ends: list[datetime | None] = []
    if user.is_suspended and (user.suspended_until is None or user.suspended_until > now):
        ends.append(user.suspended_until)
    if user.silenced_until is not None and user.silenced_until > now:
        ends.append(user.silenced_until)
    if not ends:
        return False, None
    if any(end is None for end in ends):
        return True, None
    return True, max(end for end in ends if end is not None)


def block_address_of(user: User) -> ErasedAddress | None:
    """Before a sanctioned account is erased: keep its address's keyed hash until the sanction
    ends. Nothing for an account in good standing."""
    sanctioned, until = sanction_end(user)
    if not sanctioned:
        return None
    row = ErasedAddress(address_key=address_key(user.email), blocked_until=until)
    db.session.add(row)
    return row


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
    """Also ends every login of the account: a stolen session or remember cookie dies with the
    old password. API tokens are kept (they are revoked one by one, or by logging out
    everywhere)."""
    user.password_hash = generate_password_hash(password)
    user.password_changed_at = utcnow()
    logins.end_all_logins(user)


def log_out_everywhere(user: User) -> None:
    """「すべての端末からログアウト」: every browser login and every API token of ``user`` ends."""
    logins.end_all_logins(user)
    revoke_all_api_tokens(user)


# --- display names: no invisible characters, no impersonating staff --------------------------


def _is_format_char(char: str) -> bool:
    """Bidi overrides and isolates (U+202A–E, U+2066–9), marks (U+200E/F), zero-width and other
    format characters (Unicode category Cf), and control characters."""
    return unicodedata.category(char) in {"Cf", "Cc"}


def _has_format_chars(text: str) -> bool:
    return any(_is_format_char(c) for c in text)


def strip_format_chars(text: str) -> str:
    return "".join(c for c in text if not _is_format_char(c))


def name_key(name: str) -> str:
    """What two display names are compared by: NFKC, case-folded, without spaces or format
    characters ("Ｍｏｄ　太郎" and "mod太郎" are the same name)."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(c for c in folded if not c.isspace() and not _is_format_char(c))


_STAFF_PERMISSIONS = ("moderation.review", "thread.moderate", "user.manage")


def _staff_name_keys(exclude_user_id: int | None) -> set[str]:
    staff_roles = select(RolePermission.role_id).where(
        RolePermission.permission.in_(_STAFF_PERMISSIONS)
    )
    verified_roles = select(Role.id).where(Role.badge != "")
    board_mods = select(BoardModerator.user_id)
    names = db.session.scalars(
        select(User.display_name).where(
            (User.role_id.in_(staff_roles))
            | (User.role_id.in_(verified_roles))
            | (User.id.in_(board_mods)),
            User.id != (exclude_user_id or 0),
        )
    )
    return {name_key(n) for n in names}


def check_display_name(name: str, user: User | None = None) -> str:
    """The display name to store: format characters removed; refused (AccountError) when
    nothing visible is left or it is a staff member's (moderator, admin, verified) name."""
    cleaned = strip_format_chars(name).strip()
    if not name_key(cleaned):
        raise AccountError("display_name", "表示名を入力してください。")
    if name_key(cleaned) in _staff_name_keys(user.id if user is not None else None):
        raise AccountError(
            "display_name",
            "この表示名は事務局・モデレーター・認証済みの方が使っているため使えません。",
        )
    return cleaned


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
    shown: dict[str, bool] | None = None,
) -> None:
    """Raises :class:`AccountError` for a display name that is not allowed. ``shown``: which of
    affiliation, region and fields the public profile shows (``show_affiliation`` …)."""
    for name, value in (shown or {}).items():
        if name in ("show_affiliation", "show_region", "show_fields"):
            setattr(user, name, bool(value))
    if display_name.strip() != user.display_name:
        user.display_name = check_display_name(display_name, user)
    user.affiliation = affiliation.strip()
    user.role_title = role_title.strip()
    user.prefecture_code = prefecture_code or None
    user.municipality = municipality.strip()
    user.bio = bio.strip()
    ids = list(player_field_ids)
    user.player_fields = (
        list(db.session.scalars(select(PlayerField).where(PlayerField.id.in_(ids)))) if ids else []
    )


def accept_terms(user: User, version: str) -> None:
    """Record that ``user`` accepted the terms and privacy policy of ``version`` (at registration
    the same columns are set; after a revision, from the banner every page shows)."""
    user.terms_version = version
    user.terms_accepted_at = utcnow()


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


# --- e-mail confirmation: a signed link mailed at registration ------------------------------


def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


def make_email_confirm_token(user: User) -> str:
    """Names the account and the address: it stops working if the address changes."""
    return _confirm_serializer().dumps({"u": user.id, "e": user.email})


def confirm_email(token: str) -> User | None:
    """Mark the address confirmed; None for a bad, expired or outdated link."""
    try:
        data = _confirm_serializer().loads(
            token, max_age=current_app.config["EMAIL_CONFIRM_MAX_AGE"]
        )
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or user.email != data.get("e"):
        return None
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
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
        select(ApiToken)
        .where(ApiToken.token_hash == _hash_token(token), ApiToken.revoked_at.is_(None))
        .options(  # the member, their role and boards: one statement (permissions: role_cache)
            joinedload(ApiToken.user).joinedload(User.role),
            joinedload(ApiToken.user).joinedload(User.board_moderations),
            joinedload(ApiToken.user).joinedload(User.space_memberships),
        )
    )
    if row is None:
        return None
    if has_request_context() and (
        row.last_used_at is None or utcnow() - row.last_used_at > logins.TOUCH_EVERY
    ):
        logins.touch_later(ApiToken, row.id, "last_used_at")
    row.user.login_ref = f"t{row.id}"
    return row.user


def list_api_tokens(user: User) -> list[ApiToken]:
    """The account's live tokens, newest first (the secret itself is never stored)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id.desc())
        )
    )


def revoke_api_token(user: User, token_id: int) -> bool:
    """Revoke one of ``user``'s tokens; False if there is no such live token."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


def revoke_all_api_tokens(user: User) -> None:
    for row in list_api_tokens(user):
        row.revoked_at = utcnow()
