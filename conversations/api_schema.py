"""OpenAPI declarations of the conversation API (``conversations.api``)."""

from __future__ import annotations

from core.openapi import (
    array,
    boolean,
    integer,
    json_body,
    json_response,
    nullable,
    obj,
    query,
    string,
    timestamp,
)

_SIGNED_IN = {401: ["unauthorized", "invalid_token"]}
_LIMITED = {429: ["rate_limited"]}
_NOT_FOUND = {404: ["not_found"]}
_WRITE = {403: ["forbidden"], 422: ["validation", "needs_confirmation", "refused"]}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _schemas() -> dict:
    person = obj({"id": integer(), "handle": string(), "display_name": string()})
    return {
        "ConversationPerson": person,
        "ConversationMessage": obj(
            {
                "id": integer(),
                "conversation_id": integer(),
                "author": nullable(_ref("ConversationPerson")),
                "body": string("Markdown の本文（非表示のときは空）"),
                "body_html": string("表示用に整えたHTML（非表示のときは空）"),
                "is_hidden": boolean("モデレーターが非表示にした"),
                "created_at": timestamp(),
            },
            example={
                "id": 12,
                "conversation_id": 3,
                "author": {"id": 5, "handle": "sato", "display_name": "佐藤 花子"},
                "body": "来週の打ち合わせの候補日です。",
                "body_html": "<p>来週の打ち合わせの候補日です。</p>",
                "is_hidden": False,
                "created_at": "2026-12-07T10:00:00+09:00",
            },
        ),  # fmt: skip
        "Conversation": obj(
            {
                "id": integer(),
                "subject": string("件名（空のこともあります）"),
                "url": string("会話のページ"),
                "participants": array(_ref("ConversationPerson"), "参加中の人（自分を含む）"),
                "unread_count": integer("自分が未読の、ほかの人のメッセージの数", minimum=0),
                "message_count": integer(minimum=0),
                "last_message_id": integer(),
                "last_message_at": timestamp(),
                "challenge_id": nullable(integer("関連する地域課題のスレッド")),
                "offer_id": nullable(integer("きっかけになった連携の申し出")),
            }
        ),
    }


def _operations() -> dict:
    return {
        "conversations_api.list_conversations": {
            "tags": ["conversations"],
            "summary": "自分のメッセージ（会話）の一覧",
            "description": "参加している会話を、新しいやりとりの順に50件ずつ返します。",
            "auth": "required",
            "parameters": [query("before", integer(minimum=0), "前のページの next_before")],
            "responses": {
                "200": json_response(
                    "会話",
                    obj(
                        {
                            "conversations": array(_ref("Conversation")),
                            "next_before": nullable(integer("続きがないときは null")),
                        }
                    ),
                )
            },  # fmt: skip
            "errors": _SIGNED_IN,
        },
        "conversations_api.create_conversation": {
            "tags": ["conversations"],
            "summary": "会話を始める",
            "description": (
                "宛先（ハンドル名）に最初のメッセージを送ります。登録して間もないアカウントは、"
                "やりとりのない方には送れません（403）。1日に始められる数には上限があります（429）。"
            ),
            "auth": "required",
            "requestBody": json_body(
                obj(
                    {
                        "participants": array(string(), "宛先のハンドル名"),
                        "subject": string("件名（任意、120文字まで）"),
                        "body": string("本文（Markdown）"),
                        "challenge_id": integer("関連する地域課題のスレッド（任意）"),
                        "confirm": boolean("確認を求められた内容をそのまま送る"),
                    },
                    required=["participants", "body"],
                ),
                example={
                    "participants": ["sato"],
                    "subject": "買い物支援の連携について",
                    "body": "はじめまして。移動販売の件でご相談させてください。",
                },
            ),  # fmt: skip
            "responses": {
                "201": json_response(
                    "始めた会話と最初のメッセージ",
                    obj(
                        {
                            "conversation": _ref("Conversation"),
                            "message": _ref("ConversationMessage"),
                        }
                    ),
                )
            },  # fmt: skip
            "errors": {**_WRITE, **_LIMITED},
        },
        "conversations_api.list_messages": {
            "tags": ["conversations"],
            "summary": "会話のメッセージ",
            "description": "after より新しいメッセージを古い順に返します（参加者だけ）。",
            "auth": "required",
            "path": {"conversation_id": "会話のID"},
            "parameters": [query("after", integer(minimum=0), "このIDより後のメッセージだけ")],
            "responses": {
                "200": json_response(
                    "メッセージ",
                    obj(
                        {
                            "messages": array(_ref("ConversationMessage")),
                            "last_message_id": integer(),
                        }
                    ),
                )
            },  # fmt: skip
            "errors": {**_SIGNED_IN, **_NOT_FOUND},
        },
        "conversations_api.create_message": {
            "tags": ["conversations"],
            "summary": "会話に返信する",
            "auth": "required",
            "path": {"conversation_id": "会話のID"},
            "requestBody": json_body(
                obj(
                    {
                        "body": string("本文（Markdown）"),
                        "confirm": boolean("確認を求められた内容をそのまま送る"),
                    },
                    required=["body"],
                ),
                example={"body": "ありがとうございます。木曜日でお願いします。"},
            ),  # fmt: skip
            "responses": {"201": json_response("送ったメッセージ", _ref("ConversationMessage"))},
            "errors": {**_WRITE, **_NOT_FOUND, **_LIMITED},
        },
    }


def contract() -> dict:
    return {
        "tags": [
            {"name": "conversations", "description": "個別メッセージ（参加者だけが読める会話）"}
        ],
        "schemas": _schemas(),
        "operations": _operations(),
    }
