"""Demo content of the directory: participating organisations and government bodies, the demo
accounts that speak for some of them, and the related-links page. Part of ``flask --app app
seed-demo`` (the ``demo`` package); with the structured demo content, the organisation pages list
their members' events and cases."""

from __future__ import annotations

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from directory.models import Organization, RelatedLink
from taxonomy.models import PlayerField

ORGANIZATIONS = [
    # slug, name, kind, player field, prefecture, description, website, publish, member handles
    ("sasaeai-nishinomiya", "NPO法人 ささえあい西宮", "npo", "jumin-katsudo", "28",
     "西宮市内の団地を拠点に、高齢者の居場所（サロン）運営、買い物の付き添い、見守り訪問を行っています。\n"
     "空き店舗を使った多世代交流の場づくりに取り組んでいます。",
     "https://sasaeai-nishinomiya.example.jp/", True, ["npo_hyogo"]),
    ("yokote-shakyo", "横手市社会福祉協議会", "association", "iryo-kaigo-fukushi", "05",
     "第2層生活支援コーディネーターを配置し、地区ごとの協議体と一緒に移動販売や雪寄せ支援の仕組みづくりを進めています。",
     "", False, ["sato_akita"]),
    ("coop-hidamari", "生活協同組合ひだまり", "cooperative", "butsuryu-hanbai", "13",
     "八王子市・日野市で移動販売車を運行しています。停留所を集会所の前に置き、買い物と交流の場を兼ねています。",
     "https://coop-hidamari.example.jp/", False, ["coop_tokyo"]),
    ("mirai-kotsu", "株式会社みらい交通", "company", "chiiki-kotsu", "33",
     "岡山県北部で予約制の乗合タクシーを運行しています。自治体と連携し、通院と買い物を兼ねた便を設けています。",
     "https://mirai-kotsu.example.jp/", True, []),
    ("mhlw-roken-chiiki", "厚生労働省 老健局 認知症施策・地域介護推進課", "ministry", "gyosei-kikan",
     "13",
     "地域支援事業（介護予防・日常生活支援総合事業、生活支援体制整備事業）を所管しています。",
     "https://www.mhlw.go.jp/", True, ["mhlw_roken"]),
    ("nagano-kaigo-shien", "長野県 健康福祉部 介護支援課", "prefecture", "gyosei-kikan", "20",
     "県内市町村の生活支援コーディネーターの研修と、県域の生活支援共創プラットフォームの運営を担当しています。",
     "https://www.pref.nagano.lg.jp/", True, ["yamamoto_nagano"]),
    ("maniwa-kenko-fukushi", "真庭市 健康福祉部", "municipality", "gyosei-kikan", "33",
     "地域包括ケアの推進と、デマンド交通・移動販売を組み合わせた買い物支援に取り組んでいます。",
     "https://www.city.maniwa.lg.jp/", True, ["tanaka_okayama"]),
    ("nishinomiya-kenko-fukushi", "西宮市 健康福祉局", "municipality", "gyosei-kikan", "28",
     "地域共生社会の実現に向けて、地区ごとの見守りネットワークと居場所づくりを支援しています。",
     "https://www.nishi.or.jp/", False, []),
]  # fmt: skip

RELATED_LINKS = [
    # category, title, url, description
    ("厚生労働省の施策", "地域包括ケアシステム",
     "https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/hukushi_kaigo/kaigo_koureisha/chiiki-houkatsu/",
     "住まい・医療・介護・予防・生活支援が一体的に提供される仕組みの解説と資料。"),
    ("厚生労働省の施策", "介護予防・日常生活支援総合事業",
     "https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/0000192992.html",
     "総合事業のガイドライン、生活支援体制整備事業の資料。"),
    ("厚生労働省の施策", "認知症施策",
     "https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/hukushi_kaigo/kaigo_koureisha/ninchi/index.html",
     "認知症施策推進大綱、認知症の人と家族を支える地域づくりの取組。"),
    ("関係府省の取組", "国土交通省 地域公共交通",
     "https://www.mlit.go.jp/sogoseisaku/transport/",
     "地域公共交通計画、デマンド交通など移動手段の確保に関する情報。"),
    ("関係府省の取組", "農林水産省 食品アクセスの確保",
     "https://www.maff.go.jp/j/shokusan/eat/syoku_akusesu.html",
     "買い物困難者対策、移動販売や宅配の事例。"),
    ("関係府省の取組", "デジタル庁 自治体標準オープンデータセット",
     "https://www.digital.go.jp/resources/open_data/municipal-standard-data-set-test",
     "「イベント一覧」など、自治体が公開するデータの標準の項目。"),
    ("調べる・相談する", "地域包括ケア「見える化」システム", "https://mieruka.mhlw.go.jp/",
     "介護保険や地域の状況をデータで比べられる厚生労働省のシステム。"),
    ("調べる・相談する", "全国社会福祉協議会", "https://www.shakyo.or.jp/",
     "社会福祉協議会の全国組織。ボランティア・市民活動の情報。"),
]  # fmt: skip


def seed_directory_demo(users: dict[str, User]) -> None:
    """Add the demo organisations (assigning the demo accounts) and related links; rows that
    are already there (same slug, same URL) are left alone."""
    fields = {f.slug: f.id for f in db.session.scalars(select(PlayerField))}
    existing = set(db.session.scalars(select(Organization.slug)))
    for slug, name, kind, field, pref, text, url, publish, handles in ORGANIZATIONS:
        if slug in existing:
            continue
        org = Organization(
            slug=slug, name=name, kind=kind, player_field_id=fields.get(field),
            prefecture_code=pref, description=text, website_url=url, publish_website=publish,
        )  # fmt: skip
        db.session.add(org)
        db.session.flush()
        for handle in handles:
            if handle in users:
                users[handle].organization_id = org.id
    known = set(db.session.scalars(select(RelatedLink.url)))
    for position, (category, title, url, text) in enumerate(RELATED_LINKS, start=1):
        if url not in known:
            db.session.add(RelatedLink(category=category, title=title, url=url,
                                       description=text, position=position * 10))  # fmt: skip
