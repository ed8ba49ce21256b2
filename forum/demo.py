"""Realistic Japanese demo content: a few people from different prefectures talking about
買い物支援, 移動支援, 見守り and 居場所. Loaded by ``flask --app app seed-demo``."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from auth import accounts
from auth.models import User
from core.extensions import db
from forum import posting
from forum.models import Board, Post, Thread

DEMO_DOMAIN = "demo.kyoso.example"

USERS = [
    # handle, display name, role, affiliation, title, prefecture, municipality
    ("sato_akita", "佐藤 美和", "coordinator", "秋田県横手市社会福祉協議会", "第2層生活支援コーディネーター", "05", "横手市"),
    ("tanaka_okayama", "田中 健一", "municipal_staff", "岡山県真庭市 健康福祉部", "地域包括ケア推進係", "33", "真庭市"),
    ("npo_hyogo", "NPO法人 ささえあい西宮", "org_staff", "NPO法人 ささえあい西宮", "事務局長", "28", "西宮市"),
    ("yamamoto_nagano", "山本 直子", "prefectural_staff", "長野県 健康福祉部 介護支援課", "主任", "20", ""),
    ("coop_tokyo", "生協ひだまり 移動販売チーム", "org_staff", "生活協同組合ひだまり", "移動販売担当", "13", "八王子市"),
    ("mhlw_roken", "厚生労働省 老健局 認知症施策・地域介護推進課", "ministry_staff", "厚生労働省 老健局", "地域づくり推進室", "13", "千代田区"),
    ("suzuki_toyooka", "鈴木 一郎", "member", "", "地域住民", "28", "豊岡市"),
    ("moderator_secretariat", "事務局（モデレーター）", "moderator", "生活支援共創プラットフォーム事務局", "モデレーター", "13", "千代田区"),
    # the prefectural platforms' people (spaces.demo)
    ("ito_hyogo", "伊藤 由美", "prefectural_staff", "兵庫県 福祉部 高齢政策課", "主任（プラットフォーム担当）", "28", ""),
    ("kato_nishinomiya", "加藤 誠", "municipal_staff", "西宮市 福祉局 地域共生推進課", "主査", "28", "西宮市"),
]  # fmt: skip

THREADS = [
    ("zentai", "sato_akita", "移動販売車の巡回ルート、皆さんはどう決めていますか？",
     "横手市では今年度から地元スーパーと連携して**移動販売**を始めました。\n\n"
     "- 週2回、山間部の5地区を巡回\n- 1回あたり平均18人が利用\n\n"
     "巡回ルートを決めるとき、住民アンケート以外に使っている情報があれば教えてください。",
     [("coop_tokyo", "八王子では、民生委員さんから「最近買い物に出ていない方」の情報をいただいて、停留所を決めています。"
       "停留所は集会所の前にすると、*お茶会* のような集まりにもなって好評です。"),
      ("tanaka_okayama", "真庭市では地域交通の担当課と一緒に、デマンド交通の利用データを見ています。"
       "移動販売と乗合タクシーの時刻を合わせると、両方の利用が増えました。"),
      ("sato_akita", "ありがとうございます！ 集会所の前に停めるのは良いですね。さっそく地区の会長さんに相談してみます。")]),
    ("komarigoto", "tanaka_okayama", "見守り協定を結んだ事業者さんとの情報共有の頻度",
     "新聞販売店、郵便局、ガス会社と**見守り協定**を結んでいます。\n\n"
     "協定を結んだ後、実際に気づきの連絡が来るのは年に数件です。"
     "連絡しやすくする工夫（連絡票の様式、研修など）をされている自治体はありますか？",
     [("yamamoto_nagano", "長野県では県の様式例を作り、年1回の合同研修で「どんな時に連絡してよいか」の事例を共有しています。"
       "連絡のハードルを下げるのが一番効果がありました。"),
      ("npo_hyogo", "西宮では協定事業者向けに、A4一枚の「気づきチェックシート」を配っています。"
       "郵便受けに新聞がたまっている、同じ服を何日も着ている、など具体的な項目です。")]),
    ("chiiki-kadai", "npo_hyogo", "【連携募集】団地の空き店舗を使った居場所づくり",
     "西宮市内のUR団地で、空き店舗を使った**居場所（サロン）**を計画しています。\n\n"
     "| 項目 | 内容 |\n|---|---|\n| 場所 | 団地内の空き店舗（約40㎡） |\n| 開所 | 週3日・10時〜15時 |\n| 募集 | 運営を一緒に担う団体、食材提供 |\n\n"
     "飲食店や農家の方、関心があればご連絡ください。",
     [("coop_tokyo", "食材の提供について、近畿の生協ネットワークにつなげられるかもしれません。詳細を教えてください。")]),
    ("chiiki-kotsu", "tanaka_okayama", "通院と買い物を兼ねた乗合タクシーの運行事例",
     "真庭市の乗合タクシーは予約制で、午前は通院、午後は買い物の便にしています。"
     "料金は1乗車300円です。同じような運行をしている地域の方、課題を共有しませんか。", []),
    ("iryo-kaigo-fukushi", "yamamoto_nagano", "生活支援コーディネーターの研修資料を共有します",
     "長野県で作成した第1層・第2層コーディネーター向けの研修資料の目次です。\n\n"
     "1. 地域資源の把握\n2. 協議体の運営\n3. 多様な主体との連携\n\n"
     "ご意見があればこのスレッドでお寄せください。",
     [("sato_akita", "協議体の運営の章、とても参考になりそうです。公開を楽しみにしています。")]),
    ("butsuryu-hanbai", "coop_tokyo", "移動販売で人気の商品ランキング（八王子市の場合）",
     "1年間の販売データから、よく売れた商品をまとめました。\n\n"
     "1. 豆腐・納豆などの日配品\n2. 惣菜（少量パック）\n3. 日用品（トイレットペーパーなど）\n\n"
     "重いもの・かさばるものの需要が高いのが特徴です。", []),
    ("zentai", "moderator_secretariat", "交流掲示板の使い方とお願い",
     "生活支援共創プラットフォームの交流掲示板へようこそ。\n\n"
     "- 分野を超えて、同じ悩みを持つ仲間と自由に意見交換できます。\n"
     "- **住民の方の氏名・住所・電話番号・病名など、個人が特定できる情報は書かないでください。**\n"
     "- 困ったことがあれば事務局までお知らせください。", []),
]  # fmt: skip


def seed_demo_content(password: str | None = None) -> str | None:
    """Create the demo users and threads. Returns the demo users' password if it created them,
    ``None`` if the demo content was already there."""
    if db.session.scalar(select(User.id).where(User.email.like(f"%@{DEMO_DOMAIN}")).limit(1)):
        return None
    password = password or secrets.token_urlsafe(9)
    shared_hash = generate_password_hash(password)
    users: dict[str, User] = {}
    for handle, name, role, affiliation, title, pref, city in USERS:
        user = accounts.register_user(
            email=f"{handle}@{DEMO_DOMAIN}",
            handle=handle,
            display_name=name,
            password=password,
            password_hash=shared_hash,
            role=role,
            email_confirmed=True,
            terms_version=current_app.config["TERMS_VERSION"],
        )
        user.affiliation, user.role_title = affiliation, title
        user.prefecture_code, user.municipality = pref, city
        users[handle] = user
    boards = {b.slug: b for b in db.session.scalars(select(Board))}
    for index, (slug, author, title, body, replies) in enumerate(THREADS):
        thread = posting.create_thread(
            board=boards[slug], author=users[author], title=title, body=body
        )
        for reply_author, reply_body in replies:
            posting.create_reply(thread=thread, author=users[reply_author], body=reply_body)
        _age_thread(thread, hours=len(THREADS) - index)
    notice = db.session.scalar(select(Thread).where(Thread.title == THREADS[-1][2]))
    notice.is_pinned = True
    return password


def _age_thread(thread: Thread, *, hours: int) -> None:
    """Spread the demo threads over the last hours so that the listing looks lived in."""
    shift = timedelta(hours=hours)
    for post in db.session.scalars(select(Post).where(Post.thread_id == thread.id)):
        post.created_at = post.created_at - shift
    thread.created_at -= shift
    thread.last_post_at -= shift
