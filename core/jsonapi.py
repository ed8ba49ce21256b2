"""The JSON API's plumbing, shared by every package's ``/api/v1`` routes (domain-free):
the one error shape ``{"error": {"code", "message", "fields"?, …}}``, who may write (a Bearer
token, or a browser session with an X-CSRFToken header), reading a JSON object body with bounded
cost, and timestamps in Tokyo time."""

from __future__ import annotations

import json
import math
from datetime import datetime

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from core.extensions import csrf
from core.params import INT64_MAX, int_between, json_depth
from core.types import TOKYO


def api_error(status: int, code: str, message: str, fields: dict | None = None, **extra):
    """``extra`` adds keys to the error object (e.g. ``concerns`` of a held or refused post)."""
    error: dict = {"code": code, "message": message, **extra}
    if fields:
        error["fields"] = fields
    response = jsonify(error=error)
    response.status_code = status
    return response


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


def signed_in_only():
    """``before_request`` of an API where every route is the member's own (notifications,
    personal data): writes as :func:`authenticate_writes`, and reads need a user too."""
    refusal = authenticate_writes()
    if refusal is not None:
        return refusal
    if not current_user.is_authenticated:
        return api_error(401, "unauthorized", _("ログインまたはAPIトークンが必要です。"))
    return None


class NotAJSONObject(BadRequest):
    description = "JSONのオブジェクトを送ってください。"

    def __init__(self, *, bad_number: bool = False) -> None:
        super().__init__()
        self.bad_number = bad_number


#: how deeply a request's JSON may nest (the API's bodies need 3 or 4 levels)
MAX_JSON_DEPTH = 32


_int64 = int_between(-INT64_MAX, INT64_MAX)


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999999
        raise ValueError("number out of range")
    return number


def _no_constant(text: str):
    raise ValueError(f"{text} is not a number")  # NaN, Infinity


def json_body() -> dict:
    """The request's JSON object; 400 (``NotAJSONObject``) for anything else: text nested deeper
    than MAX_JSON_DEPTH (checked before parsing, which would recurse), integers beyond 64 bits,
    infinite numbers and NaN. (Ids are checked where they are read: see ``core.params``.)"""
    if not request.is_json:
        raise NotAJSONObject()
    text = request.get_data(cache=True, as_text=True)
    if json_depth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise NotAJSONObject()
    try:
        data = json.loads(text, parse_int=_int64, parse_float=_finite, parse_constant=_no_constant)
    except json.JSONDecodeError:
        raise NotAJSONObject() from None
    except ValueError:
        raise NotAJSONObject(bad_number=True) from None
    if not isinstance(data, dict):
        raise NotAJSONObject()
    return data


def iso(value: datetime | None) -> str | None:
    return value.astimezone(TOKYO).isoformat() if value is not None else None
