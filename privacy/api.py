"""The member's own data through the API: ``GET /api/v1/me/export`` (the zip archive of
``privacy.exporting``) and ``DELETE /api/v1/me`` (leaving, ``privacy.erasure``: the password and
``"confirm": true`` are required even with a token)."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_babel import gettext as _

from auth.session import current_account
from core.extensions import csrf, db, limiter
from core.jsonapi import api_error, json_body, signed_in_only
from privacy import erasure, exporting

bp = Blueprint("privacy_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

STATUS = {"wrong_password": 403, "not_confirmed": 422, "last_admin": 409,
          "already_erased": 409, "forbidden": 403}  # fmt: skip


bp.before_request(signed_in_only)


@bp.get("/me/export")
@limiter.limit("10 per hour")
def export():
    return Response(
        exporting.archive_for(current_account()),
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{exporting.ARCHIVE_NAME}"',
            "Cache-Control": "no-store",
        },
    )


@bp.delete("/me")
@limiter.limit("10 per hour")
def leave():
    data = json_body()
    password, confirm, erase_posts = (
        data.get("password"), data.get("confirm"), data.get("erase_posts", False)
    )  # fmt: skip
    fields = {}
    if not isinstance(password, str) or not password:
        fields["password"] = [_("パスワードを入力してください。")]
    if not isinstance(erase_posts, bool):
        fields["erase_posts"] = [_("true か false を指定してください。")]
    if confirm is not True:
        fields["confirm"] = [_("退会することを確認するには true を指定してください。")]
    if fields:
        return api_error(422, "validation", _("入力を確認してください。"), fields)
    user = current_account()
    try:
        erasure.erase_account(
            user, by=user, password=password, confirmed=True, erase_posts=erase_posts
        )
    except erasure.ErasureRefused as exc:
        db.session.rollback()
        return api_error(STATUS.get(exc.code, 422), exc.code, exc.message)
    db.session.commit()
    return "", 204
