"""``GET /api/v1/openapi.json`` (the contract, built from the declarations at the first request
in each language) and ``GET /api/v1/docs`` (the same document as a server-rendered Japanese
reference page: no script, no CDN)."""

from __future__ import annotations

import json
import re

from flask import Blueprint, Flask, current_app, jsonify, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from core import openapi
from core.openapi import json_response, obj, string

bp = Blueprint("api_docs", __name__, url_prefix=openapi.PREFIX)

CACHE_KEY = "kyoso.openapi.document"
METHOD_ORDER = ("get", "post", "put", "patch", "delete")
_CODE_SPAN = re.compile(r"`([^`]+)`")


def document() -> dict:
    """The document, built once per language (field labels from the declarations are
    translated) and kept for the life of the app: routes and declarations do not change."""
    cache = current_app.extensions.setdefault(CACHE_KEY, {})
    locale = str(get_locale() or "ja")
    if locale not in cache:
        cache[locale] = _build()
    return cache[locale]


def _build() -> dict:
    return openapi.build(
        current_app,
        info={
            "title": "Kyoso API",
            "version": "1",
            "summary": "共創 交流掲示板のJSON API",
            "description": (
                "読み取りは多くがログイン不要です。書き込みには APIトークン（`Authorization: Bearer`）"
                "か、ブラウザのログインセッションと `X-CSRFToken` ヘッダーが必要です。\n\n"
                'エラーはどれも `{"error": {"code", "message", "fields"?, "concerns"?, '
                '"current"?}}` の形で返ります。message は利用者にそのまま見せられる日本語です。'
                "日時は日本時間（+09:00）の ISO 8601 です。"
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
    )


@bp.get("/openapi.json")
def openapi_json():
    response = jsonify(document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/docs")
def docs():
    return render_template("api/docs.html", ref=reference(document()))


def contract() -> dict:
    return {
        "tags": [{"name": "meta", "description": "このAPIの説明書"}],
        "operations": {
            "api_docs.openapi_json": {
                "tags": ["meta"],
                "summary": "OpenAPI 3.1 の定義",
                "responses": {
                    "200": json_response(
                        "この文書",
                        obj({"openapi": {"const": "3.1.0"}}, required=["openapi"], closed=False),
                    )
                },
            },
            "api_docs.docs": {
                "tags": ["meta"],
                "summary": "APIリファレンス（このページ）",
                "responses": {
                    "200": {
                        "description": "HTMLのページ",
                        "content": {"text/html": {"schema": string()}},
                    }
                },
            },
        },
    }


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    openapi.declare(app, contract)


# -- the reference page's view-model ---------------------------------------------------------


def prose(text: str) -> Markup:
    """A description with its `code spans` as <code> (everything else escaped)."""
    return Markup(_CODE_SPAN.sub(r"<code>\1</code>", str(escape(text))))


def _ref_name(schema: dict) -> str | None:
    target = schema.get("$ref", "")
    return target.rsplit("/", 1)[-1] if target else None


def type_text(schema: dict) -> str:
    """A short reading of a schema: ``string | null``, ``array<Post>``, ``"a" / "b"``."""
    if not isinstance(schema, dict):
        return ""
    if (name := _ref_name(schema)) is not None:
        return name
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return " | ".join(type_text(s) for s in schema[key])
    if "const" in schema:
        return repr(schema["const"]).replace("'", '"').replace("True", "true")
    if "enum" in schema:
        text = " / ".join(f'"{v}"' for v in schema["enum"])
        kinds = schema.get("type")
        return f"{text} | null" if isinstance(kinds, list) and "null" in kinds else text
    kinds = schema.get("type", "")
    kinds = list(kinds) if isinstance(kinds, list) else [kinds]
    parts = []
    for kind in kinds:
        if kind == "array":
            parts.append(f"array<{type_text(schema.get('items', {}))}>")
        elif kind == "object" and isinstance(schema.get("additionalProperties"), dict):
            parts.append(f"object<{type_text(schema['additionalProperties'])}>")
        elif kind:
            parts.append(kind + (f" ({schema['format']})" if "format" in schema else ""))
    return " | ".join(parts) or "any"


def _limits(schema: dict) -> str:
    marks = []
    for key, label in (("minimum", "≥"), ("maximum", "≤")):
        if key in schema:
            marks.append(f"{label} {schema[key]}")
    if "default" in schema:
        marks.append(_("既定値 %(value)s", value=schema["default"]))
    return "、".join(marks)


def _rows(schema: dict, components: dict) -> list[dict]:
    """The properties of an object schema (following one ``$ref``), for a table."""
    if (name := _ref_name(schema)) is not None:
        schema = components.get(name, {})
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "type": type_text(prop),
            "required": name in required,
            "description": prop.get("description", ""),
            "limits": _limits(prop),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _responses(op: dict) -> list[dict]:
    rows = []
    for status, response in op["responses"].items():
        content = response.get("content", {})
        media = next(iter(content), "")
        schema = content.get(media, {}).get("schema", {})
        error = schema.get("properties", {}).get("error")
        codes = error["properties"]["code"]["enum"] if error else []
        rows.append(
            {
                "status": status,
                "description": "" if codes else response["description"],
                "codes": codes,
                "type": "" if codes else type_text(schema),
                "media": media,
            }
        )
    return rows


def _auth(op: dict) -> str:
    security = op.get("security", [{}])
    if security == [{}]:
        return _("不要")
    if {} in security:
        return _("任意（ログインしていれば、その利用者に見えるものを返します）")
    return _("必要（APIトークン、またはログインセッションと X-CSRFToken ヘッダー）")


def reference(doc: dict) -> dict:
    components = doc["components"]["schemas"]
    sections = {t["name"]: {**t, "operations": []} for t in doc["tags"]}
    for path, item in doc["paths"].items():
        for method in METHOD_ORDER:
            if method not in item:
                continue
            op = item[method]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            sections[op["tags"][0]]["operations"].append(
                {
                    "id": op["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": prose(op.get("description", "")),
                    "auth": _auth(op),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "type": type_text(p["schema"]),
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                            "limits": _limits(p["schema"]),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": _rows(body["schema"], components) if body else [],
                    "body_alternatives": type_text(body["schema"])
                    if body and "anyOf" in body["schema"]
                    else "",
                    "example": json.dumps(body["example"], ensure_ascii=False, indent=2)
                    if "example" in body
                    else "",
                    "responses": _responses(op),
                }
            )
    schemas = [
        {
            "name": name,
            "description": prose(schema.get("description", "")),
            "rows": _rows(schema, components),
            "type": type_text(schema),
        }
        for name, schema in components.items()
    ]
    return {
        "info": {**doc["info"], "description": prose(doc["info"]["description"])},
        "sections": [s for s in sections.values() if s["operations"]],
        "schemas": schemas,
    }
