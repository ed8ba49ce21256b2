"""The OpenAPI declarations of the forum's JSON endpoints (``api.views``), by endpoint name, and
the shared shapes of ``api.serialize`` (User, Board, Thread, Post). See ``core.openapi``."""

from __future__ import annotations

from auth.permissions import KIND_PERMISSIONS
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

POST_STATUSES = ("visible", "hidden", "deleted")
RATE_LIMITED = {429: ["rate_limited"]}
#: what ``api.outcomes.respond`` can answer besides the success
OUTCOME_ERRORS = {
    403: ["forbidden"],
    422: ["validation", "needs_confirmation", "refused"],
    **RATE_LIMITED,
}


_THREAD_EXAMPLE = {
    "id": 42,
    "board": "kouryu",
    "title": "買い物支援の始め方",
    "kind": "discussion",
    "author": {"handle": "tanaka", "display_name": "田中 花子"},
    "is_pinned": False,
    "is_locked": False,
    "reply_count": 3,
    "last_number": 4,
    "created_at": "2026-12-01T10:00:00+09:00",
    "last_post_at": "2026-12-02T09:30:00+09:00",
    "url": "https://kyoso.example.jp/threads/42",
    "tags": {"prefecture": "20", "life_domains": ["kaimono"], "player_fields": []},
}


def _thread_properties() -> dict:
    return {
        "id": integer(),
        "board": string("掲示板のURL名"),
        "title": string("タイトル"),
        "kind": enum(KIND_PERMISSIONS, "スレッドの種類"),
        "author": nullable(ref("User")),
        "is_pinned": boolean(),
        "is_locked": boolean(),
        "reply_count": integer(minimum=0),
        "last_number": integer("最後の投稿の番号", minimum=0),
        "created_at": timestamp(),
        "last_post_at": nullable(timestamp()),
        "url": string(format="uri"),
        "tags": ref("ThreadTags"),
    }


def _tags(description: str, **extra) -> dict:
    return obj(
        {
            "prefecture": nullable(string("都道府県コード（01〜47）", pattern="^[0-9]{2}$")),
            "life_domains": array(
                string("生活支援の領域のURL名（/api/v1/taxonomies）"), maxItems=5
            ),
            "player_fields": array(string("分野のURL名（/api/v1/taxonomies）"), maxItems=5),
        },
        description=description,
        example={"prefecture": "20", "life_domains": ["kaimono", "ido"], "player_fields": []},
        **extra,
    )


def _schemas() -> dict:
    user = obj(
        {"handle": string("ハンドル名（@の後ろ）"), "display_name": string("表示名")},
        description="投稿者などの利用者。",
        example={"handle": "tanaka", "display_name": "田中 花子"},
    )
    return {
        "User": user,
        "Board": obj(
            {
                "slug": string("掲示板のURL名"),
                "name": string("掲示板の名前"),
                "description": string("説明"),
                "kind": string("掲示板の種類（cross: 分野横断 など）"),
                "position": integer("並び順"),
                "thread_count": integer(minimum=0),
                "post_count": integer(minimum=0),
                "last_post_at": nullable(timestamp()),
                "url": string("掲示板のページ", format="uri"),
                "space": string("属するプラットフォームのURL名（national: 全国版）"),
                "audience": string(
                    "読める人：public（誰でも）、members（プラットフォームのメンバー）、"
                    "roles:<役割,…>（その役割の認証を受けたメンバー。例：roles:municipal_staff）",
                    pattern=r"^(public|members|roles:[a-z_,]+)$",
                ),
            },
            example={
                "slug": "kouryu",
                "name": "交流掲示板",
                "description": "分野を越えた情報交換",
                "kind": "cross",
                "position": 1,
                "thread_count": 12,
                "post_count": 80,
                "last_post_at": "2026-12-01T10:00:00+09:00",
                "url": "https://kyoso.example.jp/boards/kouryu",
                "space": "national",
                "audience": "public",
            },
        ),
        "Thread": obj(_thread_properties(), example=_THREAD_EXAMPLE),
        "ThreadTags": _tags(
            "話題（discussion）に付けたタグ：地域・生活支援の領域・分野。ほかの種類では空"
        ),
        "ThreadDetail": obj(
            {
                **_thread_properties(),
                "type": enum(KIND_PERMISSIONS, "スレッドの種類（kind と同じ）"),
                "fields": nullable(ref("StructuredFields")),
            },
            example={**_THREAD_EXAMPLE, "type": "discussion", "fields": None},
        ),
        "Post": obj(
            {
                "id": integer(),
                "thread_id": integer(),
                "number": integer("スレッド内の番号（1 が最初の投稿）", minimum=1),
                "status": enum(POST_STATUSES, "visible: 公開 / hidden: 非表示 / deleted: 削除"),
                "html": string(
                    "本文（サニタイズ済みHTML）。非表示の投稿は投稿者とモデレーター"
                    "以外には空、削除された投稿は常に空"
                ),
                "is_deleted": boolean(),
                "author": nullable(ref("User")),
                "created_at": timestamp(),
                "edited_at": nullable(timestamp()),
                "version": integer("編集のたびに増える版番号（編集の競合検出に使う）", minimum=1),
                "url": string("投稿の固定リンク", format="uri"),
                "fragment_html": string(
                    "?include=fragment のときだけ：スレッドページと同じ投稿のHTML"
                ),
            },
            required=[
                "id",
                "thread_id",
                "number",
                "status",
                "html",
                "is_deleted",
                "author",
                "created_at",
                "edited_at",
                "version",
                "url",
            ],
            example={
                "id": 301,
                "thread_id": 42,
                "number": 2,
                "status": "visible",
                "html": "<p>うちの町では移動販売車と連携しています。</p>",
                "is_deleted": False,
                "author": {"handle": "suzuki", "display_name": "鈴木 一郎"},
                "created_at": "2026-12-01T11:00:00+09:00",
                "edited_at": None,
                "version": 1,
                "url": "https://kyoso.example.jp/posts/301",
            },
        ),
        "PendingReview": obj(
            {
                "status": enum(["pending_review"]),
                "reasons": array(ref("Concern"), "保留になった理由"),
                "pending_url": string("投稿者が確認待ちの内容と状況を見るページ", format="uri"),
                "expected_review_hours": integer("確認までの目安の時間"),
            },
            required=["status", "reasons"],
            description="保存されたが、モデレーターの確認を待っている。",
        ),
    }


_LOCATION = {"Location": {"description": "作成されたもののURL", "schema": string(format="uri")}}
_HELD = json_response(
    "保留：保存されたが、公開前にモデレーターが確認する",
    ref("PendingReview"),
    example={
        "status": "pending_review",
        "reasons": [
            {
                "code": "first_post",
                "message": "はじめての投稿は確認後に公開されます。",
                "matches": [],
            }
        ],
    },
)
_CONFIRM = boolean("審査で確認を求められた内容を、そのまま送るときに true")
_FRAGMENT = query(
    "include",
    enum(["fragment"]),
    "fragment を指定すると、各投稿にスレッドページと同じHTML（fragment_html）を付ける",
)


def _operations() -> dict:
    kinds = list(KIND_PERMISSIONS)
    return {
        "api.boards": {
            "tags": ["forum"],
            "summary": "掲示板の一覧",
            "description": "閲覧できる掲示板だけ（限定公開の掲示板は読める人にだけ返ります）。",
            "auth": "optional",
            "parameters": [
                query("space", string(maxLength=40), "プラットフォームのURL名（例：hyogo）"),
            ],
            "responses": {
                "200": json_response("閲覧できる掲示板", obj({"boards": array(ref("Board"))}))
            },
            "errors": {404: ["not_found"]},
        },
        "api.board_threads": {
            "tags": ["forum"],
            "summary": "掲示板のスレッド一覧",
            "description": "新しい順。続きは next_cursor を cursor に渡して取得します。",
            "auth": "optional",
            "path": {"slug": "掲示板のURL名（例：kouryu）"},
            "parameters": [
                query("limit", integer(minimum=1, maximum=100, default=30), "件数（1〜100）"),
                query("cursor", string(), "前のページの next_cursor"),
                query("pref", string(pattern="^[0-9]{2}$"), "このタグ（都道府県コード）の話題だけ"),
                query("domain", string(), "このタグ（生活支援の領域のURL名）の話題だけ"),
                query("field", string(), "このタグ（分野のURL名）の話題だけ"),
            ],
            "responses": {
                "200": json_response(
                    "スレッドの一覧",
                    obj(
                        {
                            "board": ref("Board"),
                            "threads": array(ref("Thread")),
                            "next_cursor": nullable(string("続きがないときは null")),
                        }
                    ),
                )
            },
            "errors": {400: ["bad_cursor"], 404: ["not_found"]},
        },
        "api.create_thread": {
            "tags": ["forum"],
            "summary": "スレッドを立てる",
            "description": "type が discussion 以外のときは fields に種類ごとの項目を送ります"
            "（スキーマ CaseFieldsInput など）。審査で確認が必要なときは 422 "
            "needs_confirmation が返るので、内容を確かめて confirm: true を付けて送り直します。",
            "path": {"slug": "掲示板のURL名"},
            "requestBody": json_body(
                obj(
                    {
                        "title": string("タイトル（120文字まで）", maxLength=120),
                        "body": string("本文（Markdown）"),
                        "type": enum(kinds, "スレッドの種類（省略時 discussion）"),
                        "fields": {
                            "description": "type ごとの項目（discussion では不要）",
                            "anyOf": [
                                ref(f"{k.capitalize()}FieldsInput")
                                for k in kinds
                                if k != "discussion"
                            ],
                        },
                        "tags": _tags(
                            "discussion のタグ（任意）：地域・生活支援の領域・分野。"
                            "ほかの種類では使いません",
                            required=[],
                        ),
                        "confirm": _CONFIRM,
                    },
                    required=["title", "body"],
                    closed=False,
                ),
                example={
                    "title": "買い物支援の始め方",
                    "body": "移動販売を始めたい町の方、情報交換しませんか。",
                    "type": "discussion",
                },
            ),
            "responses": {
                "201": json_response(
                    "作成した",
                    obj(
                        {
                            "id": integer("スレッドのID"),
                            "url": string(format="uri"),
                            "post": ref("Post"),
                        }
                    ),
                    headers=_LOCATION,
                ),
                "202": _HELD,
            },
            "errors": {404: ["not_found"], **OUTCOME_ERRORS},
        },
        "api.thread": {
            "tags": ["forum"],
            "summary": "スレッド",
            "auth": "optional",
            "path": {"thread_id": "スレッドのID"},
            "responses": {
                "200": json_response(
                    "スレッドと、種類ごとの項目",
                    obj(
                        {
                            "thread": ref("ThreadDetail"),
                        }
                    ),
                )
            },
            "errors": {404: ["not_found"]},
        },
        "api.thread_posts": {
            "tags": ["forum"],
            "summary": "スレッドの投稿",
            "description": "after より後の番号の投稿を、番号順に返します（リアルタイム更新の"
            "取りこぼしを埋めるときにも使います）。",
            "auth": "optional",
            "path": {"thread_id": "スレッドのID"},
            "parameters": [
                query("after", integer(minimum=0, default=0), "この番号より後の投稿から"),
                query("limit", integer(minimum=1, maximum=200, default=50), "件数（1〜200）"),
                _FRAGMENT,
            ],
            "responses": {
                "200": json_response(
                    "投稿の一覧",
                    obj(
                        {
                            "thread_id": integer(),
                            "last_number": integer(minimum=0),
                            "is_locked": boolean(),
                            "can_reply": boolean("この利用者が返信できるか"),
                            "posts": array(ref("Post")),
                        }
                    ),
                )
            },
            "errors": {404: ["not_found"]},
        },
        "api.create_post": {
            "tags": ["forum"],
            "summary": "返信する",
            "path": {"thread_id": "スレッドのID"},
            "requestBody": json_body(
                obj(
                    {"body": string("本文（Markdown）"), "confirm": _CONFIRM},
                    required=["body"],
                    closed=False,
                ),
                example={"body": "うちの町では移動販売車と連携しています。"},
            ),
            "responses": {
                "201": json_response("返信した", ref("Post"), headers=_LOCATION),
                "202": _HELD,
            },
            "errors": {404: ["not_found"], **OUTCOME_ERRORS},
        },
        "api.get_post": {
            "tags": ["forum"],
            "summary": "投稿",
            "auth": "optional",
            "path": {"post_id": "投稿のID"},
            "parameters": [_FRAGMENT],
            "responses": {"200": json_response("投稿", ref("Post"))},
            "errors": {404: ["not_found"]},
        },
        "api.edit_post": {
            "tags": ["forum"],
            "summary": "投稿を編集する",
            "description": "読み込んだときの version を送ると、その後にほかの人が編集していた"
            "場合は 409 conflict と最新の投稿（current）が返ります。最初の投稿では title で"
            "スレッドのタイトルも変えられます。",
            "path": {"post_id": "投稿のID"},
            "requestBody": json_body(
                obj(
                    {
                        "body": string("新しい本文（Markdown）"),
                        "title": string("新しいタイトル（最初の投稿のみ）", maxLength=120),
                        "version": integer("読み込んだときの版番号", minimum=1),
                        "tags": _tags(
                            "話題（discussion）の最初の投稿のみ：スレッドのタグを置き換える"
                            "（省略時はそのまま、空にするとタグを外す）",
                            required=[],
                        ),
                        "confirm": _CONFIRM,
                    },
                    required=["body"],
                    closed=False,
                ),
                example={"body": "移動販売車の運行日を追記しました。", "version": 1},
            ),
            "responses": {
                "200": json_response("編集した", ref("Post")),
                "202": json_response(
                    "保留：編集は保存されたが、公開前にモデレーターが確認する（本文は元のまま）",
                    ref("Post"),
                ),
            },
            "errors": {404: ["not_found"], 409: ["conflict"], **OUTCOME_ERRORS},
        },
        "api.delete_post": {
            "tags": ["forum"],
            "summary": "投稿を削除する",
            "path": {"post_id": "投稿のID"},
            "responses": {"204": no_content("削除した")},
            "errors": {403: ["forbidden"], 404: ["not_found"], **RATE_LIMITED},
        },
        "api.redact_revision": {
            "tags": ["moderation"],
            "summary": "編集履歴を非公開にする（モデレーター）",
            "description": "投稿の以前の版を全員から隠します（監査のために記録は残ります）。",
            "path": {"post_id": "投稿のID", "revision_id": "編集履歴のID"},
            "requestBody": json_body(
                obj({"reason": string("理由（500文字まで）")}, required=[], closed=False),
                example={"reason": "個人の電話番号が書かれていたため"},
            ),
            "responses": {"204": no_content("非公開にした")},
            "errors": {403: ["forbidden"], 404: ["not_found"]},
        },
        "api.preview": {
            "tags": ["forum"],
            "summary": "Markdown のプレビュー",
            "description": "保存される投稿と同じ処理でHTMLにします（何も保存しません）。",
            "requestBody": json_body(
                obj({"body": string("本文（Markdown）")}, closed=False),
                example={"body": "**来週の集まり**は公民館で"},
            ),
            "responses": {
                "200": json_response(
                    "HTML",
                    obj({"html": string()}),
                    example={"html": "<p><strong>来週の集まり</strong>は公民館で</p>"},
                )
            },
            "errors": {413: ["too_large"], 422: ["validation"], **RATE_LIMITED},
        },
    }


def contract() -> dict:
    return {
        "tags": [{"name": "forum", "description": "掲示板・スレッド・投稿"}],
        "schemas": _schemas(),
        "operations": _operations(),
    }
