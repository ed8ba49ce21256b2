"""Demo prefectural platforms (``seed-demo``): 兵庫県 (open) and 長野県 (approval), each with its
boards from the template, members, a 行政職員限定 board with a frank exchange, an event and a
case — through the same services as an admin would use."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from forum import posting
from forum.models import Board
from spaces import service
from spaces.service import SYSTEM
from structured.details import save_details, to_api
from structured.forms import details_form
from structured.schema import TOKYO, to_tokyo_iso

SPACES = [
    # slug, prefecture, name, join policy, description, {handle: role}
    ("hyogo", "28", "兵庫県生活支援共創プラットフォーム", "open",
     "兵庫県と県内の市町、社会福祉協議会、団体・企業が、地域の生活支援について話し合う場です。",
     {"ito_hyogo": "admin", "kato_nishinomiya": "moderator", "npo_hyogo": "member",
      "suzuki_toyooka": "member"}),
    ("nagano", "20", "長野県生活支援共創プラットフォーム", "approval",
     "長野県内の生活支援コーディネーターと市町村、団体の交流の場です。参加はモデレーターの承認制です。",
     {"yamamoto_nagano": "admin"}),
]  # fmt: skip


def _at(days: int, hour: int) -> datetime:
    today = datetime.now(UTC).astimezone(TOKYO).date()
    return datetime.combine(today + timedelta(days=days), time(hour), tzinfo=TOKYO)


def _threads():
    start = _at(10, 13)
    return [
        # board, author, title, body, replies, (kind, fields) or None
        ("hyogo-zentai", "npo_hyogo", "県内で居場所づくりをしている団体の交流会をしませんか",
         "西宮で多世代の居場所を運営しています。県内の団体同士で、ボランティアの集め方を話し合える場があると心強いです。",
         [("suzuki_toyooka", "豊岡でも公民館で集まりを始めました。ぜひ参加したいです。")], None),
        ("hyogo-gyosei", "kato_nishinomiya", "協議体の委員の選び方（率直なところ）",
         "第2層協議体の委員が固定化してきました。自治会長さん以外に、どんな方に声をかけていますか。"
         "外では書きにくいことも含めて、各市町の工夫を教えてください。",
         [("ito_hyogo", "県としては、商店や郵便局など地域の事業者に入ってもらう例を紹介しています。"
                        "次回の市町担当者会議でも取り上げます。")], None),
        ("hyogo-events", "ito_hyogo", "兵庫県 生活支援コーディネーター連絡会（第3回）",
         "県内の生活支援コーディネーターが事例を持ち寄る連絡会です。", [],
         ("event", {"prefecture": "28", "municipality_name": "神戸市",
                    "player_fields": ["iryo-kaigo-fukushi", "gyosei-kikan"], "life_domains": ["koryu"],
                    "start_at": to_tokyo_iso(start), "end_at": to_tokyo_iso(start + timedelta(hours=2)),
                    "status": "scheduled", "attendance_mode": "venue", "venue_name": "兵庫県民会館",
                    "address": "兵庫県神戸市中央区", "organizer": "兵庫県 福祉部 高齢政策課",
                    "capacity": 80, "fee": "無料"})),
        ("hyogo-jirei", "npo_hyogo", "商店街の空き店舗で「ちょい買い」送迎",
         "商店街の空き店舗を拠点に、買い物と送迎をセットにした取組です。", [],
         ("case", {"prefecture": "28", "municipality_name": "尼崎市",
                   "player_fields": ["jumin-katsudo", "butsuryu-hanbai"], "life_domains": ["kaimono", "ido"],
                   "summary": "商店街と住民ボランティアが協力し、週2回の**送迎付き買い物**を行っています。",
                   "implementer": "NPO法人 ささえあい西宮", "start_year": 2025,
                   "funding_kind": "community_support"})),
        ("nagano-gyosei", "yamamoto_nagano", "県内市町村の移動支援、補助の使い方",
         "地域支援事業（訪問型サービスD）を使っている市町村の担当の方、県への相談事項があればここでどうぞ。",
         [], None),
        ("nagano-events", "yamamoto_nagano", "長野県 協議体運営の相談会（オンライン）",
         "協議体の運営に悩む市町村・社協向けのオンライン相談会です。", [],
         ("event", {"prefecture": "20", "municipality_name": "長野市", "player_fields": ["gyosei-kikan"],
                    "life_domains": ["machizukuri"],
                    "start_at": to_tokyo_iso(_at(18, 14)), "end_at": to_tokyo_iso(_at(18, 16)),
                    "status": "scheduled", "attendance_mode": "online",
                    "online_url": "https://example.jp/meet/nagano-soudan",
                    "organizer": "長野県 健康福祉部 介護支援課", "fee": "無料"})),
    ]  # fmt: skip


def seed_spaces_demo(users: dict[str, User]) -> int:
    for slug, pref, name, join, description, people in SPACES:
        result = service.create_space(actor=SYSTEM, slug=slug, name=name, prefecture_code=pref,
                                      description=description, join=join)  # fmt: skip
        if result.status != "done":
            raise ValueError(f"demo space {slug}: {result.errors}")
        for handle, role in people.items():
            service.set_member_role(actor=SYSTEM, space=result.space, user=users[handle], role=role)
    boards = {b.slug: b for b in db.session.scalars(select(Board).where(Board.space_id != 1))}
    for slug, author, title, body, replies, structured in _threads():
        kind = structured[0] if structured else "discussion"
        thread = posting.create_thread(board=boards[slug], author=users[author], title=title,
                                       body=body, kind=kind)  # fmt: skip
        for reply_author, reply_body in replies:
            posting.create_reply(thread=thread, author=users[reply_author], body=reply_body)
        if structured:
            form = details_form(kind, json=structured[1])
            if not form.validate():
                raise ValueError(f"demo {kind} {title!r}: {form.errors}")
            save_details(thread=thread, kind=kind, fields=to_api(form.values()),
                         editor=users[author])  # fmt: skip
    return len(SPACES)
