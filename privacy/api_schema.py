"""OpenAPI declarations of the member's own data (``privacy.api``). See ``core.openapi``."""

from __future__ import annotations

from core.openapi import boolean, json_body, no_content, obj, string

_SIGNED_IN = {401: ["unauthorized", "invalid_token"]}
_LIMITED = {429: ["rate_limited"]}


def _operations() -> dict:
    return {
        "privacy_api.export": {
            "tags": ["account"],
            "summary": "自分のデータをすべて書き出す（開示）",
            "description": "プロフィール、投稿と編集履歴、スレッド、添付ファイル（ファイルそのものも）、"
            "通報、モデレーションの判断と理由、措置、認証の申請、通知と設定、ウォッチ、参加表明、"
            "既読位置、APIトークン（値は含みません）、ログイン中の端末、参加しているプラットフォーム、"
            "本人に関する監査ログを、1つのzipファイル（kyoso-data.json と files/）で返します。"
            "他の会員はハンドル名だけで示します。",
            "auth": "required",
            "responses": {
                "200": {
                    "description": "zipファイル（kyoso-data.zip）",
                    "content": {
                        "application/zip": {
                            "schema": string("zipファイル", contentMediaType="application/zip")
                        }
                    },
                }
            },
            "errors": {**_SIGNED_IN, **_LIMITED},
        },
        "privacy_api.leave": {
            "tags": ["account"],
            "summary": "退会する",
            "description": "パスワードと confirm: true が必要です（APIトークンでも）。投稿は"
            "「退会したユーザー」の投稿として残ります。erase_posts: true のときは本文も消去します"
            "（構造化スレッドの最初の投稿は団体の情報として残ります）。プロフィール、メールアドレス、"
            "APIトークン、ログイン、ウォッチ、通知、参加は削除されます。",
            "requestBody": json_body(
                obj(
                    {
                        "password": string("現在のパスワード"),
                        "confirm": boolean("true（元に戻せないことの確認）"),
                        "erase_posts": boolean("投稿の本文も消去する（既定 false）"),
                    },
                    required=["password", "confirm"],
                ),
                example={"password": "********", "confirm": True, "erase_posts": False},
            ),
            "responses": {"204": no_content("退会した")},
            "errors": {
                403: ["wrong_password"],
                409: ["last_admin", "already_erased"],
                422: ["validation"],
                **_LIMITED,
            },
        },
    }


def contract() -> dict:
    return {"operations": _operations()}
