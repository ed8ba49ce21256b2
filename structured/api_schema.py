"""OpenAPI declarations of the structured threads' JSON: the typed ``fields`` of each kind, made
from ``structured.schema`` (the one declaration the forms and the API use), and the listings
``/api/v1/events`` … (``structured.api``). See ``core.openapi``."""

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
from structured.queries import KIND_FILTERS, POPULATION_BANDS
from structured.schema import (
    ATTENDANCE_MODES,
    CHALLENGE_STATUSES,
    EVENT_STATUSES,
    FUNDING_KINDS,
    POLICY_KINDS,
    SECTIONS,
    Spec,
    specs_for,
)

_TAXONOMY = "（一覧は GET /api/v1/taxonomies）"
_DATETIME = "日時：「2026-12-01T10:00+09:00」（送るときはオフセットなしなら日本時間）"


def _value(spec: Spec) -> dict:
    label = str(spec.label)
    if spec.type in ("text", "markdown"):
        kind = "Markdown" if spec.type == "markdown" else "文字列"
        return string(f"{label}（{kind}、{spec.max_length}文字まで）", maxLength=spec.max_length)
    if spec.type == "url":
        return string(f"{label}（http(s) のURL）", format="uri", maxLength=spec.max_length)
    if spec.type in ("int", "fiscal_year", "decimal"):
        schema = {"type": "number" if spec.type == "decimal" else "integer", "description": label}
        if spec.minimum is not None:
            schema["minimum"] = spec.minimum
        if spec.maximum is not None:
            schema["maximum"] = spec.maximum
        return schema
    if spec.type == "date":
        return string(f"{label}（2026-12-01 の形）", format="date")
    if spec.type == "datetime":
        return string(f"{label}。{_DATETIME}")
    if spec.type == "choice":
        labels = "、".join(f"{k}: {v}" for k, v in (spec.choices or {}).items())
        return enum(spec.choices or (), f"{label}（{labels}）")
    raise ValueError(f"no schema for field type {spec.type!r}")


def _common() -> dict:
    return {
        "prefecture": nullable(string(
            "都道府県コード（2桁）" + _TAXONOMY + "。参加方法が online のイベントだけは省略でき、"
            "全国（オンライン）のイベントになる（null）。市区町村を送れば省略時はその都道府県",
            pattern=r"^\d{2}$",
        )),
        "municipality_code": nullable(string(
            "市区町村コード（全国地方公共団体コード6桁。一覧は GET /api/v1/taxonomies/municipalities）。"
            "市区町村名だけを送ればコードは一覧から補われる", pattern=r"^\d{6}$",
        )),
        "municipality_name": nullable(string(
            "市区町村名（一覧にある名前、例：長野市）。コードだけを送れば名前は一覧から補われる"
        )),
        "player_fields": array(string(), "分野のURL名" + _TAXONOMY),
        "life_domains": array(string(), "生活支援の領域のURL名" + _TAXONOMY),
    }


def _fields(kind: str) -> dict:
    """As the API answers: every key present, null when empty."""
    properties = {**_common(), **{s.name: nullable(_value(s)) for s in specs_for(kind)}}
    return obj(properties, description=f"{kind} の項目")


def _fields_input(kind: str) -> dict:
    properties = {**_common(), **{s.name: _value(s) for s in specs_for(kind)}}
    for spec in specs_for(kind):
        if spec.default is not None:  # left out: the default (a new event is 開催予定)
            properties[spec.name] = {**properties[spec.name], "default": spec.default}
    required = [s.name for s in specs_for(kind) if s.required and s.default is None]
    return obj(
        properties,
        required=required,
        closed=False,
        description=f"{kind} を立てるときに送る項目（省略可の項目は省いてよい）",
    )


_FILTERS = {
    "q": (string(maxLength=100), "キーワード（サイト内検索と同じ検索。閲覧できるものだけ）。"
          "地方と合わない都道府県を指定すると、都道府県を優先して地方は外れる"),
    "space": (string(maxLength=40), "プラットフォームのURL名（`GET /api/v1/spaces`）：そのプラットフォームの掲示板のものだけ"),
    "prefecture": (string(pattern=r"^\d{2}$"), "都道府県コード" + _TAXONOMY),
    "block": (string(), "地方ブロックのコード" + _TAXONOMY),
    "field": (string(), "分野のURL名" + _TAXONOMY),
    "domain": (string(), "生活支援の領域のURL名" + _TAXONOMY),
    "population": (enum(POPULATION_BANDS), "人口規模"),
    "funding": (enum(FUNDING_KINDS), "財源"),
    "mode": (enum(ATTENDANCE_MODES), "参加方法"),
    "from": (string(format="date"), "この日以降（2026-12-01 の形）"),
    "to": (string(format="date"), "この日まで（2026-12-31 の形）"),
    "when": (enum(["upcoming", "past", "all"]), "期間（既定 upcoming: これから）"),
    "ministry": (string(maxLength=80), "所管（府省庁・自治体）"),
    "fiscal_year": (integer(minimum=2000, maximum=2100), "年度（西暦の年、例 2026）"),
    "policy_kind": (enum(POLICY_KINDS), "種別"),
    "origin": (enum(["platform"]), "platform: このプラットフォームの地域課題から生まれた事例だけ"),
}
_STATUS = {"event": EVENT_STATUSES, "challenge": CHALLENGE_STATUSES}
_TITLES = {
    "case": "取組事例の一覧",
    "event": "イベントの一覧",
    "policy": "施策・予算の一覧",
    "challenge": "地域課題・連携募集の一覧",
}


def _listing(kind: str) -> dict:
    parameters = []
    for name in KIND_FILTERS[kind]:
        if name == "status":
            schema, description = enum(_STATUS[kind]), "状況"
        else:
            schema, description = _FILTERS[name]
        parameters.append(query(name, schema, description))
    parameters += [
        query("limit", integer(minimum=1, maximum=100, default=20), "件数（1〜100）"),
        query("cursor", string(), "前のページの next_cursor"),
    ]
    return {
        "tags": ["structured"],
        "summary": _TITLES[kind],
        "description": "ページと同じ絞り込み。filters は効いている条件（URLの引数の形）。",
        "auth": "optional",
        "parameters": parameters,
        "responses": {
            "200": json_response(
                _TITLES[kind],
                obj(
                    {
                        SECTIONS[kind]: array(ref(f"{kind.capitalize()}Item")),
                        "next_cursor": nullable(string("続きがないときは null")),
                        "filters": {
                            "type": "object",
                            "additionalProperties": string(),
                            "propertyNames": {"enum": list(KIND_FILTERS[kind])},
                        },
                    }
                ),
            )
        },
        "errors": {400: ["validation", "bad_cursor"]},
    }


def _item(kind: str) -> dict:
    return obj(
        {
            "id": integer("スレッドのID"),
            "type": enum([kind]),
            "title": string(),
            "url": string(format="uri"),
            "space": string("プラットフォームのURL名（national: 全国版）"),
            "reply_count": integer(minimum=0),
            "created_at": timestamp(),
            "updated_at": nullable(timestamp()),
            "fields": ref(f"{kind.capitalize()}Fields"),
        }
    )


def contract() -> dict:
    schemas: dict = {}
    for kind in SECTIONS:
        name = kind.capitalize()
        schemas[f"{name}Fields"] = _fields(kind)
        schemas[f"{name}FieldsInput"] = _fields_input(kind)
        schemas[f"{name}Item"] = _item(kind)
    schemas["StructuredFields"] = {
        "description": "スレッドの種類ごとの項目（type が discussion のときは null）",
        "anyOf": [ref(f"{k.capitalize()}Fields") for k in SECTIONS],
    }
    return {
        "tags": [{"name": "structured", "description": "取組事例・イベント・施策・地域課題"}],
        "schemas": schemas,
        "operations": {
            f"structured_api.{section}": _listing(kind) for kind, section in SECTIONS.items()
        },
    }
