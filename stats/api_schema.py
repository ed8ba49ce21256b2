"""OpenAPI declarations of ``/api/v1/stats`` (``stats.api``). See ``core.openapi``."""

from __future__ import annotations

from core.openapi import array, boolean, enum, json_response, nullable, obj, query, ref, string
from core.tables import DATE, DATETIME, FLOAT, INT, TEXT, URL
from stats.queries import CATALOGUE, SECTIONS

_SCOPE_QUERY = [
    query("period", string(pattern=r"^(\d{4}|all)$"),
          "年度（西暦の年。2026 は令和8年度＝2026年4月〜2027年3月）か all。既定は今年度",
          example="2026"),
    query("prefecture", string(pattern=r"^\d{2}$"), "都道府県コード（01〜47）", example="28"),
    query("space", string(), "プラットフォームのURL名（例：hyogo）"),
]  # fmt: skip


def contract() -> dict:
    cell = {"type": ["string", "integer", "number", "null"]}
    table = obj({
        "name": string("統計の名前（URLの一部）"),
        "title": string("表の題名"),
        "columns": array(obj({"key": string("行のキー"), "label": string("見出し"),
                              "kind": enum([TEXT, INT, FLOAT, DATE, DATETIME, URL], "値の型")})),
        "rows": array({"type": "object", "additionalProperties": cell}, "行（列のキー → 値）"),
        "note": string("数え方の注記"),
    })  # fmt: skip
    entry = obj({
        "name": string("統計の名前"), "title": string("題名"),
        "section": enum(list(SECTIONS), "分類"), "staff_only": boolean("運営者のみ"),
        "url": string("API のURL", format="uri"),
    })  # fmt: skip
    return {
        "tags": [{"name": "stats", "description": "統計（事例の収集・分析・公表）"}],
        "schemas": {"StatTable": table},
        "operations": {
            "stats_api.catalogue": {
                "tags": ["stats"],
                "summary": "統計の一覧",
                "description": "見られる統計の名前。運営者（モデレーター・管理者）には運営者向けの統計も含む。",
                "auth": "optional",
                "responses": {"200": json_response("統計の一覧", obj({"stats": array(entry)}))},
            },
            "stats_api.table": {
                "tags": ["stats"],
                "summary": "統計の表",
                "description": "名前：" + "、".join(s.name for s in CATALOGUE)
                + "。削除・非表示の投稿と、閲覧者が読めない掲示板の内容は数えない。",
                "auth": "optional",
                "path": {"name": "統計の名前（例：cases-domain-region）"},
                "parameters": _SCOPE_QUERY,
                "responses": {"200": json_response("表", obj({
                    "scope": obj({"period": string("年度か all"), "period_label": string("例：令和8年度"),
                                  "prefecture": nullable(string("都道府県コード")),
                                  "space": nullable(string("プラットフォームのURL名"))}),
                    "counted_at": string("集計した時刻", format="date-time"),
                    "table": ref("StatTable"),
                }))},  # fmt: skip
                "errors": {400: ["validation"], 404: ["not_found"]},
            },
        },
    }
