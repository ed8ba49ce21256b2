"""The OpenAPI 3.1 contract of ``/api/v1``, assembled from small declarations kept beside each API.

Each package that serves ``/api/v1`` routes has an ``api_schema.py`` with one function,
``contract() -> dict``: its tags, component schemas and operations, the operations keyed by Flask
endpoint name (``"moderation_api.decide"``). The package hands that function to :func:`declare`
in its ``register(app)``. :func:`build` then walks ``app.url_map``: the paths, methods and path
parameters come from the routes themselves, everything else from the declarations; enums are read
from the code's own constants by the declarations, so the document cannot drift from them.

An operation is plain OpenAPI (``summary``, ``description``, ``parameters``, ``requestBody``,
``responses``) plus three shorthands: ``errors`` (status → error codes, made into responses with
the one error shape), ``path`` (path parameter name → description) and ``auth`` (``"none"``,
``"optional"`` or ``"required"``; writes default to required). Writes get the statuses every write
can meet: 400 (no JSON object / CSRF), 401 (not signed in, bad token) and 413 (too large); every
operation may answer 400 ``bad_request`` (an unknown Host, a NUL character, a malformed parameter).

Domain-free: ``core`` imports no package; the declarations import ``core.openapi``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.routing import Rule

KEY = "kyoso.openapi"
PREFIX = "/api/v1"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
#: the methods Flask adds by itself (HEAD to every GET, OPTIONS to every rule)
AUTOMATIC_METHODS = frozenset({"HEAD", "OPTIONS"})
#: error codes whose answer may carry per-field messages / screening concerns / the current post
FIELD_CODES = frozenset({"validation", "validation_failed", "bad_request", "invalid_filter"})
CONCERN_CODES = frozenset({"needs_confirmation", "refused"})
CURRENT_CODES = frozenset({"conflict"})

_CONVERTED = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")

Contract = dict[str, Any]


def declare(app: Flask, contract: Callable[[], Contract]) -> None:
    """Add a package's declarations (called at build time, inside a request: ``_()`` works)."""
    app.extensions.setdefault(KEY, []).append(contract)


# -- helpers for the declarations ------------------------------------------------------------


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    """``schema`` or null (OpenAPI 3.1 is JSON Schema 2020-12: no ``nullable``)."""
    if "$ref" in schema or "enum" in schema or "type" not in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": [*kinds, "null"]}


def obj(properties: dict, *, required: list[str] | None = None, closed: bool = True, **extra):
    """An object; every property required unless ``required`` is given; no other keys when
    ``closed``."""
    schema = {
        "type": "object",
        "required": list(properties) if required is None else required,
        "properties": properties,
        **extra,
    }
    if closed:
        schema["additionalProperties"] = False
    return schema


def string(description: str | None = None, **extra) -> dict:
    return {"type": "string", **({"description": description} if description else {}), **extra}


def integer(description: str | None = None, **extra) -> dict:
    return {"type": "integer", **({"description": description} if description else {}), **extra}


def boolean(description: str | None = None, **extra) -> dict:
    return {"type": "boolean", **({"description": description} if description else {}), **extra}


def timestamp(description: str | None = None) -> dict:
    return string(description or "ISO 8601（日本時間 +09:00）", format="date-time")


def array(items: dict, description: str | None = None, **extra) -> dict:
    return {
        "type": "array",
        "items": items,
        **({"description": description} if description else {}),
        **extra,
    }


def enum(values, description: str | None = None) -> dict:
    return {
        "type": "string",
        "enum": list(values),
        **({"description": description} if description else {}),
    }


def query(name: str, schema: dict, description: str, *, example: Any = None) -> dict:
    parameter = {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }
    if example is not None:
        parameter["example"] = example
    return parameter


def json_body(schema: dict, *, example: Any = None, description: str | None = None) -> dict:
    content: dict = {"schema": schema}
    if example is not None:
        content["example"] = example
    body = {"required": True, "content": {"application/json": content}}
    if description:
        body["description"] = description
    return body


def json_response(description: str, schema: dict, *, example: Any = None, headers=None) -> dict:
    content: dict = {"schema": schema}
    if example is not None:
        content["example"] = example
    response = {"description": description, "content": {"application/json": content}}
    if headers:
        response["headers"] = headers
    return response


def no_content(description: str) -> dict:
    return {"description": description}


# -- the shared components -------------------------------------------------------------------


def _base_schemas() -> dict:
    return {
        "FieldErrors": {
            "type": "object",
            "description": "項目名 → その項目のエラーメッセージ（日本語）の配列。",
            "additionalProperties": array(string(minLength=1), minItems=1),
            "example": {"body": ["入力してください。"]},
        },
        "Concern": obj(
            {
                "code": string("懸念の種類（例：personal_info、watched_word、duplicate）"),
                "message": string("利用者向けの説明（日本語）"),
                "matches": array(
                    {"type": "object"},
                    "該当した箇所（personal_info では kind・label・start・end・text）",
                ),
            },
            description="投稿前の審査で見つかった懸念。",
        ),
    }


def _error_schema(codes: list[str]) -> dict:
    properties: dict = {
        "code": enum(codes, "機械で判別するためのエラーコード"),
        "message": string("利用者向けのメッセージ（日本語）", minLength=1),
    }
    if FIELD_CODES & set(codes):
        properties["fields"] = ref("FieldErrors")
    if CONCERN_CODES & set(codes):
        properties["concerns"] = array(ref("Concern"), "審査で見つかった懸念")
    if CURRENT_CODES & set(codes):
        properties["current"] = ref("Post")
    error = obj(properties, required=["code", "message"])
    # each extra key only with the codes that carry it; concerns always with theirs
    rules = []
    for key, allowed in (("fields", FIELD_CODES), ("concerns", CONCERN_CODES),
                         ("current", CURRENT_CODES)):  # fmt: skip
        mine = [c for c in codes if c in allowed]
        if key not in properties or len(mine) == len(codes):
            continue
        rule: dict = {
            "if": {"properties": {"code": {"enum": mine}}},
            "else": {"not": {"required": [key]}},
        }
        if key == "concerns":
            rule["then"] = {"required": [key]}
        rules.append(rule)
    if rules:
        error["allOf"] = rules
    return obj({"error": error})


def _error_response(status: int, codes: list[str]) -> dict:
    example = {
        "error": {"code": codes[0], "message": _EXAMPLE_MESSAGES.get(status, "エラーです。")}
    }
    return json_response(" / ".join(codes), _error_schema(codes), example=example)


_EXAMPLE_MESSAGES = {
    400: "リクエストの内容が正しくありません。",
    401: "ログインまたはAPIトークンが必要です。",
    403: "この操作を行う権限がありません。",
    404: "スレッドが見つかりません。",
    409: "ほかの操作と競合しました。ページを読み込み直してください。",
    413: "送信された内容が大きすぎます。",
    422: "入力内容を確認してください。",
    429: "短時間に操作が集中しました。しばらく待ってからもう一度お試しください。",
    503: "ただいま混み合っているか、保守中です。しばらくしてからもう一度お試しください。",
}

#: statuses every write can meet before its view runs (api.auth, core.errors)
_WRITE_ERRORS = {400: ["bad_request"], 401: ["unauthorized", "invalid_token"], 413: ["too_large"]}


# -- building the document -------------------------------------------------------------------


def api_rules(app: Flask) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if r.rule.startswith(PREFIX)]


def rule_methods(rule: Rule) -> list[str]:
    return sorted(set(rule.methods or ()) - AUTOMATIC_METHODS)


def openapi_path(rule: Rule) -> tuple[str, list[tuple[str, str]]]:
    """``/api/v1/threads/<int:thread_id>`` → ``/api/v1/threads/{thread_id}``, [(name, converter)]."""
    params: list[tuple[str, str]] = []

    def replace(match: re.Match) -> str:
        params.append((match.group(2), match.group(1) or "default"))
        return "{" + match.group(2) + "}"

    return _CONVERTED.sub(replace, rule.rule), params


def _path_schema(converter: str) -> dict:
    if converter == "int":
        return {"type": "integer", "minimum": 0}
    return {"type": "string", "minLength": 1}


def _operation(declared: dict, rule: Rule, method: str, params) -> dict:
    op = {k: v for k, v in declared.items() if k not in ("errors", "path", "auth")}
    op["operationId"] = rule.endpoint.replace(".", "__") + (
        "" if len(rule_methods(rule)) == 1 else "__" + method.lower()
    )
    descriptions = declared.get("path", {})
    path_params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": _path_schema(converter),
            "description": descriptions.get(name, name),
        }
        for name, converter in params
    ]
    if path_params:
        op["parameters"] = path_params + list(op.get("parameters", []))
    # every request may be malformed before it reaches the view (an unknown Host, a NUL
    # character, an unparsable parameter): 400 bad_request, whatever the route; and any may
    # find the database gone (restarting, the connection cut): 503 unavailable, with
    # Retry-After, nothing written (core.errors)
    errors: dict[int, list[str]] = {400: ["bad_request"], 503: ["unavailable"]}
    if method in WRITE_METHODS:
        errors.update({s: list(c) for s, c in _WRITE_ERRORS.items()})
    for status, codes in declared.get("errors", {}).items():
        errors.setdefault(status, [])
        errors[status] += [c for c in codes if c not in errors[status]]
    responses = dict(op.get("responses", {}))
    for status, codes in sorted(errors.items()):
        responses[str(status)] = _error_response(status, codes)
    op["responses"] = dict(sorted(responses.items()))
    auth = declared.get("auth", "required" if method in WRITE_METHODS else "none")
    if auth == "required":
        op["security"] = [{"bearer": []}, {"session": []}]
    elif auth == "optional":
        op["security"] = [{}, {"bearer": []}, {"session": []}]
    else:
        op["security"] = [{}]
    return op


def _find(operations: dict, endpoint: str, method: str) -> dict | None:
    declared = operations.get(endpoint)
    if declared is None:
        return None
    if method in declared:  # {"GET": {...}, "PUT": {...}} for an endpoint serving several
        return declared[method]
    return declared if "responses" in declared else None


def undeclared(app: Flask, document: dict) -> list[str]:
    """``METHOD rule`` of every ``/api/v1`` route missing from ``document``."""
    missing = []
    for rule in api_rules(app):
        path, _params = openapi_path(rule)
        for method in rule_methods(rule):
            if method.lower() not in document["paths"].get(path, {}):
                missing.append(f"{method} {rule.rule}")
    return missing


def build(app: Flask, *, info: dict) -> dict:
    """The document; call inside a request (the declarations use ``_()`` and ``url_for``)."""
    tags: list[dict] = []
    schemas = _base_schemas()
    operations: dict[str, dict] = {}
    for contract in app.extensions.get(KEY, []):
        part = contract()
        tags += part.get("tags", [])
        schemas.update(part.get("schemas", {}))
        operations.update(part.get("operations", {}))
    paths: dict[str, dict] = {}
    for rule in sorted(api_rules(app), key=lambda r: r.rule):
        path, params = openapi_path(rule)
        for method in rule_methods(rule):
            declared = _find(operations, rule.endpoint, method)
            if declared is not None:
                paths.setdefault(path, {})[method.lower()] = _operation(
                    declared, rule, method, params
                )
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": info,
        "servers": [{"url": "/"}],
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "APIトークン（プロフィール画面で発行）。"
                    "`Authorization: Bearer <トークン>` を付けて送ります。CSRFトークンは不要です。",
                },
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": "ブラウザのログインセッション。書き込みには "
                    "`X-CSRFToken` ヘッダーも必要です。",
                },
            },
        },
    }
