"""OpenAPI declaration of ``GET /api/v1/taxonomies`` (``taxonomy.views``): the codes and slugs
that other operations take (prefectures, blocks, player fields, life domains)."""

from __future__ import annotations

from core.openapi import array, json_response, obj, string


def contract() -> dict:
    code_name = obj({"code": string(), "name": string()})
    slug_name = obj({"slug": string(), "name": string()})
    prefecture = obj(
        {
            "code": string("都道府県コード（JIS X 0401、2桁）", pattern=r"^\d{2}$"),
            "name": string(),
            "name_en": string(),
            "block": string("地方ブロックの名前"),
            "block_code": string("地方ブロックのコード"),
            "region": string("block_code と同じ（以前のキー）"),
        }
    )
    operation = {
        "tags": ["taxonomy"],
        "summary": "分類の一覧",
        "description": "都道府県・地方ブロック・分野・生活支援の領域。ほかのAPIの prefecture、"
        "block、field、domain などにはここのコードやURL名を使います。",
        "auth": "none",
        "responses": {
            "200": json_response(
                "分類",
                obj(
                    {
                        "blocks": array(code_name, "8つの地方ブロック"),
                        "regions": array(code_name, "blocks と同じ（以前のキー）"),
                        "prefectures": array(prefecture, "47都道府県"),
                        "player_fields": array(slug_name, "分野"),
                        "life_domains": array(slug_name, "生活支援の領域"),
                    }
                ),
                example={
                    "blocks": [{"code": "kinki", "name": "近畿"}],
                    "regions": [{"code": "kinki", "name": "近畿"}],
                    "prefectures": [
                        {
                            "code": "28",
                            "name": "兵庫県",
                            "name_en": "Hyogo",
                            "block": "近畿",
                            "block_code": "kinki",
                            "region": "kinki",
                        }
                    ],
                    "player_fields": [{"slug": "kaigo", "name": "介護"}],
                    "life_domains": [{"slug": "kaimono", "name": "買い物"}],
                },
            )
        },
    }
    return {
        "tags": [{"name": "taxonomy", "description": "分類（都道府県・分野・領域）"}],
        "operations": {"taxonomy.taxonomies": operation},
    }
