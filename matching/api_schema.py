"""OpenAPI declaration of ``GET /api/v1/challenges/<id>/suggestions`` (``matching.api``)."""

from __future__ import annotations

from core.openapi import array, integer, json_response, nullable, obj, ref, string


def _reasons() -> dict:
    return array(
        string(), "この候補を挙げた理由（例：「分野: 物流・販売」「領域: 買い物」「兵庫県で活動」）"
    )


def contract() -> dict:
    score = {"type": "number", "description": "理由ごとの重みの合計（matching/weights.py）"}
    organization = obj(
        {
            "id": integer("団体のID"),
            "slug": string("団体のURL名"),
            "name": string("団体名"),
            "url": string("団体のページ", format="uri"),
            "score": score,
            "reasons": _reasons(),
        },
        example={"id": 3, "slug": "coop-hidamari", "name": "生活協同組合ひだまり",
                 "url": "https://kyoso.example.jp/directory/coop-hidamari", "score": 6.0,
                 "reasons": ["分野: 物流・販売", "領域: 買い物", "東京都で活動"]},
    )  # fmt: skip
    thread = obj(
        {
            "id": integer("スレッドのID"),
            "title": string("題名"),
            "url": string("スレッドのページ", format="uri"),
            "prefecture": nullable(string("都道府県コード", pattern=r"^\d{2}$")),
            "score": score,
            "reasons": _reasons(),
        },
        example={"id": 12, "title": "移動販売車による買い物支援", "url":
                 "https://kyoso.example.jp/t/12", "prefecture": "05", "score": 5.2,
                 "reasons": ["内容が似ています（移動販売）", "領域: 買い物"]},
    )  # fmt: skip
    operation = {
        "tags": ["matching"],
        "summary": "地域課題への連携先・事例・似た課題の候補",
        "description": "団体（分野・領域・地域が合う）、ほかの地域の似た取組事例、似た募集中の地域課題を、"
        "理由つきで返します。点数は理由ごとの重みの合計です。閲覧できない内容は含みません。",
        "auth": "optional",
        "path": {"thread_id": "地域課題（challenge）のスレッドID"},
        "responses": {
            "200": json_response(
                "候補",
                obj(
                    {
                        "organizations": array(ref("SuggestedOrganization")),
                        "cases": array(ref("SuggestedThread")),
                        "challenges": array(ref("SuggestedThread")),
                    }
                ),
            )
        },
        "errors": {404: ["not_found"]},
    }
    return {
        "tags": [{"name": "matching", "description": "うまれる：連携先の候補"}],
        "schemas": {"SuggestedOrganization": organization, "SuggestedThread": thread},
        "operations": {"matching_api.suggestions": operation},
    }
