"""OpenAPI declarations of the notification API (``notifications.api``); watch levels, target
kinds, notification kinds and e-mail modes are read from ``notifications.models`` / ``kinds``."""

from __future__ import annotations

from core.openapi import (
    array,
    boolean,
    enum,
    integer,
    json_body,
    json_response,
    nullable,
    obj,
    query,
    string,
    timestamp,
)
from notifications.exporting import FORMAT_VERSION
from notifications.kinds import EMAIL_MODES, KINDS
from notifications.models import (
    MUTED,
    RSVP_STATUSES,
    TAG_LEVELS,
    TARGET_KINDS,
    THREAD_LEVELS,
)

_SIGNED_IN = {401: ["unauthorized", "invalid_token"]}
_LIMITED = {429: ["rate_limited"]}
_AUTO_LEVELS = [level for level in THREAD_LEVELS if level != MUTED]
_TARGET = {
    "target_kind": "見守る対象の種類（thread: スレッド / board: 掲示板 / player_field: 分野 / "
    "life_domain: 生活支援の領域 / prefecture: 都道府県）",
    "key": "対象のID（スレッド・掲示板・分野・領域はID、掲示板はURL名でも可、都道府県はコード）",
}
_LEVELS = (
    f"スレッドでは {' / '.join(THREAD_LEVELS)}、それ以外では {' / '.join(TAG_LEVELS)}。"
    "watching: すべて通知 / watching_first_post: 新しいスレッドだけ通知 / "
    "tracking: 件数だけ表示 / normal: メンションと返信だけ / muted: 通知しない"
)


def _schemas() -> dict:
    email = obj(
        {kind: enum(EMAIL_MODES) for kind in KINDS},
        description="通知の種類ごとのメール（immediate: すぐ / daily: 1日分まとめて / "
        "weekly: 1週間分まとめて / never: 送らない）",
    )
    return {
        "Notification": obj(
            {
                "id": integer(),
                "kind": enum(KINDS, "通知の種類"),
                "text": string("通知の文（日本語）"),
                "url": string("開くページ"),
                "count": integer("まとめられた件数", minimum=1),
                "is_read": boolean(),
                "is_quiet": boolean("件数だけの通知（tracking）"),
                "thread_id": nullable(integer()),
                "post_id": nullable(integer()),
                "created_at": timestamp(),
                "updated_at": timestamp(),
            },
            example={
                "id": 7,
                "kind": "replied",
                "text": "田中 花子さんが「買い物支援の始め方」に返信しました",
                "url": "/posts/301",
                "count": 1,
                "is_read": False,
                "is_quiet": False,
                "thread_id": 42,
                "post_id": 301,
                "created_at": "2026-12-01T11:00:00+09:00",
                "updated_at": "2026-12-01T11:00:00+09:00",
            },
        ),
        "Watch": obj(
            {
                "target_kind": enum(TARGET_KINDS),
                "id": string("対象のID（正規化したもの）"),
                "level": enum(TAG_LEVELS, _LEVELS),
                "levels": array(enum(TAG_LEVELS), "この対象で選べる見守りの段階"),
            },
            example={
                "target_kind": "thread",
                "id": "42",
                "level": "watching",
                "levels": list(THREAD_LEVELS),
            },
        ),
        "NotificationSettings": obj(
            {
                "email": email,
                "auto_watch_start": enum(_AUTO_LEVELS, "スレッドを立てたときの見守りの段階"),
                "auto_watch_reply": enum(_AUTO_LEVELS, "返信したときの見守りの段階"),
                "muted_users": array(string(), "ミュートしている人のハンドル名"),
            }
        ),
        "NotificationExport": _export(email),
    }


def _export(email: dict) -> dict:
    person = nullable(obj({"id": integer(), "handle": nullable(string())}))
    return obj(
        {
            "format_version": {"const": FORMAT_VERSION, "description": "書き出しの形式の版"},
            "exported_at": timestamp(),
            "user": obj({"id": integer(), "handle": string()}),
            "settings": obj(
                {
                    "email": email,
                    "auto_watch_start": enum(_AUTO_LEVELS),
                    "auto_watch_reply": enum(_AUTO_LEVELS),
                    "last_daily_digest_at": nullable(timestamp()),
                    "last_weekly_digest_at": nullable(timestamp()),
                }
            ),
            "watches": array(
                obj(
                    {
                        "target_kind": enum(TARGET_KINDS),
                        "target_id": string(),
                        "level": enum(TAG_LEVELS),
                        "created_at": timestamp(),
                    }
                )
            ),
            "muted_users": array(obj({"user": person, "muted_at": timestamp()})),
            "rsvps": array(
                obj(
                    {
                        "thread_id": integer(),
                        "status": enum(RSVP_STATUSES),
                        "created_at": timestamp(),
                    }
                )
            ),
            "read_positions": array(
                obj(
                    {
                        "thread_id": integer(),
                        "last_read_number": integer(),
                        "updated_at": timestamp(),
                    }
                )
            ),
            "notifications": array(
                obj(
                    {
                        "id": integer(),
                        "kind": enum(KINDS),
                        "thread_id": nullable(integer()),
                        "post_id": nullable(integer()),
                        "actor": person,
                        "count": integer(),
                        "is_quiet": boolean(),
                        "is_read": boolean(),
                        "created_at": timestamp(),
                        "updated_at": timestamp(),
                        "read_at": nullable(timestamp()),
                    }
                )
            ),
        },
        description="自分の通知に関するすべての記録",
    )


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _operations() -> dict:
    watch_ok = json_response("見守りの段階", _ref("Watch"))
    settings_ok = json_response("通知の設定", _ref("NotificationSettings"))
    return {
        "notifications_api.list_notifications": {
            "tags": ["notifications"],
            "summary": "通知の一覧",
            "auth": "required",
            "parameters": [
                query("unread", enum(["1", "true"]), "1 または true で未読だけ"),
                query("limit", integer(minimum=1, maximum=100, default=30), "件数（1〜100）"),
                query("cursor", string(), "前のページの next_cursor"),
            ],
            "responses": {
                "200": json_response(
                    "通知",
                    obj(
                        {
                            "notifications": array(_ref("Notification")),
                            "next_cursor": nullable(string("続きがないときは null")),
                            "unread_count": integer(minimum=0),
                        }
                    ),
                )
            },
            "errors": {400: ["bad_cursor"], **_SIGNED_IN},
        },
        "notifications_api.read_notifications": {
            "tags": ["notifications"],
            "summary": "通知を既読にする",
            "requestBody": json_body(
                {
                    "description": "ids で指定した通知（500件まで）、または all: true ですべて",
                    "anyOf": [
                        obj({"ids": array(integer())}, closed=False),
                        obj({"all": {"const": True}}, closed=False),
                    ],
                },
                example={"ids": [7, 8]},
            ),
            "responses": {
                "200": json_response(
                    "既読にした",
                    obj(
                        {
                            "updated": integer("既読にした件数", minimum=0),
                            "unread_count": integer(minimum=0),
                        }
                    ),
                )
            },
            "errors": {422: ["validation_failed"], **_LIMITED},
        },
        "notifications_api.get_watch": {
            "tags": ["notifications"],
            "summary": "見守りの段階",
            "auth": "required",
            "path": _TARGET,
            "responses": {"200": watch_ok},
            "errors": {404: ["not_found"], **_SIGNED_IN},
        },
        "notifications_api.put_watch": {
            "tags": ["notifications"],
            "summary": "見守りの段階を変える",
            "description": _LEVELS,
            "path": _TARGET,
            "requestBody": json_body(
                obj({"level": enum(TAG_LEVELS, _LEVELS)}, closed=False),
                example={"level": "watching"},
            ),
            "responses": {"200": watch_ok},
            "errors": {404: ["not_found"], 422: ["validation_failed"], **_LIMITED},
        },
        "notifications_api.get_settings": {
            "tags": ["notifications"],
            "summary": "通知の設定",
            "auth": "required",
            "responses": {"200": settings_ok},
            "errors": _SIGNED_IN,
        },
        "notifications_api.put_settings": {
            "tags": ["notifications"],
            "summary": "通知の設定を変える",
            "description": "送った項目だけが変わります。muted_users を送ると、ミュートする人を"
            "その一覧に置き換えます（200人まで）。",
            "requestBody": json_body(
                obj(
                    {
                        "email": {
                            "type": "object",
                            "propertyNames": {"enum": list(KINDS)},
                            "additionalProperties": enum(EMAIL_MODES),
                        },
                        "auto_watch_start": enum(_AUTO_LEVELS),
                        "auto_watch_reply": enum(_AUTO_LEVELS),
                        "muted_users": array(string(), "ミュートする人のハンドル名"),
                    },
                    required=[],
                    closed=False,
                ),
                example={"email": {"replied": "daily"}, "auto_watch_reply": "tracking"},
            ),
            "responses": {"200": settings_ok},
            "errors": {422: ["validation_failed"], **_LIMITED},
        },
        "notifications_api.read_position": {
            "tags": ["notifications"],
            "summary": "スレッドをどこまで読んだか記録する",
            "description": "記録されるのはこれまでの最大値（スレッドの最後の投稿まで）です。",
            "path": {"thread_id": "スレッドのID"},
            "requestBody": json_body(
                obj({"number": integer("読んだ投稿の番号", minimum=1)}, closed=False),
                example={"number": 12},
            ),
            "responses": {
                "200": json_response(
                    "記録した位置", obj({"thread_id": integer(), "number": integer(minimum=0)})
                )
            },
            "errors": {404: ["not_found"], 422: ["validation_failed"], **_LIMITED},
        },
        "notifications_api.export": {
            "tags": ["notifications"],
            "summary": "通知の記録を書き出す",
            "description": "download=1 のときはファイル（kyoso-notifications.json）として返します。",
            "auth": "required",
            "parameters": [query("download", enum(["1"]), "1 でファイルとして保存させる")],
            "responses": {"200": json_response("書き出し", _ref("NotificationExport"))},
            "errors": {**_SIGNED_IN, **_LIMITED},
        },
    }


def contract() -> dict:
    return {
        "tags": [{"name": "notifications", "description": "通知・見守り・既読位置"}],
        "schemas": _schemas(),
        "operations": _operations(),
    }
