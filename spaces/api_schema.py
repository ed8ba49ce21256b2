"""OpenAPI declarations of ``/api/v1/spaces`` (``spaces.api``). See ``core.openapi``."""

from __future__ import annotations

from auth.spaces import JOIN_POLICIES, SPACE_KINDS
from core.openapi import array, enum, json_response, nullable, obj, ref, string

_SLUG = {"slug": "プラットフォームのURL名（例：hyogo。全国版は national）"}


def contract() -> dict:
    space = obj(
        {
            "slug": string("URL名"),
            "name": string("名前"),
            "kind": enum(SPACE_KINDS, "national: 全国版 / prefecture: 都道府県版"),
            "prefecture": nullable(string("都道府県コード（全国版は null）", pattern=r"^\d{2}$")),
            "join": enum(JOIN_POLICIES, "open: だれでも参加 / approval: モデレーターが承認"),
            "description": string("説明"),
            "url": string("ホームページ", format="uri"),
        },
        example={
            "slug": "hyogo", "name": "兵庫県生活支援共創プラットフォーム", "kind": "prefecture",
            "prefecture": "28", "join": "open", "description": "兵庫県内の交流の場",
            "url": "https://kyoso.example.jp/pf/hyogo",
        },
    )  # fmt: skip
    joined = obj({"space": ref("Space"),
                  "membership": enum(["joined", "pending", "already"], "参加の結果")})  # fmt: skip
    return {
        "tags": [{"name": "spaces", "description": "全国版・都道府県版プラットフォーム"}],
        "schemas": {"Space": space},
        "operations": {
            "spaces_api.spaces": {
                "tags": ["spaces"],
                "summary": "プラットフォームの一覧",
                "auth": "optional",
                "responses": {
                    "200": json_response("全国版と都道府県版", obj({"spaces": array(ref("Space"))}))
                },
            },
            "spaces_api.space": {
                "tags": ["spaces"],
                "summary": "プラットフォームと、その閲覧できる掲示板",
                "auth": "optional",
                "path": _SLUG,
                "responses": {
                    "200": json_response(
                        "プラットフォーム", obj({"space": ref("Space"), "boards": array(ref("Board"))})
                    )
                },
                "errors": {404: ["not_found"]},
            },
            "spaces_api.join": {
                "tags": ["spaces"],
                "summary": "プラットフォームに参加する",
                "description": "201: 参加した / 202: 承認待ち（モデレーターの確認キューに入る）"
                " / 200: すでに参加している（全国版はいつも 200）。",
                "path": _SLUG,
                "responses": {
                    "200": json_response("すでに参加している", joined),
                    "201": json_response("参加した", joined),
                    "202": json_response("承認待ち", joined),
                },
                "errors": {403: ["forbidden"], 404: ["not_found"]},
            },
        },
    }
