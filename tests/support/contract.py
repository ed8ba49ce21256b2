"""Check an ``/api/v1`` response against the OpenAPI document the app serves.

The status must be one the operation declares; a JSON body must match that response's schema
(JSON Schema 2020-12, which OpenAPI 3.1 uses, with format checks); a response without content
must be empty. Paths the router does not know (404/405) must still be the API's error shape.
"""

from __future__ import annotations

import weakref

from flask import Flask
from jsonschema import Draft202012Validator, FormatChecker
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from werkzeug.test import TestResponse

from core import openapi
from core.apidocs import document

_DOCUMENTS: weakref.WeakKeyDictionary[Flask, dict] = weakref.WeakKeyDictionary()
_FORMATS = FormatChecker()

ROUTING_ERROR = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "additionalProperties": False,
            "properties": {
                "code": {"enum": ["not_found", "method_not_allowed"]},
                "message": {"type": "string", "minLength": 1},
            },
        }
    },
}


class ContractBroken(AssertionError):
    pass


def document_for(app: Flask) -> dict:
    if app not in _DOCUMENTS:
        with app.test_request_context():
            _DOCUMENTS[app] = document()
    return _DOCUMENTS[app]


def validate_json(doc: dict, schema: dict, body, where: str) -> None:
    root = {**schema, "components": doc["components"]}
    errors = sorted(
        Draft202012Validator(root, format_checker=_FORMATS).iter_errors(body),
        key=lambda e: list(e.absolute_path),
    )
    if errors:
        details = "\n".join(
            f"  at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in errors[:10]
        )
        raise ContractBroken(f"{where}: the body does not match the contract:\n{details}")


def check_response(app: Flask, response: TestResponse) -> None:
    request = response.request
    path, method = request.path, request.method
    if not path.startswith(openapi.PREFIX) or method in openapi.AUTOMATIC_METHODS:
        return
    where = f"{method} {path} → {response.status_code}"
    doc = document_for(app)
    try:
        rule, _args = app.url_map.bind("localhost").match(path, method=method, return_rule=True)
    except (HTTPException, RequestRedirect):
        if response.status_code in (404, 405):
            validate_json(doc, ROUTING_ERROR, response.get_json(silent=True), where)
            return
        raise ContractBroken(f"{where}: no route, yet not a 404/405") from None
    oa_path, _params = openapi.openapi_path(rule)
    operation = doc["paths"].get(oa_path, {}).get(method.lower())
    if operation is None:
        raise ContractBroken(f"{where}: the operation is not in the contract")
    responses = operation["responses"]
    declared = responses.get(str(response.status_code))
    if declared is None:
        raise ContractBroken(
            f"{where}: status not in the contract (declared: {sorted(responses)})"
            f"\n{response.get_data(as_text=True)[:500]}"
        )
    content = declared.get("content")
    if not content:
        if response.get_data():
            raise ContractBroken(f"{where}: the contract says no content, the body is not empty")
        return
    if response.mimetype not in content:
        raise ContractBroken(f"{where}: {response.mimetype} is not in {sorted(content)}")
    if response.mimetype == "application/json":
        schema = content["application/json"]["schema"]
        validate_json(doc, schema, response.get_json(), where)
