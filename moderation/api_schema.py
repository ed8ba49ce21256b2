"""OpenAPI declarations of the moderation API (``moderation.api``); the decision actions, item
kinds, states and flag reasons are read from ``moderation.queue`` / ``moderation.models``."""

from __future__ import annotations

from core.openapi import (
    array,
    boolean,
    enum,
    integer,
    json_body,
    json_response,
    no_content,
    nullable,
    obj,
    query,
    ref,
    string,
    timestamp,
)
from moderation.models import FLAG_REASONS, ITEM_KINDS, ITEM_STATES, PENDING, WATCH_ACTIONS
from moderation.queue import ACTIONS, HIGH_PRIORITY, MEDIUM_PRIORITY

_ACTION_NOTES = {
    "disagree": "問題なし：投稿はそのまま（通報で非表示になっていたら再表示）。確認待ちの画面の"
    "「問題なし」",
    "agree_hide": "投稿を非表示にする。画面の「非表示にする」",
    "agree_delete": "投稿を削除する。画面の「削除する」",
    "ignore": "対応せずに閉じる（非表示になっていた投稿は再表示。通報した人の実績には数えない）",
    "delete": "投稿を削除する（agree_delete と同じ効果で、項目の状態は deleted になる）",
    "agree_suspend": "投稿を非表示にして投稿者を利用停止にする（停止できる権限が必要）。画面では"
    "投稿者への措置は別の手順",
    "approve": "承認する：保留の投稿は公開、認証の申請は承認、アカウントは承認、参加申請は参加を"
    "認める",
    "reject": "承認しない：保留の投稿は公開しない、アカウントは利用停止",
}


def _actions_text() -> str:
    lines = [
        f"- {kind}: " + "、".join(f"`{a}`" for a in actions) for kind, actions in ACTIONS.items()
    ]
    notes = [f"- `{a}`: {note}" for a, note in _ACTION_NOTES.items()]
    return (
        "項目の種類（kind）ごとに使える action：\n" + "\n".join(lines) + "\n\n"
        "通報された投稿（flagged_post）の3つの対応 `disagree`（問題なし）・`agree_hide`"
        "（非表示にする）・`agree_delete`（削除する）が確認待ちの画面と同じ選択肢です。"
        "ほかの action も以前と同じ意味で使えます。\n\n" + "\n".join(notes)
    )


def _all_actions() -> list[str]:
    return list(dict.fromkeys(a for actions in ACTIONS.values() for a in actions))


def _schemas() -> dict:
    reason = {
        "anyOf": [
            string("通報の理由などのコード（例：spam、watched_word）"),
            obj(
                {"code": string(), "message": string(), "matches": array(string())},
                required=["code", "message"],
            ),
        ]
    }
    return {
        "ModerationItem": obj(
            {
                "id": integer(),
                "kind": enum(
                    ITEM_KINDS,
                    "flagged_post: 通報された投稿 / held_post: 保留の投稿 / "
                    "account: 新しいアカウント / role_request: 役割の申請 / "
                    "space_join: プラットフォームへの参加申請 / "
                    "flagged_message: 通報された個別メッセージ（本文は画面でだけ、前後とともに）",
                ),
                "status": enum(ITEM_STATES, "状態"),
                "version": integer("判断を送るときにそのまま返す版番号", minimum=1),
                "score": integer("並び順の点数（高い順）"),
                "priority": enum(
                    ["high", "medium", "low"],
                    f"score から決まる優先度：high は {HIGH_PRIORITY} 点以上、medium は "
                    f"{MEDIUM_PRIORITY}〜{HIGH_PRIORITY - 1} 点、low は {MEDIUM_PRIORITY - 1} 点以下。"
                    "通報は1件ごとに通報した人の信頼度で1〜2点（モデレーターは3点）、職員の投稿や"
                    "公式のお知らせへの通報は最上位、保留の投稿は理由1つにつき10点、認証の申請5点、"
                    "新しいアカウント2点、参加申請0点",
                ),
                "reasons": array(reason, "キューに入った理由"),
                "post_id": nullable(integer()),
                "board": nullable(string("掲示板のURL名")),
                "space": nullable(string("参加申請（space_join）のプラットフォームのURL名")),
                "author": nullable(ref("User")),
                "held": nullable(
                    obj(
                        {
                            "title": nullable(string()),
                            "body": string("本文（Markdown）"),
                            "html": string(),
                        },
                        description="保留の投稿の内容",
                    )
                ),
                "decision": nullable(enum(_all_actions(), "行った判断")),
                "decision_reason": string(),
                "created_at": timestamp(),
                "decided_at": nullable(timestamp()),
            }
        ),
        "WatchedWord": _watched_word_schema(),
        "AuditEntry": obj(
            {
                "id": integer(),
                "actor": nullable(ref("User")),
                "action": string("操作（例：post.hide、moderation.decide）"),
                "target_kind": nullable(string()),
                "target_id": nullable(integer()),
                "reason": string(),
                "before": nullable({"type": "object", "description": "変更前の値"}),
                "after": nullable({"type": "object", "description": "変更後の値"}),
                "created_at": timestamp(),
            }
        ),
    }


def _watched_word_schema() -> dict:
    return obj(
        {
            "id": integer("監視語句のID"),
            "word": string("語句または正規表現"),
            "action": enum(list(WATCH_ACTIONS), "見つけたときの扱い"),
            "is_regex": boolean("正規表現かどうか"),
            "valid": boolean("RE2 で使える正規表現か（false のものは何にも一致しない）"),
        }
    )


def _operations() -> dict:
    return {
        "moderation_api.flag_post": {
            "tags": ["moderation"],
            "summary": "投稿を通報する",
            "path": {"post_id": "投稿のID"},
            "requestBody": json_body(
                obj(
                    {
                        "reason": enum(FLAG_REASONS, "理由（other のときは message が必要）"),
                        "message": string("補足（任意）"),
                    },
                    required=["reason"],
                    closed=False,
                ),
                example={"reason": "personal_info", "message": "電話番号が書かれています。"},
            ),
            "responses": {
                "201": json_response(
                    "通報した",
                    obj(
                        {
                            "id": integer("通報のID"),
                            "post_id": integer(),
                            "post_status": enum(
                                ["visible", "hidden", "deleted"],
                                "通報のあとの投稿の状態（一定数の通報で非表示）",
                            ),
                        }
                    ),
                )
            },
            "errors": {
                403: ["forbidden"],
                404: ["not_found"],
                409: ["already_flagged"],
                422: ["bad_reason", "message_required", "own_post"],
                429: ["daily_cap", "rate_limited"],
            },
        },
        "moderation_api.review_queue": {
            "tags": ["moderation"],
            "summary": "確認待ちの一覧（モデレーター）",
            "description": "掲示板のモデレーターには、担当する掲示板の項目だけが返ります。",
            "auth": "required",
            "parameters": [
                query("status", enum(ITEM_STATES, f"状態（既定 {PENDING}）"), "状態"),
                query("kind", enum(ITEM_KINDS), "項目の種類"),
                query("board", string(), "掲示板のURL名"),
                query("reason", string(pattern=r"^[A-Za-z0-9_]+$"), "理由のコード", example="spam"),
                query("older_than", integer(minimum=0), "この時間（時間単位）より前の項目だけ"),
            ],
            "responses": {
                "200": json_response("項目の一覧", obj({"items": array(ref("ModerationItem"))}))
            },
            "errors": {400: ["bad_request"], 401: ["unauthorized"], 403: ["forbidden"]},
        },
        "moderation_api.decide": {
            "tags": ["moderation"],
            "summary": "項目を判断する（モデレーター）",
            "description": _actions_text()
            + "\n\nほかのモデレーターが先に判断していたら 409 conflict、対象がその後変わって"
            "いたら 409 outdated が返ります。",
            "path": {"item_id": "項目のID"},
            "requestBody": json_body(
                obj(
                    {
                        "action": enum(_all_actions(), "判断（項目の種類ごとに使えるものが違う）"),
                        "version": integer("一覧で受け取った version", minimum=1),
                        "reason": string(
                            "理由（監査ログに残る）。誰が読めるかは種類による：非表示にした投稿は"
                            "投稿者がその投稿の上で、保留の投稿は投稿者が自分の確認ページで、"
                            "承認しなかったアカウントは本人がログイン時に読める。認証の申請と"
                            "参加申請の理由は申請した人に通知されない"
                        ),
                    },
                    required=["action", "version"],
                    closed=False,
                ),
                example={
                    "action": "agree_hide",
                    "version": 1,
                    "reason": "個人の電話番号が含まれているため",
                },
            ),
            "responses": {"200": json_response("判断した", ref("ModerationItem"))},
            "errors": {
                403: ["forbidden"],
                404: ["not_found"],
                409: ["conflict", "outdated"],
                422: ["validation", "illegal_action"],
            },
        },
        "moderation_api.watched_words": {
            "tags": ["moderation"],
            "summary": "監視語句の一覧（管理者）",
            "auth": "required",
            "responses": {
                "200": json_response("監視語句", obj({"items": array(ref("WatchedWord"))}))
            },
            "errors": {401: ["unauthorized"], 403: ["forbidden"]},
        },
        "moderation_api.add_watched_word": {
            "tags": ["moderation"],
            "summary": "監視語句を追加する（管理者）",
            "description": "正規表現は RE2 の文法（後方参照・先読み・後読みは使えません）。"
            "追加は監査ログに残ります。",
            "requestBody": json_body(
                obj(
                    {
                        "word": string("語句または正規表現", minLength=1),
                        "action": enum(list(WATCH_ACTIONS), "見つけたときの扱い（既定 block）"),
                        "is_regex": boolean("正規表現かどうか"),
                    },
                    required=["word"],
                    closed=False,
                ),
                example={"word": "副業で月収", "action": "block", "is_regex": False},
            ),
            "responses": {"201": json_response("追加した", ref("WatchedWord"))},
            "errors": {403: ["forbidden"], 422: ["validation"]},
        },
        "moderation_api.update_watched_word": {
            "tags": ["moderation"],
            "summary": "監視語句を変更する（管理者）",
            "description": "送らなかった項目はそのまま。変更は監査ログに残ります。",
            "path": {"word_id": "監視語句のID"},
            "requestBody": json_body(
                obj(
                    {
                        "word": string("語句または正規表現", minLength=1),
                        "action": enum(list(WATCH_ACTIONS), "見つけたときの扱い"),
                        "is_regex": boolean("正規表現かどうか"),
                    },
                    required=[],
                    closed=False,
                ),
                example={"action": "require_approval"},
            ),
            "responses": {"200": json_response("変更した", ref("WatchedWord"))},
            "errors": {403: ["forbidden"], 404: ["not_found"], 422: ["validation"]},
        },
        "moderation_api.delete_watched_word": {
            "tags": ["moderation"],
            "summary": "監視語句を削除する（管理者）",
            "path": {"word_id": "監視語句のID"},
            "responses": {"204": no_content("削除した（監査ログに残ります）")},
            "errors": {403: ["forbidden"], 404: ["not_found"]},
        },
        "moderation_api.audit_log": {
            "tags": ["moderation"],
            "summary": "監査ログ（管理者）",
            "description": "新しい順に50件。続きは最後の id を before に渡します。",
            "auth": "required",
            "parameters": [
                query("action", string(), "操作で絞り込む", example="moderation.decide"),
                query("before", integer(minimum=1), "この id より前の記録"),
            ],
            "responses": {
                "200": json_response("監査ログ", obj({"entries": array(ref("AuditEntry"))}))
            },
            "errors": {401: ["unauthorized"], 403: ["forbidden"]},
        },
    }


def contract() -> dict:
    return {
        "tags": [{"name": "moderation", "description": "通報・確認待ち・監査ログ"}],
        "schemas": _schemas(),
        "operations": _operations(),
    }
