"""The typed fields of each structured thread kind, declared once.

One declaration serves the web form, the API (the same WTForms classes validate JSON), the
summary card, the API representation and the revision history. Field names are the API's names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.validators import StopValidation

from core.types import TOKYO

# Choice lists: stable ASCII values (API) → Japanese labels (UI).
ATTENDANCE_MODES = {"venue": _l("会場"), "online": _l("オンライン"), "hybrid": _l("ハイブリッド")}
EVENT_STATUSES = {"scheduled": _l("開催予定"), "postponed": _l("延期"), "cancelled": _l("中止")}
CHALLENGE_STATUSES = {
    "open": _l("募集中"),
    "negotiating": _l("調整中"),
    "partnered": _l("連携成立"),
    "closed": _l("終了"),
}
FUNDING_KINDS = {
    "community_support": _l("地域支援事業"),
    "national_subsidy": _l("国庫補助"),
    "municipal": _l("自治体単独"),
    "grant": _l("助成金"),
    "donation": _l("寄付"),
    "own": _l("自主財源"),
}
POLICY_KINDS = {
    "subsidy": _l("補助金"),
    "grant": _l("交付金"),
    "commission": _l("委託"),
    "fund": _l("基金"),
    "notice": _l("通知"),
    "guide": _l("手引き・ツール"),
}
AMOUNT_KINDS = {
    "requested": _l("概算要求"),
    "initial": _l("当初予算"),
    "supplementary": _l("補正予算"),
}
#: population bands for the case listing filter: slug → (label, min inclusive, max exclusive)
POPULATION_BANDS = {
    "lt10k": (_l("1万人未満"), 0, 10_000),
    "10k-50k": (_l("1万〜5万人"), 10_000, 50_000),
    "50k-200k": (_l("5万〜20万人"), 50_000, 200_000),
    "200k-plus": (_l("20万人以上"), 200_000, None),
}

#: the URL segment of each kind's listing (/cases, /events …), also the API's list key
SECTIONS = {"case": "cases", "event": "events", "policy": "policies", "challenge": "challenges"}

KIND_LABELS = {
    "discussion": _l("話題"),
    "case": _l("取組事例"),
    "event": _l("イベント"),
    "policy": _l("施策・予算"),
    "challenge": _l("地域課題・連携募集"),
}


@dataclass(frozen=True)
class Spec:
    """One typed field. ``type``: text | markdown | int | decimal | url | date | datetime | choice
    | fiscal_year."""

    name: str
    label: object
    type: str = "text"
    required: bool = False
    max_length: int = 200
    minimum: float | None = None
    maximum: float | None = None
    choices: dict | None = None
    help: object | None = None
    default: str | None = None  # taken when an API client leaves the field out


def _text(name, label, max_length=200, **kw) -> Spec:
    return Spec(name, label, "text", max_length=max_length, **kw)


def _md(name, label, max_length=5000, **kw) -> Spec:
    return Spec(name, label, "markdown", max_length=max_length, **kw)


def _url(name, label, **kw) -> Spec:
    return Spec(name, label, "url", max_length=500, **kw)


CASE = (
    _md("summary", _l("概要"), 2000, required=True),
    _md("background", _l("きっかけ・背景")),
    _md("activities", _l("取組の内容")),
    _md("outcomes", _l("成果")),
    _md("challenges", _l("課題")),
    _md("tips", _l("工夫・ポイント")),
    _text("implementer", _l("実施主体"), required=True),
    _text("partners", _l("連携先"), 500),
    _text("area", _l("対象地域")),
    Spec("population", _l("人口（人）"), "int", minimum=0, maximum=40_000_000),
    Spec("ageing_rate", _l("高齢化率（％）"), "decimal", minimum=0, maximum=100),
    Spec("stats_as_of", _l("人口・高齢化率の時点"), "date"),
    Spec("start_year", _l("開始年（西暦）"), "int", minimum=1950, maximum=2100),
    Spec("funding_kind", _l("財源"), "choice", choices=FUNDING_KINDS),
    Spec("funding_amount", _l("事業費（円）"), "int", minimum=0, maximum=10**13),
    _url("video_url", _l("動画のURL"), help=_l("YouTube・Vimeoの動画は埋め込みで表示します。")),
    _text("contact", _l("問い合わせ先（団体・部署）"),
          help=_l("団体名や部署名を書いてください。個人の連絡先は書かないでください。")),
)  # fmt: skip

EVENT = (
    Spec("start_at", _l("開始日時"), "datetime", required=True),
    Spec("end_at", _l("終了日時"), "datetime"),
    Spec("attendance_mode", _l("参加方法"), "choice", required=True, choices=ATTENDANCE_MODES),
    _text("venue_name", _l("会場名")),
    _text("address", _l("会場の住所")),
    _url("online_url", _l("オンライン参加のURL")),
    _text("organizer", _l("主催"), required=True),
    _text("audience", _l("対象")),
    Spec("capacity", _l("定員（人）"), "int", minimum=0, maximum=1_000_000),
    _text("fee", _l("参加費"), 100, help=_l("例：無料、1,000円")),
    _text("apply_method", _l("申込方法"), 500),
    _url("apply_url", _l("申込みのURL")),
    Spec("apply_deadline", _l("申込締切"), "date"),
    _text("contact", _l("問い合わせ先（団体・部署）")),
    Spec("status", _l("開催状況"), "choice", required=True, choices=EVENT_STATUSES,
         default="scheduled"),
    _url("archive_video_url", _l("アーカイブ動画のURL")),
)  # fmt: skip

POLICY = (
    _text("ministry", _l("所管（府省庁・自治体）"), 80, required=True),
    _text("division", _l("担当部署"), 120),
    _text("program_name", _l("事業名"), required=True),
    Spec("policy_kind", _l("種別"), "choice", required=True, choices=POLICY_KINDS),
    Spec("fiscal_year", _l("年度（西暦の年）"), "fiscal_year", required=True, minimum=2000,
         maximum=2100, help=_l("例：2026（令和8年度と表示します）")),
    Spec("amount_yen", _l("予算額（円）"), "int", minimum=0, maximum=10**15),
    Spec("amount_kind", _l("予算の区分"), "choice", choices=AMOUNT_KINDS),
    _text("subsidy_rate", _l("補助率"), 40, help=_l("例：10/10、1/2")),
    _text("implementer", _l("実施主体")),
    _text("eligible", _l("対象となる団体"), 500),
    Spec("application_start", _l("申請受付の開始日"), "date"),
    Spec("application_end", _l("申請受付の終了日"), "date"),
    _md("purpose", _l("目的"), 3000),
    _md("scheme", _l("事業の内容・スキーム"), 5000),
    _url("guideline_url", _l("要綱・手引きのURL")),
    _url("source_url", _l("出典のURL")),
)  # fmt: skip

CHALLENGE = (
    _text("area", _l("地域・エリア"), required=True),
    _md("partner_sought", _l("求める連携先"), 2000, required=True),
    Spec("status", _l("状況"), "choice", required=True, choices=CHALLENGE_STATUSES, default="open"),
)  # fmt: skip

KIND_SPECS: dict[str, tuple[Spec, ...]] = {
    "case": CASE,
    "event": EVENT,
    "policy": POLICY,
    "challenge": CHALLENGE,
}

#: statuses that end an item's life in listings (shown struck through / labelled)
INACTIVE_STATUSES = {"cancelled", "closed"}


def specs_for(kind: str) -> tuple[Spec, ...]:
    return KIND_SPECS.get(kind, ())


def choice_label(spec: Spec, value) -> str:
    return str(spec.choices.get(value, value)) if spec.choices else str(value)


def status_label(kind: str, value: str) -> str:
    if kind == "event":
        return str(EVENT_STATUSES.get(value, value))
    if kind == "challenge":
        return str(CHALLENGE_STATUSES.get(value, value))
    return ""


def parse_datetime(text: str) -> datetime:
    """``2026-12-01T10:00`` (Asia/Tokyo, as a browser's datetime-local sends it) or ISO 8601
    with an offset (the API). Returns an aware UTC datetime."""
    text = text.strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=TOKYO)
    return value.astimezone(UTC)


def to_tokyo_iso(value: datetime) -> str:
    return value.astimezone(TOKYO).isoformat(timespec="minutes")


class TokyoDateTimeField(Field):
    """A ``datetime-local`` input read as Asia/Tokyo; also accepts ISO 8601 with an offset."""

    widget_input_type = "datetime-local"

    def __init__(self, label=None, validators=None, **kwargs):
        from wtforms.widgets import DateTimeLocalInput

        super().__init__(label, validators, widget=DateTimeLocalInput(), **kwargs)
        self.raw = ""

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        if isinstance(self.data, datetime):
            return self.data.astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M")
        return ""

    def process_formdata(self, valuelist) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = parse_datetime(valuelist[0])
        except ValueError as exc:
            self.data = None
            raise ValueError(_l("日時は「2026-12-01 10:00」の形で入力してください。")) from exc


class OptionalStop:
    """Like WTForms' Optional, but only for empty input (keeps parse errors visible)."""

    field_flags = {"optional": True}

    def __call__(self, form, field) -> None:
        raw = field.raw_data
        if not raw or all(not str(v).strip() for v in raw):
            field.errors[:] = []  # an empty optional input is no error, whatever its type
            field.data = None
            raise StopValidation()
        if field.process_errors:  # already in field.errors: stop without repeating it
            raise StopValidation()


#: where an online event of national scope (no prefecture) is shown
NATIONAL_ONLINE = _l("全国（オンライン）")

COMMON_LABELS = {
    "prefecture": _l("都道府県"),
    "municipality_code": _l("市区町村コード（6桁）"),
    "municipality_name": _l("市区町村"),
    "player_fields": _l("分野"),
    "life_domains": _l("生活支援の領域"),
}


def field_labels(kind: str) -> dict:
    return {**COMMON_LABELS, **{s.name: s.label for s in specs_for(kind)}}
