"""OpenAPI declaration of ``GET /api/v1/taxonomies`` (``taxonomy.views``): the codes and slugs
that other operations take (prefectures, blocks, player fields, life domains)."""

from __future__ import annotations

from core.openapi import array, enum, json_response, obj, query, string


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
    municipality = obj(
        {
            "code": string("全国地方公共団体コード（6桁）", pattern=r"^\d{6}$"),
            "name": string("市区町村名"),
            "kana": string("読み"),
            "kind": enum(["市", "特別区", "町", "村"], "種類"),
            "prefecture": string("都道府県コード（2桁）", pattern=r"^\d{2}$"),
            "prefecture_name": string("都道府県名"),
        }
    )
    municipalities_operation = {
        "tags": ["taxonomy"],
        "summary": "市区町村の一覧",
        "description": "全国地方公共団体コードの1,741市区町村（総務省、2018年10月1日以降の一覧）。"
        "事例・イベント・地域課題の municipality_code にはこのコードを使います"
        "（municipality_name に名前を送ってもかまいません）。",
        "auth": "none",
        "parameters": [
            query("prefecture", string(pattern=r"^\d{2}$"), "都道府県コード：その都道府県の市区町村だけ"),
        ],
        "responses": {
            "200": json_response(
                "市区町村（コード順）",
                obj({"municipalities": array(municipality)}),
                example={"municipalities": [{
                    "code": "202011", "name": "長野市", "kana": "ながのし", "kind": "市",
                    "prefecture": "20", "prefecture_name": "長野県",
                }]},
            ),
        },
        "errors": {400: ["validation"]},
    }
    return {
        "tags": [{"name": "taxonomy", "description": "分類（都道府県・分野・領域）"}],
        "operations": {
            "taxonomy.taxonomies": operation,
            "taxonomy.municipalities_list": municipalities_operation,
        },
    }
