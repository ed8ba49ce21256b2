"""The caller's own API tokens: ``GET /api/v1/me/tokens`` lists them (never the secret),
``DELETE /api/v1/me/tokens/<id>`` revokes one (also the token making the request)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from auth import accounts
from auth.session import current_account
from core.extensions import csrf, db
from core.jsonapi import api_error, authenticate_writes

bp = Blueprint("api_tokens", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
bp.before_request(authenticate_writes)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@bp.get("/me/tokens")
def list_tokens():
    if not current_user.is_authenticated:
        return api_error(401, "unauthorized", _("ログインまたはAPIトークンが必要です。"))
    tokens = accounts.list_api_tokens(current_account())
    return jsonify(
        {
            "tokens": [
                {"id": t.id, "name": t.name, "created_at": _iso(t.created_at),
                 "last_used_at": _iso(t.last_used_at)}
                for t in tokens
            ]
        }
    )  # fmt: skip


@bp.delete("/me/tokens/<int:token_id>")
def revoke_token(token_id: int):
    if not accounts.revoke_api_token(current_account(), token_id):
        return api_error(404, "not_found", _("そのAPIトークンは見つかりません。"))
    db.session.commit()
    return "", 204
