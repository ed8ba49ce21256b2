"""OpenAPI declaration of the co-creation routes (``cocreation.api``)."""

from __future__ import annotations

from cocreation.models import STATUSES
from cocreation.service import MESSAGE_MAX, MESSAGE_MIN
from core.openapi import (
    array,
    boolean,
    enum,
    integer,
    json_body,
    json_response,
    nullable,
    obj,
    ref,
    string,
)
from structured.schema import CHALLENGE_STATUSES

_OFFER_ERRORS = {403: ["forbidden"], 404: ["not_found"], 409: ["conflict"], 422: ["validation"]}


def _answer(summary: str, description: str) -> dict:
    return {
        "tags": ["cocreation"],
        "summary": summary,
        "description": description,
        "path": {"offer_id": "申し出のID"},
        "requestBody": {**json_body(obj({"reason": string("理由（任意、監査ログに残ります）",
                                                         maxLength=500)})),
                        "required": False},
        "responses": {"200": json_response("変更後の申し出", ref("Offer"))},
        "errors": _OFFER_ERRORS,
    }  # fmt: skip


def contract() -> dict:
    offer = obj(
        {
            "id": integer("申し出のID"),
            "challenge_id": integer("地域課題（スレッド）のID"),
            "organization": obj({"slug": string("団体のURL名"), "name": string("団体名"),
                                 "url": string("団体のページ", format="uri")}),
            "status": enum(STATUSES, "open: 申し出中、accepted: 話し合い中、partnered: 連携成立、"
                                     "declined: 見送り、withdrawn: 取り下げ"),
            "message": string("申し出の内容（Markdown）"),
            "message_html": string("申し出の内容（サニタイズ済みHTML）"),
            "created_at": string(format="date-time"),
            "decided_at": nullable(string(format="date-time")),
        },
        required=["id", "challenge_id", "organization", "status", "message", "message_html",
                  "created_at", "decided_at"],
    )  # fmt: skip
    operations = {
        "cocreation_api.list_offers": {
            "tags": ["cocreation"],
            "summary": "地域課題への連携の申し出",
            "description": "だれでも件数（申し出中・話し合い中・連携成立）と連携先を読めます。"
            "一覧（offers）は課題の投稿者と、その団体のメンバーにだけ返します。"
            "読めない課題は 404 です。",
            "auth": "optional",
            "path": {"thread_id": "地域課題（スレッド）のID"},
            "responses": {
                "200": json_response(
                    "件数と、投稿者側には一覧",
                    obj(
                        {
                            "count": integer("申し出の件数"),
                            "partners": array(string(), "連携が成立した団体の名前"),
                            "offers": array(ref("Offer"), "投稿者側だけ"),
                        },
                        required=["count", "partners"],
                    ),
                )
            },  # fmt: skip
            "errors": {404: ["not_found"]},
        },
        "cocreation_api.create_offer": {
            "tags": ["cocreation"],
            "summary": "連携を申し出る",
            "description": "認証済みの団体・自治体の担当者（所属団体が団体リストにある人）が、団体として"
            "申し出ます。1つの課題に団体ごとに1件まで。投稿と同じ審査（個人情報・注意語句）を"
            "通ります。確認が必要なときは 422 needs_confirmation なので、確かめて confirm: true "
            "で送り直します。",
            "path": {"thread_id": "地域課題（スレッド）のID"},
            "requestBody": json_body(
                obj(
                    {
                        "message": string(
                            f"申し出の内容（Markdown、{MESSAGE_MIN}〜{MESSAGE_MAX}文字）",
                            minLength=MESSAGE_MIN,
                            maxLength=MESSAGE_MAX,
                        ),
                        "confirm": boolean("審査で確認を求められた内容を、そのまま送るときに true"),
                    },
                    required=["message"],
                ),
                example={
                    "message": "移動販売車を週2回走らせることができます。燃料費のご相談をさせてください。"
                },
            ),  # fmt: skip
            "responses": {"201": json_response("申し出た", ref("Offer"))},
            "errors": {
                **_OFFER_ERRORS,
                422: ["validation", "refused", "needs_confirmation"],
                429: ["rate_limited"],
            },  # fmt: skip
        },
        "cocreation_api.accept_offer": _answer(
            "申し出を受けて話し合いを始める",
            "課題の投稿者側だけ。申し出中のものが話し合い中になり、課題が募集中なら調整中になります。",
        ),
        "cocreation_api.decline_offer": _answer(
            "申し出を見送る",
            "課題の投稿者側だけ。申し出た人には、感謝を伝える定型の文面で知らせます。",
        ),
        "cocreation_api.partner_offer": _answer(
            "連携が成立した団体にする",
            "課題の投稿者側だけ。課題は連携成立になり、連携先として課題と一覧に表示されます。",
        ),
        "cocreation_api.withdraw_offer": _answer(
            "申し出を取り下げる", "申し出た人と、同じ団体の認証済みメンバーだけ。"
        ),
        "cocreation_api.set_status": {
            "tags": ["cocreation"],
            "summary": "地域課題の状況を変える",
            "description": "課題の投稿者側とモデレーター。変更は監査ログに残り、ウォッチしている人と"
            "申し出た人に通知します。",
            "path": {"thread_id": "地域課題（スレッド）のID"},
            "requestBody": json_body(
                obj(
                    {
                        "status": enum(
                            CHALLENGE_STATUSES,
                            "open: 募集中、negotiating: 調整中、partnered: 連携成立、closed: 終了",
                        ),
                        "reason": string("理由（任意）", maxLength=500),
                    },
                    required=["status"],
                ),
                example={"status": "closed"},
            ),  # fmt: skip
            "responses": {
                "200": json_response(
                    "変更後の状況", obj({"id": integer(), "status": enum(CHALLENGE_STATUSES)})
                )
            },  # fmt: skip
            "errors": {403: ["forbidden"], 404: ["not_found"], 422: ["validation"]},
        },
    }
    return {
        "tags": [{"name": "cocreation", "description": "うまれる：地域課題への連携の申し出と状況"}],
        "schemas": {"Offer": offer},
        "operations": operations,
    }
