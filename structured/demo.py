"""Demo cases, events, policies and local problems across several prefectures (``seed-demo``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from forum import posting
from forum.models import Board
from structured.details import save_details, to_api
from structured.forms import details_form
from structured.schema import TOKYO, to_tokyo_iso


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    today = datetime.now(UTC).astimezone(TOKYO).date()
    return datetime.combine(today + timedelta(days=days), time(hour, minute), tzinfo=TOKYO)


def _event(days, hour, hours, **fields):
    start = _at(days, hour)
    return {"start_at": to_tokyo_iso(start), "end_at": to_tokyo_iso(start + timedelta(hours=hours)),
            "status": "scheduled", **fields}  # fmt: skip


def _items():
    # the training below starts in 7 days: applications close 2 days before
    deadline = (datetime.now(UTC).astimezone(TOKYO).date() + timedelta(days=5)).isoformat()
    return [
        ("case", "jirei", "sato_akita", "地元スーパーと連携した移動販売で山間部の買い物を支える",
         "横手市の山間部5地区で、地元スーパーの移動販売車が週2回巡回しています。停留所は集会所の前にし、"
         "買い物のあとにお茶会を開くことで、見守りと交流の場にもなっています。",
         {"prefecture": "05", "municipality_code": "052035", "municipality_name": "横手市",
          "player_fields": ["butsuryu-hanbai", "iryo-kaigo-fukushi"], "life_domains": ["kaimono", "mimamori", "koryu"],
          "summary": "地元スーパー・社会福祉協議会・地区会長会が連携し、**移動販売**と**お茶会**を組み合わせた取組です。",
          "background": "路線バスの減便で、山間部の高齢者が買い物に行けなくなったことがきっかけです。",
          "activities": "- 週2回、5地区を巡回\n- 停留所で月1回のお茶会\n- 気になる方は地域包括支援センターへ連絡",
          "outcomes": "1回あたり平均18人が利用。お茶会の参加者は半年で2倍になりました。",
          "challenges": "冬季の積雪時の運行と、販売車の運転手の確保。",
          "implementer": "横手市社会福祉協議会", "partners": "地元スーパー、地区会長会、地域包括支援センター",
          "population": 85_000, "ageing_rate": 39.2, "stats_as_of": "2025-10-01", "start_year": 2024,
          "funding_kind": "community_support", "funding_amount": 3_200_000,
          "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "contact": "横手市社会福祉協議会 地域福祉課"}),
        ("case", "jirei", "tanaka_okayama", "通院と買い物を兼ねた予約制乗合タクシー",
         "午前は通院便、午後は買い物便として運行する予約制の乗合タクシーです。",
         {"prefecture": "33", "municipality_code": "332143", "municipality_name": "真庭市",
          "player_fields": ["chiiki-kotsu", "gyosei-kikan"], "life_domains": ["ido", "kaimono", "iryo"],
          "summary": "市とタクシー事業者が協定を結び、1乗車300円で運行しています。",
          "activities": "前日17時までの電話予約。移動販売の時刻と合わせて運行表を作成。",
          "outcomes": "利用者は年間延べ1万2千人。移動販売の利用も増えました。",
          "implementer": "真庭市 健康福祉部", "partners": "市内タクシー事業者3社", "population": 42_000,
          "ageing_rate": 38.5, "start_year": 2022, "funding_kind": "municipal", "contact": "真庭市 地域包括ケア推進係"}),
        ("case", "jirei", "npo_hyogo", "団地の空き店舗を使った多世代の居場所",
         "UR団地の空き店舗を改装し、週3日開く居場所です。",
         {"prefecture": "28", "municipality_code": "282049", "municipality_name": "西宮市",
          "player_fields": ["jumin-katsudo", "kankyo-machizukuri"], "life_domains": ["ibasho", "koryu", "shokuji"],
          "summary": "高齢者と子育て世代が一緒に過ごせる**居場所**を、住民ボランティアが運営しています。",
          "implementer": "NPO法人 ささえあい西宮", "partners": "UR都市機構、近隣の生協", "population": 480_000,
          "start_year": 2023, "funding_kind": "grant", "funding_amount": 1_500_000}),
        ("event", "events", "yamamoto_nagano", "生活支援コーディネーター研修（第2層）",
         "協議体の運営と多様な主体との連携について、事例を交えて学びます。",
         {"prefecture": "20", "municipality_name": "長野市", "player_fields": ["iryo-kaigo-fukushi", "gyosei-kikan"],
          "life_domains": ["volunteer", "machizukuri"],
          **_event(7, 13, 3, attendance_mode="hybrid", venue_name="長野県社会福祉総合センター",
                   address="長野県長野市若里7-1-7", online_url="https://example.jp/meet/sc-kenshu",
                   organizer="長野県 健康福祉部 介護支援課", audience="生活支援コーディネーター、市町村職員",
                   capacity=120, fee="無料", apply_method="申込フォームから", apply_url="https://example.jp/apply/sc",
                   apply_deadline=deadline, contact="長野県 介護支援課")}),
        ("event", "events", "coop_tokyo", "移動販売の現場見学会（八王子市）",
         "移動販売車に同乗し、停留所での見守りの様子を見学します。",
         {"prefecture": "13", "municipality_name": "八王子市", "player_fields": ["butsuryu-hanbai"],
          "life_domains": ["kaimono", "mimamori"],
          **_event(14, 10, 2, attendance_mode="venue", venue_name="生協ひだまり 八王子センター",
                   address="東京都八王子市", organizer="生活協同組合ひだまり", capacity=15, fee="無料")}),
        ("event", "events", "mhlw_roken", "全国フォーラム「多様な主体による生活支援」",
         "全国の取組事例の発表と意見交換を行います。オンライン配信あり。",
         # online only, for the whole country: no prefecture (shown as 「全国（オンライン）」)
         {"player_fields": ["gyosei-kikan"], "life_domains": ["machizukuri", "koryu"],
          **_event(30, 13, 4, attendance_mode="online", online_url="https://example.jp/live/forum",
                   organizer="厚生労働省 老健局", audience="自治体職員、団体、企業の方", fee="無料")}),
        ("event", "events", "npo_hyogo", "居場所づくり交流会（中止）",
         "台風接近のため中止します。",
         {"prefecture": "28", "municipality_name": "西宮市", "player_fields": ["jumin-katsudo"],
          "life_domains": ["ibasho"],
          **_event(3, 14, 2, attendance_mode="venue", venue_name="西宮市民会館", address="兵庫県西宮市",
                   organizer="NPO法人 ささえあい西宮", status="cancelled")}),
        ("event", "events", "tanaka_okayama", "乗合タクシー運行事例の報告会",
         "昨年度の運行実績を報告しました。アーカイブ動画をご覧ください。",
         {"prefecture": "33", "municipality_name": "真庭市", "player_fields": ["chiiki-kotsu"],
          "life_domains": ["ido"],
          **_event(-20, 15, 1, attendance_mode="online", online_url="https://example.jp/live/report",
                   organizer="真庭市", archive_video_url="https://vimeo.com/76979871")}),
        ("policy", "seisaku", "mhlw_roken", "生活支援体制整備事業（地域支援事業）",
         "生活支援コーディネーターの配置と協議体の設置を支援する事業です。",
         {"prefecture": "13", "player_fields": ["gyosei-kikan", "iryo-kaigo-fukushi"],
          "life_domains": ["volunteer", "machizukuri"], "ministry": "厚生労働省", "division": "老健局 認知症施策・地域介護推進課",
          "program_name": "生活支援体制整備事業", "policy_kind": "grant", "fiscal_year": 2026,
          "amount_yen": 25_000_000_000, "amount_kind": "initial", "subsidy_rate": "国38.5％・都道府県19.25％・市町村19.25％",
          "implementer": "市町村", "eligible": "市町村（委託先の社会福祉協議会、NPO等を含む）",
          "purpose": "多様な主体による生活支援・介護予防サービスの提供体制を整えること。",
          "source_url": "https://www.mhlw.go.jp/"}),
        ("policy", "seisaku", "mhlw_roken", "生活支援共創プラットフォーム 都道府県版の手引き",
         "都道府県プラットフォームの立ち上げ方をまとめた手引きです。",
         {"prefecture": "13", "player_fields": ["gyosei-kikan"], "life_domains": ["machizukuri"],
          "ministry": "厚生労働省", "division": "老健局", "program_name": "都道府県プラットフォーム構築の手引き",
          "policy_kind": "guide", "fiscal_year": 2025, "guideline_url": "https://www.mhlw.go.jp/"}),
        ("policy", "seisaku", "yamamoto_nagano", "長野県 買い物支援モデル事業補助金",
         "移動販売・宅配の立ち上げ費用を補助します。",
         {"prefecture": "20", "player_fields": ["butsuryu-hanbai"], "life_domains": ["kaimono"],
          "ministry": "長野県", "division": "健康福祉部 介護支援課", "program_name": "買い物支援モデル事業",
          "policy_kind": "subsidy", "fiscal_year": 2026, "amount_yen": 30_000_000, "amount_kind": "initial",
          "subsidy_rate": "1/2", "eligible": "県内の市町村、NPO法人、事業者",
          "application_start": date.today().replace(month=4, day=1).isoformat(),
          "application_end": date.today().replace(month=5, day=31).isoformat()}),
        ("challenge", "chiiki-kadai", "npo_hyogo", "団地の居場所で食材を提供してくださる方を探しています",
         "週3日の居場所で昼食を出したいと考えています。",
         {"prefecture": "28", "municipality_name": "西宮市", "player_fields": ["norin-suisan", "ginko-inshoku"],
          "life_domains": ["shokuji", "ibasho"], "area": "西宮市 浜甲子園団地",
          "partner_sought": "規格外野菜などの**食材提供**、調理ボランティアの派遣ができる団体・農家・飲食店",
          "status": "open"}),
        ("challenge", "chiiki-kadai", "tanaka_okayama", "冬季の見守りを一緒に担う事業者を募集",
         "積雪期に訪問が減るため、配達事業者との連携を考えています。",
         {"prefecture": "33", "municipality_name": "真庭市", "player_fields": ["yubin-ict", "butsuryu-hanbai"],
          "life_domains": ["mimamori", "bosai-bohan"], "area": "真庭市北部（旧川上村・八束村）",
          "partner_sought": "新聞・郵便・宅配など、定期的に訪問する事業者", "status": "negotiating"}),
        ("challenge", "chiiki-kadai", "sato_akita", "移動販売車の運転手の確保（連携成立）",
         "地元の運送会社の協力で運転手を確保できました。",
         {"prefecture": "05", "municipality_name": "横手市", "player_fields": ["butsuryu-hanbai"],
          "life_domains": ["kaimono", "shuro"], "area": "横手市山内地区",
          "partner_sought": "移動販売車を運転できる方・事業者", "status": "partnered"}),
    ]  # fmt: skip


def seed_structured_demo(users: dict[str, User]) -> int:
    boards = {b.slug: b for b in db.session.scalars(select(Board))}
    count = 0
    for kind, slug, author, title, body, fields in _items():
        thread = posting.create_thread(
            board=boards[slug], author=users[author], title=title, body=body, kind=kind
        )
        form = details_form(kind, json=fields)  # demo data passes the same validation as users'
        if not form.validate():
            raise ValueError(f"demo {kind} {title!r}: {form.errors}")
        save_details(thread=thread, kind=kind, fields=to_api(form.values()), editor=users[author])
        count += 1
    return count
