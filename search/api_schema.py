"""OpenAPI declaration of ``GET /api/v1/search`` (``search.views.api_search``); the sorts, types
and facets are read from ``search.params`` and ``search.labels``."""

from __future__ import annotations

from core.openapi import (
    array,
    enum,
    integer,
    json_response,
    nullable,
    obj,
    query,
    ref,
    string,
    timestamp,
)
from search.labels import TYPE_LABELS
from search.params import MAX_LIMIT, SORTS, SearchParams

_TAXONOMY = "（一覧は GET /api/v1/taxonomies）"
_FACETS = {
    "type": (enum(TYPE_LABELS), "スレッドの種類"),
    "prefecture": (string(pattern=r"^\d{2}$"), "都道府県コード" + _TAXONOMY),
    "block": (string(), "地方ブロックのコード" + _TAXONOMY),
    "field": (string(), "分野のURL名" + _TAXONOMY),
    "domain": (string(), "生活支援の領域のURL名" + _TAXONOMY),
    "board": (string(), "掲示板のURL名"),
    "author": (string(), "投稿者のハンドル名"),
}


def _operation() -> dict:
    day = string(format="date")
    parameters = [
        query("q", string(maxLength=200), "検索語（日本語の形態素解析つき）", example="買い物支援")
    ]
    parameters += [query(name, *_FACETS[name]) for name in SearchParams.FACETS]
    parameters += [
        query("from", day, "投稿日がこの日以降"),
        query("to", day, "投稿日がこの日まで"),
        query("event_from", day, "イベントの開催日がこの日以降"),
        query("event_to", day, "イベントの開催日がこの日まで"),
        query("sort", enum(SORTS), "並び順（relevance: 関連度 / date: 新しい順）"),
        query("cursor", string(maxLength=200), "前のページの next_cursor"),
        query(
            "limit", integer(minimum=1, maximum=MAX_LIMIT, default=20), f"件数（1〜{MAX_LIMIT}）"
        ),
    ]
    hit = obj(
        {
            "thread_id": integer(),
            "post_id": integer(),
            "number": integer(minimum=1),
            "title": string("スレッドのタイトル"),
            "snippet_html": string("一致した箇所（<mark> で強調したHTML）"),
            "type": enum(TYPE_LABELS),
            "prefecture": nullable(string("都道府県コード")),
            "board": string("掲示板のURL名"),
            "author": nullable(ref("User")),
            "created_at": timestamp(),
            "url": string(format="uri"),
        }
    )
    return {
        "tags": ["search"],
        "summary": "検索",
        "description": "閲覧できる投稿だけを検索します。facets は絞り込みの候補ごとの件数です。",
        "auth": "optional",
        "parameters": parameters,
        "responses": {
            "200": json_response(
                "検索結果",
                obj(
                    {
                        "total": integer(minimum=0),
                        "sort": enum(SORTS),
                        "next_cursor": nullable(string("続きがないときは null")),
                        "results": array(hit),
                        "facets": {
                            "type": "object",
                            "propertyNames": {"enum": list(SearchParams.FACETS)},
                            "additionalProperties": {
                                "type": "object",
                                "additionalProperties": integer(minimum=0),
                            },
                            "description": "絞り込みの名前 → 値 → 件数",
                        },
                    }
                ),
            )
        },
        "errors": {400: ["bad_request"], 429: ["rate_limited"]},
    }


def contract() -> dict:
    return {
        "tags": [{"name": "search", "description": "検索"}],
        "operations": {"search_api.api_search": _operation()},
    }
