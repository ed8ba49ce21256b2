"""Assertions shared by the API tests."""

from __future__ import annotations

from datetime import datetime

from werkzeug.test import TestResponse


def api_error(response: TestResponse, status: int, code: str | None = None) -> dict:
    """Assert that ``response`` is the API's JSON error with ``status``; return the error."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json", response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) <= {"code", "message", "fields"}
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    return error


def has_offset(value: str) -> bool:
    """An ISO 8601 timestamp that carries its UTC offset."""
    return datetime.fromisoformat(value).utcoffset() is not None
