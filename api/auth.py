"""Shared by every JSON blueprint: who may write, and reading a JSON object body."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from api.errors import api_error
from core.extensions import csrf
from core.params import json_depth


def authenticate_writes():
    """``before_request``: writes need a user — a valid Bearer token (no CSRF token needed) or a
    browser session with an X-CSRFToken header. Refusals come before the CSRF check, so they are
    401, not 400."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return None
    bearer = request.headers.get("Authorization", "").startswith("Bearer ")
    if not current_user.is_authenticated:
        if bearer:
            return api_error(401, "invalid_token", _("APIトークンが無効です。"))
        return api_error(401, "unauthorized", _("ログインまたはAPIトークンが必要です。"))
    if not bearer:
        csrf.protect()
    return None


class NotAJSONObject(BadRequest):
    description = "JSONのオブジェクトを送ってください。"


#: how deeply a request's JSON may nest (the API's bodies need 3 or 4 levels)
MAX_JSON_DEPTH = 32


def json_body() -> dict:
    """The request's JSON object; 400 (``NotAJSONObject``) for anything else, including text
    nested deeper than MAX_JSON_DEPTH (checked before parsing, which would recurse)."""
    text = request.get_data(cache=True, as_text=True)
    if json_depth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise NotAJSONObject()
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise NotAJSONObject()
    return data
