"""The API's error shape: ``{"error": {"code", "message", "fields"?}}``."""

from __future__ import annotations

from flask import jsonify


def api_error(status: int, code: str, message: str, fields: dict | None = None, **extra):
    """``extra`` adds keys to the error object (e.g. ``concerns`` of a held or refused post)."""
    error: dict = {"code": code, "message": message, **extra}
    if fields:
        error["fields"] = fields
    response = jsonify(error=error)
    response.status_code = status
    return response
