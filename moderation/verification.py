"""Verified roles: a member asks for a role (団体担当者, 市町村職員, 都道府県職員, 府省庁担当者,
生活支援コーディネーター) with their organisation, area and work e-mail. The e-mail is confirmed
by a signed, expiring link; if its domain is trusted for that role (VERIFICATION_TRUSTED_DOMAINS,
e.g. ``municipal_staff=lg.jp``) the role is granted at once, otherwise a moderator decides.

The link proves that the *requester* reads that mailbox only if it is opened in the requester's
own signed-in session: the link alone grants nothing (a municipal employee who opens a link a
stranger asked for is refused and the stranger gets nothing). The mail carries only the site's
fixed wording and the requester's handle, and requests are limited per account and per address
(counted in the database, so the limits hold across processes). The caller owns the transaction."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from audit.log import record_action
from auth.accounts import log_out_everywhere
from auth.models import Role, User
from core.extensions import db
from core.types import utcnow
from moderation import signals
from moderation.actions import FOREVER
from moderation.models import ModerationItem, RoleRequest

SALT = "kyoso.verify-work-email"
MAX_AGE = 3 * 24 * 3600


def requestable_roles() -> list[Role]:
    return list(db.session.scalars(select(Role).where(Role.requestable).order_by(Role.position)))


def trusted_domains() -> dict[str, list[str]]:
    """``"municipal_staff=lg.jp;ministry_staff=go.jp"`` → {"municipal_staff": ["lg.jp"], …}."""
    rules: dict[str, list[str]] = {}
    for part in current_app.config["VERIFICATION_TRUSTED_DOMAINS"].split(";"):
        role, _, domains = part.partition("=")
        if role.strip() and domains.strip():
            rules[role.strip()] = [
                d.strip().lower().lstrip(".") for d in domains.split(",") if d.strip()
            ]
    return rules


def domain_is_trusted(email: str, role_slug: str) -> bool:
    domain = email.rsplit("@", 1)[-1].lower()
    return any(
        domain == d or domain.endswith("." + d) for d in trusted_domains().get(role_slug, [])
    )


class VerificationRefused(ValueError):
    """A refused request or confirmation; ``message`` is shown to the member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_request_limits(user: User, work_email: str) -> None:
    """At most VERIFICATION_REQUESTS_PER_DAY mails per account per day and
    VERIFICATION_REQUESTS_PER_ADDRESS_HOUR per target address per hour (whoever asks)."""
    config, now = current_app.config, utcnow()
    by_user = db.session.scalar(
        select(func.count()).select_from(RoleRequest).where(
            RoleRequest.user_id == user.id, RoleRequest.created_at > now - timedelta(days=1)
        )
    )  # fmt: skip
    if by_user >= config["VERIFICATION_REQUESTS_PER_DAY"]:
        raise VerificationRefused(
            _(
                "認証の申請は1日に%(count)s回までです。明日もう一度お試しください。",
                count=config["VERIFICATION_REQUESTS_PER_DAY"],
            )
        )
    by_address = db.session.scalar(
        select(func.count()).select_from(RoleRequest).where(
            RoleRequest.work_email == work_email.strip().lower(),
            RoleRequest.created_at > now - timedelta(hours=1),
        )
    )  # fmt: skip
    if by_address >= config["VERIFICATION_REQUESTS_PER_ADDRESS_HOUR"]:
        raise VerificationRefused(
            _(
                "このメールアドレスには少し前に確認メールを送りました。"
                "1時間ほど待ってからもう一度お試しください。"
            )
        )


def request_role(
    user: User, *, role: Role, organisation: str, prefecture_code: str | None,
    municipality: str, work_email: str,
) -> RoleRequest:  # fmt: skip
    """Raises :class:`VerificationRefused` when the limits are reached."""
    check_request_limits(user, work_email)
    for old in db.session.scalars(
        select(RoleRequest).where(RoleRequest.user_id == user.id,
                                  RoleRequest.status.in_(("email_pending", "in_review")))
    ):  # fmt: skip
        old.status = "withdrawn"
    request = RoleRequest(
        user=user, role=role, organisation=organisation.strip(), prefecture_code=prefecture_code,
        municipality=municipality.strip(), work_email=work_email.strip().lower(),
    )  # fmt: skip
    db.session.add(request)
    db.session.flush()
    return request


def make_confirmation_token(request: RoleRequest) -> str:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT).dumps(
        {"r": request.id, "e": request.work_email}
    )


def request_for_token(token: str) -> RoleRequest | None:
    """The pending request a confirmation link names; None for a bad, expired or used link."""
    try:
        data = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT).loads(
            token, max_age=MAX_AGE
        )
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        return None
    request = db.session.get(RoleRequest, data["r"])
    if request is None or request.work_email != data.get("e") or request.status != "email_pending":
        return None
    return request


def not_your_request() -> VerificationRefused:
    return VerificationRefused(
        _(
            "このリンクは別のアカウントの申請のものです。申請したご本人がログインして開いた"
            "場合だけ確認できます。お心当たりがなければ、このメールは破棄してください。"
        )
    )


def confirm_work_email(token: str, *, user: User) -> RoleRequest | None:
    """Mark the work e-mail confirmed and grant the role (trusted domain) or queue the request
    — only for the requester themself, signed in (:class:`VerificationRefused` for anyone
    else). None for a bad, expired or used link."""
    request = request_for_token(token)
    if request is None:
        return None
    if request.user_id != user.id:
        raise not_your_request()
    request.email_confirmed_at = utcnow()
    if domain_is_trusted(request.work_email, request.role.slug):
        grant_role(request, actor=None, reason="trusted e-mail domain")
    else:
        request.status = "in_review"
        open_role_item(request)
    return request


def open_role_item(request: RoleRequest) -> ModerationItem:
    item = ModerationItem(
        kind="role_request", role_request_id=request.id, subject_user_id=request.user_id,
        reasons=[{"code": "role_request", "message": request.role.name}], score=5,
    )  # fmt: skip
    db.session.add(item)
    db.session.flush()
    signals.queue(signals.item_opened, item_id=item.id)
    return item


def grant_role(request: RoleRequest, *, actor: User | None, reason: str = "") -> None:
    user = request.user
    before = {"role": user.role.slug}
    user.role = request.role
    user.affiliation = request.organisation or user.affiliation
    if request.prefecture_code:
        user.prefecture_code, user.municipality = request.prefecture_code, request.municipality
    request.status = "approved"
    signals.queue(signals.verification_decided, user_id=user.id, outcome="approved",
                  role=request.role.slug)  # fmt: skip
    record_action(actor, "role.grant", "user", user.id, reason=reason, before=before,
                  after={"role": request.role.slug})  # fmt: skip


def reject_role(request: RoleRequest, *, actor: User, reason: str = "") -> None:
    request.status = "rejected"
    signals.queue(signals.verification_decided, user_id=request.user_id, outcome="rejected",
                  role=request.role.slug)  # fmt: skip
    record_action(actor, "role.reject", "user", request.user_id, reason=reason,
                  after={"role": request.role.slug})  # fmt: skip


PENDING_APPROVAL_REASON = "新しいアカウントは事務局の承認後に投稿できます。"


def queue_new_account(user: User) -> None:
    """With REGISTRATION_REQUIRES_APPROVAL, a new member can read but not post until a moderator
    approves the account (rejecting it suspends the account)."""
    if not current_app.config["REGISTRATION_REQUIRES_APPROVAL"] or user.role.slug != "member":
        return
    user.silenced_until = FOREVER
    user.sanction_reason = PENDING_APPROVAL_REASON
    item = ModerationItem(
        kind="account", subject_user_id=user.id, score=2,
        reasons=[{"code": "new_account", "message": user.display_name}],
    )  # fmt: skip
    db.session.add(item)
    db.session.flush()
    signals.queue(signals.item_opened, item_id=item.id)


def approve_account(user: User, *, actor: User, reason: str = "") -> None:
    user.silenced_until = None
    user.sanction_reason = ""
    signals.queue(signals.verification_decided, user_id=user.id, outcome="approved",
                  role="account")  # fmt: skip
    record_action(actor, "account.approve", "user", user.id, reason=reason)


def reject_account(user: User, *, actor: User, reason: str = "") -> None:
    log_out_everywhere(user)
    user.is_suspended = True
    user.suspended_until = None
    user.sanction_reason = reason or PENDING_APPROVAL_REASON
    signals.queue(signals.verification_decided, user_id=user.id, outcome="rejected",
                  role="account")  # fmt: skip
    record_action(actor, "account.reject", "user", user.id, reason=reason)
