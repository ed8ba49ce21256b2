"""OpenAPI declaration of ``GET /api/v1/organizations`` (``directory.api``); the organisation
kinds are read from ``directory.kinds``."""

from __future__ import annotations

from core.openapi import array, enum, integer, json_response, nullable, obj, query, string
from directory.kinds import KIND_LABELS


def contract() -> dict:
    kinds = "、".join(f"{k}: {v}" for k, v in KIND_LABELS.items())
    organization = obj(
        {
            "slug": string("団体のURL名"),
            "name": string("団体名"),
            "kind": enum(KIND_LABELS, f"種別（{kinds}）"),
            "player_field": nullable(string("分野のURL名（一覧は GET /api/v1/taxonomies）")),
            "prefecture": nullable(string("都道府県コード", pattern=r"^\d{2}$")),
            "description": string("紹介"),
            "website": nullable(
                string("団体が公開を選んだときだけウェブサイトのURL", format="uri")
            ),
            "url": string("団体のページ", format="uri"),
        },
        example={
            "slug": "sasaeai-net",
            "name": "ささえあいネット",
            "kind": list(KIND_LABELS)[0],
            "player_field": None,
            "prefecture": "28",
            "description": "地域の助け合い活動",
            "website": None,
            "url": "https://kyoso.example.jp/directory/sasaeai-net",
        },
    )
    operation = {
        "tags": ["directory"],
        "summary": "団体・行政機関リスト",
        "auth": "none",
        "parameters": [
            query("field", string(), "分野のURL名で絞り込む（一覧は GET /api/v1/taxonomies）"),
            query("kind", enum(KIND_LABELS), "種別で絞り込む"),
            query("limit", integer(minimum=1, maximum=100, default=50), "件数（1〜100）"),
            query("cursor", string(), "前のページの next_cursor"),
        ],
        "responses": {
            "200": json_response(
                "団体の一覧",
                obj(
                    {
                        "organizations": array({"$ref": "#/components/schemas/Organization"}),
                        "next_cursor": nullable(string("続きがないときは null")),
                    }
                ),
            )
        },
        "errors": {400: ["invalid_filter", "bad_cursor"]},
    }
    return {
        "tags": [{"name": "directory", "description": "団体・行政機関リスト"}],
        "schemas": {"Organization": organization},
        "operations": {"directory_api.organizations": operation},
    }
