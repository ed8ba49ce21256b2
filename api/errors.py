"""The API's error shape: ``{"error": {"code", "message", "fields"?}}``."""

from __future__ import annotations

from flask import jsonify


def api_error(status: int, code: str, message: str, fields: dict | None = None):
    error: dict = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    response = jsonify(error=error)
    response.status_code = status
    return response
