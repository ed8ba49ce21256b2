"""OpenAPI declarations of the account API (``auth.api``: one's own API tokens). See
``core.openapi``."""

from __future__ import annotations

from core.openapi import (
    array,
    integer,
    json_response,
    no_content,
    nullable,
    obj,
    string,
    timestamp,
)


def _token_operations() -> dict:
    token = obj(
        {
            "id": integer("トークンのID"),
            "name": string("名前"),
            "created_at": timestamp(),
            "last_used_at": nullable(timestamp("最後に使われた日時（数分単位）")),
        }
    )
    return {
        "api_tokens.list_tokens": {
            "tags": ["account"],
            "summary": "自分のAPIトークンの一覧",
            "description": "トークンの値そのものは返しません（作成したときに一度だけ表示されます）。",
            "auth": "required",
            "responses": {"200": json_response("トークンの一覧", obj({"tokens": array(token)}))},
            "errors": {401: ["unauthorized", "invalid_token"]},
        },
        "api_tokens.revoke_token": {
            "tags": ["account"],
            "summary": "自分のAPIトークンを無効にする",
            "description": "このリクエストに使っているトークンも無効にできます。",
            "path": {"token_id": "トークンのID"},
            "responses": {"204": no_content("無効にした")},
            "errors": {404: ["not_found"]},
        },
    }


def contract() -> dict:
    return {
        "tags": [{"name": "account", "description": "自分のアカウント（APIトークン）"}],
        "operations": _token_operations(),
    }
