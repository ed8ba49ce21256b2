"""Benchmark of the structured-thread listings (取組事例, イベント, 施策・予算, 地域課題) on a large
database: 100,000 structured threads with their typed fields and tags.

    .venv/bin/python bench/structured_bench.py                 # builds the database if needed, runs
    .venv/bin/python bench/structured_bench.py --rebuild       # rebuild the database first
    .venv/bin/python bench/structured_bench.py -n 50 --explain # also the main statement's plan
    .venv/bin/python bench/structured_bench.py --only cases --profile

The database (``bench/data/structured.sqlite3``, git-ignored) is built like ``bench/generate.py``
builds its forum: the schema and default rows come from the real Alembic migrations, then rows are
written with ``executemany`` on a raw ``sqlite3`` connection. About 300 users and 100,000
structured threads (40 % cases, 30 % events, 20 % policies, 10 % local problems), each with its
first post, one ``thread_details`` row (indexed columns, JSON ``data`` and rendered ``html`` as
``structured.details.save_details`` fills them) and 1-3 player fields and 1-3 life domains.
Prefectures are weighted by population, event start times spread over two years either side of
now, and some threads are hidden by moderation or deleted.

Requests go through Flask's test client in this process, as in ``bench/run.py``: each case reports
the median and p95 wall time, the median CPU time of the request's thread, and the number of SQL
statements per request. Before timing, the first page of every case listing is checked against an
independent SQL query over the same rows. This is a benchmark for a human to read, not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import math
import os
import pstats
import random
import re
import resource
import sqlite3
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import (  # noqa: E402
    BENCH_PASSWORD,
    GIVEN_NAMES,
    ORGS,
    SURNAMES,
    SURNAMES_ROMAJI,
    USER_COLUMNS,
    fmt_time,
    insert_sql,
    migrate,
    to_us,
)
from bench.run import (  # noqa: E402
    StatementCounter,
    check_revision,
    make_app,
    parse_settings,
    percentile,
)

DEFAULT_DB = ROOT / "bench" / "data" / "structured.sqlite3"
EMAIL_DOMAIN = "structured.bench.kyoso.example"
N_USERS = 300
SEED = 20261127
TARGET_MS = 20.0  # issue 4: the case listing with filters, median
TOKYO = ZoneInfo("Asia/Tokyo")
DAY_US = 86_400 * 1_000_000

KIND_SHARES = {"case": 0.40, "event": 0.30, "policy": 0.20, "challenge": 0.10}
KIND_BOARDS = {"case": "jirei", "event": "events", "policy": "seisaku", "challenge": "chiiki-kadai"}
HIDDEN_SHARE = 0.01  # first post hidden by moderation: the thread is out of listings
DELETED_SHARE = 0.005

# --- places ------------------------------------------------------------------------------------

#: code, population in thousands (2020 census, rounded), a few municipalities
PREFECTURES = [
    ("01", 5225, ["札幌市", "旭川市", "北見市", "帯広市"]), ("02", 1238, ["青森市", "弘前市"]),
    ("03", 1211, ["盛岡市", "一関市"]), ("04", 2302, ["仙台市", "石巻市"]),
    ("05", 960, ["秋田市", "横手市"]), ("06", 1068, ["山形市", "鶴岡市"]),
    ("07", 1833, ["福島市", "会津若松市"]), ("08", 2867, ["水戸市", "つくば市"]),
    ("09", 1933, ["宇都宮市", "日光市"]), ("10", 1939, ["前橋市", "高崎市"]),
    ("11", 7345, ["さいたま市", "秩父市", "川越市"]), ("12", 6284, ["千葉市", "柏市", "館山市"]),
    ("13", 14048, ["八王子市", "世田谷区", "町田市", "奥多摩町"]),
    ("14", 9237, ["横浜市", "川崎市", "相模原市"]), ("15", 2201, ["新潟市", "長岡市"]),
    ("16", 1035, ["富山市", "南砺市"]), ("17", 1133, ["金沢市", "七尾市"]),
    ("18", 767, ["福井市", "大野市"]), ("19", 810, ["甲府市", "北杜市"]),
    ("20", 2048, ["長野市", "松本市", "飯田市"]), ("21", 1979, ["岐阜市", "高山市"]),
    ("22", 3633, ["静岡市", "浜松市"]), ("23", 7542, ["名古屋市", "豊田市", "豊橋市"]),
    ("24", 1770, ["津市", "伊勢市"]), ("25", 1414, ["大津市", "長浜市"]),
    ("26", 2578, ["京都市", "福知山市"]), ("27", 8838, ["大阪市", "堺市", "豊中市"]),
    ("28", 5465, ["神戸市", "西宮市", "豊岡市"]), ("29", 1324, ["奈良市", "五條市"]),
    ("30", 923, ["和歌山市", "田辺市"]), ("31", 553, ["鳥取市", "米子市"]),
    ("32", 671, ["松江市", "雲南市"]), ("33", 1888, ["岡山市", "真庭市"]),
    ("34", 2800, ["広島市", "尾道市"]), ("35", 1342, ["山口市", "萩市"]),
    ("36", 720, ["徳島市", "美馬市"]), ("37", 950, ["高松市", "小豆島町"]),
    ("38", 1335, ["松山市", "宇和島市"]), ("39", 692, ["高知市", "四万十市"]),
    ("40", 5135, ["福岡市", "北九州市", "久留米市"]), ("41", 811, ["佐賀市", "唐津市"]),
    ("42", 1312, ["長崎市", "五島市"]), ("43", 1738, ["熊本市", "天草市"]),
    ("44", 1124, ["大分市", "竹田市"]), ("45", 1070, ["宮崎市", "日南市"]),
    ("46", 1588, ["鹿児島市", "奄美市"]), ("47", 1467, ["那覇市", "名護市"]),
]  # fmt: skip


def municipality_code(pref: str, rng: random.Random) -> str:
    """A plausible 6-digit 全国地方公共団体コード (5 digits + the JIS check digit)."""
    five = f"{pref}{rng.choice((2, 3, 4)):01d}{rng.randrange(1, 99):02d}"
    total = sum(int(d) * w for d, w in zip(five, (6, 5, 4, 3, 2), strict=True))
    return five + str((11 - total % 11) % 10)


# --- content -----------------------------------------------------------------------------------

TOPICS = [
    "移動販売", "買い物支援", "見守り活動", "高齢者サロン", "子ども食堂", "乗合タクシー", "配食サービス",
    "ゴミ出し支援", "通いの場", "認知症カフェ", "防災訓練", "空き家活用", "居場所づくり", "協議体",
    "フレイル予防", "農福連携", "除雪支援", "多世代交流", "オンライン相談窓口", "電球交換ボランティア",
]  # fmt: skip
TITLES = {
    "case": ["{town}の{topic}：{partner}との連携", "{topic}と{topic2}を組み合わせた{town}の取組",
             "住民主体の{topic}（{town}）", "{town}における{topic}の立ち上げと3年間の成果"],
    "event": ["{topic}研修会（{town}）", "{topic}の現場見学会", "{town}{topic}フォーラム",
              "生活支援コーディネーター連絡会：{topic}", "【オンライン】{topic}の事例報告会"],
    "policy": ["{topic}推進事業補助金", "{town} {topic}モデル事業", "{topic}に関する手引き（改訂版）",
               "地域支援事業交付金（{topic}）"],
    "challenge": ["{town}で{topic}の担い手を探しています", "{topic}に協力してくださる{partner}を募集",
                  "{town}：{topic}の送迎手段がありません"],
}  # fmt: skip
PARTNERS = ["地元スーパー", "社会福祉協議会", "郵便局", "タクシー事業者", "生活協同組合", "商工会",
            "農業協同組合", "NPO法人", "シルバー人材センター", "地元企業"]  # fmt: skip

CASE_MD = {
    "summary": [
        "地元スーパー・社会福祉協議会・地区会長会が連携し、**移動販売**と**お茶会**を組み合わせた取組です。",
        "市とタクシー事業者が協定を結び、1乗車300円で予約制の乗合タクシーを運行しています。",
        "高齢者と子育て世代が一緒に過ごせる**居場所**を、住民ボランティアが運営しています。",
        "新聞販売店・郵便局・ガス会社と**見守り協定**を結び、気づきを地域包括支援センターにつないでいます。",
        "介護予防教室の修了生が担い手となり、ゴミ出しや電球交換などの**ちょっとした困りごと**を手伝っています。",
        "農家と福祉事業所が組んで、規格外野菜を使った配食と就労の場を作りました。",
    ],
    "background": [
        "路線バスの減便で、山間部の高齢者が買い物に行けなくなったことがきっかけです。",
        "協議体で「ちょっとした困りごと」を話し合ったところ、担い手の不足が共通の課題として挙がりました。",
        "民生委員さんから、一人暮らしの方の異変に気づく仕組みがほしいという声がありました。",
        None,
    ],
    "activities": [
        "- 週2回、5地区を巡回\n- 停留所で月1回のお茶会\n- 気になる方は地域包括支援センターへ連絡",
        "1. 前日17時までの電話予約\n2. 午前は通院便、午後は買い物便\n3. 移動販売の時刻と合わせた運行表",
        "| 曜日 | 内容 |\n|---|---|\n| 月 | 体操 |\n| 水 | 昼食会 |\n| 金 | 学習支援 |",
        None,
    ],
    "outcomes": [
        "1回あたり平均18人が利用。お茶会の参加者は半年で2倍になりました。",
        "利用者は年間延べ1万2千人。移動販売の利用も増えました。",
        "協定事業者からの連絡が年3件から24件に増えました。",
        None,
    ],
    "challenges": ["冬季の積雪時の運行と、運転手の確保。", "担い手の高齢化（平均72歳）。", None, None],
    "tips": ["> 連絡のハードルを下げるのが一番効果がありました。\n\nA4一枚のチェックシートを配っています。",
             "停留所は集会所の前にすると、交流の場にもなります。", None, None],
}  # fmt: skip
POLICY_MD = {
    "purpose": ["多様な主体による生活支援・介護予防サービスの提供体制を整えること。",
                "買い物が困難な地域で、移動販売・宅配の立ち上げを支援すること。",
                "地域の居場所づくりと見守りの担い手を育てること。", None],
    "scheme": ["- 補助対象：立ち上げ経費、車両購入費\n- 補助率：1/2（上限300万円）",
               "1. 市町村が計画を作成\n2. 都道府県が審査\n3. 国が交付決定",
               "| 区分 | 補助率 |\n|---|---|\n| 市町村 | 1/2 |\n| NPO等 | 2/3 |", None],
}  # fmt: skip
CHALLENGE_MD = {
    "partner_sought": [
        "週3日の居場所で昼食を出したいと考えています。**食材の提供**や調理に協力してくださる方を探しています。",
        "通院の送迎を担っていただける交通事業者・ボランティア団体を探しています。",
        "見守りの連絡先になっていただける事業者（新聞・宅配・金融機関など）を募集します。",
        "空き家を居場所に改修したく、建築・不動産の専門家の助言がほしいです。",
    ],
}  # fmt: skip
FIRST_POSTS = [
    "詳しい資料は添付のとおりです。ご質問があればこのスレッドでどうぞ。",
    "同じような取組をしている地域の方と、情報交換できればうれしいです。\n\n- 費用\n- 担い手\n- 広報",
    ("当町では高齢化率が**45%**を超えています。参考になる資料があれば、リンクも歓迎です"
     "（例: https://www.mhlw.go.jp/ ）。"),
    "> 多様な主体との連携\n\nについて、ご意見をお寄せください。",
]  # fmt: skip
MINISTRIES = [("厚生労働省", 30), ("国土交通省", 10), ("農林水産省", 8), ("経済産業省", 8),
              ("総務省", 6), ("内閣府", 5), ("デジタル庁", 3), ("こども家庭庁", 3)]  # fmt: skip

# Which tags are common: 買い物・見守り・移動・居場所 dominate; every tag occurs.
DOMAIN_WEIGHTS = {"kaimono": 9, "mimamori": 9, "ido": 7, "ibasho": 7, "koryu": 5, "shokuji": 4,
                  "kenko": 4, "kaigo": 3, "volunteer": 3, "machizukuri": 3, "bosai-bohan": 2}  # fmt: skip
FIELD_WEIGHTS = {"iryo-kaigo-fukushi": 9, "jumin-katsudo": 7, "gyosei-kikan": 6,
                 "butsuryu-hanbai": 4, "chiiki-kotsu": 4, "kankyo-machizukuri": 3}  # fmt: skip


def weighted(rng: random.Random, table: list[tuple[object, float]]):
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


def sample_weighted(rng: random.Random, ids: list[int], weights: list[float], k: int) -> list[int]:
    out: set[int] = set()
    while len(out) < k:
        out.add(rng.choices(ids, weights)[0])
    return sorted(out)


def tokyo_iso(us: int) -> str:
    return (
        (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us))
        .astimezone(TOKYO)
        .isoformat(timespec="minutes")
    )


def tokyo_date(us: int) -> str:
    return tokyo_iso(us)[:10]


# --- generation --------------------------------------------------------------------------------

THREAD_COLUMNS = (
    "id", "board_id", "author_id", "title", "kind", "is_pinned", "is_locked", "is_deleted",
    "is_hidden", "created_at", "last_post_at", "last_poster_id", "last_number", "reply_count",
)  # fmt: skip
POST_COLUMNS = (
    "id", "thread_id", "number", "author_id", "body_source", "body_html", "renderer_version",
    "created_at", "edited_at", "revision_count", "deleted_at", "deleted_by_id", "hidden_at",
)  # fmt: skip
DETAIL_COLUMNS = (
    "thread_id", "kind", "prefecture_code", "municipality_code", "status", "starts_at", "ends_at",
    "attendance_mode", "ministry", "fiscal_year", "policy_kind", "funding_kind", "population",
    "data", "html", "updated_at", "is_deleted", "is_hidden", "board_id",
)  # fmt: skip

ROLE_MIX = [("member", 45), ("org_staff", 20), ("municipal_staff", 12), ("coordinator", 10),
            ("prefectural_staff", 5), ("ministry_staff", 3)]  # fmt: skip
#: who registers which kind (roles allowed by migration 0009's grants)
KIND_ROLES = {
    "case": {"org_staff", "municipal_staff", "coordinator", "moderator", "admin"},
    "event": {"org_staff", "municipal_staff", "coordinator", "prefectural_staff", "moderator"},
    "policy": {"municipal_staff", "prefectural_staff", "ministry_staff", "admin"},
    "challenge": {"member", "org_staff", "municipal_staff", "coordinator"},
}


def generate(db_path: Path, n_threads: int, seed: int = SEED) -> dict:
    from forum.rendering import render_markdown
    from structured.schema import specs_for

    rng = random.Random(seed)
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    migrate(db_path)
    timings["migrate"] = time.perf_counter() - t0

    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-524288")
    con.execute("BEGIN")
    roles = dict(con.execute("SELECT slug, id FROM roles"))
    boards = dict(con.execute("SELECT slug, id FROM boards"))
    field_ids = dict(con.execute("SELECT slug, id FROM player_fields"))
    domain_ids = dict(con.execute("SELECT slug, id FROM life_domains"))

    now = datetime.now(UTC)
    now_us = to_us(now - timedelta(minutes=5))
    start_us = to_us(now - timedelta(days=3 * 365))

    # users ---------------------------------------------------------------------------------
    t = time.perf_counter()
    from werkzeug.security import generate_password_hash

    password_hash = generate_password_hash(BENCH_PASSWORD)
    pref_codes = [p[0] for p in PREFECTURES]
    pref_weights = [p[1] ** 0.8 for p in PREFECTURES]  # populous first, rural areas not rare
    towns = {p[0]: p[2] for p in PREFECTURES}
    user_rows, user_role, user_pref = [], {}, {}
    for uid in range(1, N_USERS + 1):
        role = "admin" if uid == 3 else "moderator" if uid in (2, 100, 200) else None
        role = role or weighted(rng, ROLE_MIX)
        si = rng.randrange(len(SURNAMES))
        org, title = rng.choice(ORGS)
        pref = rng.choices(pref_codes, pref_weights)[0]
        town = rng.choice(towns[pref])
        created = start_us - rng.randrange(1, 200) * DAY_US
        user_rows.append((
            uid, f"{SURNAMES_ROMAJI[si]}_{uid:03d}", f"user{uid:03d}@{EMAIL_DOMAIN}",
            f"{SURNAMES[si]} {rng.choice(GIVEN_NAMES)}", password_hash, roles[role],
            f"{town}{org}", title, pref, town, f"{town}で{org}の{title}をしています。",
            0, None, fmt_time(created), fmt_time(created), fmt_time(created),
        ))  # fmt: skip
        user_role[uid], user_pref[uid] = role, pref
    con.executemany(insert_sql("users", USER_COLUMNS), user_rows)
    authors = {}
    for kind, allowed in KIND_ROLES.items():
        ids = [uid for uid, role in user_role.items() if role in allowed]
        weights = [1.0 / (rank**0.8) for rank in range(1, len(ids) + 1)]  # a few prolific ones
        rng.shuffle(weights)
        authors[kind] = (ids, weights)
    timings["users"] = time.perf_counter() - t

    # rendered Markdown, once per distinct text ----------------------------------------------
    t = time.perf_counter()
    rendered: dict[str, str] = {}

    def html_of(text: str) -> str:
        if text not in rendered:
            rendered[text] = render_markdown(text)
        return rendered[text]

    for table in (CASE_MD, POLICY_MD, CHALLENGE_MD):
        for texts in table.values():
            for text in texts:
                if text:
                    html_of(text)
    first_posts = [(text, html_of(text)) for text in FIRST_POSTS]
    markdown_fields = {kind: [s.name for s in specs_for(kind) if s.type == "markdown"]
                       for kind in KIND_SHARES}  # fmt: skip
    spec_names = {kind: [s.name for s in specs_for(kind)] for kind in KIND_SHARES}
    timings["render"] = time.perf_counter() - t

    # threads, in creation order (ids follow time, as in a real database) ---------------------
    t = time.perf_counter()
    kinds = rng.choices(list(KIND_SHARES), list(KIND_SHARES.values()), k=n_threads)
    plans = []  # (created_us, kind, event_start_us or None)
    two_years = 2 * 365 * DAY_US
    for kind in kinds:
        if kind == "event":
            # registered over the last two years, 1 week to 4 months ahead (a few up to 2
            # years ahead): start times span two years either side of now
            created = rng.randrange(now_us - two_years, now_us)
            lead = rng.randrange(7, 120) if rng.random() < 0.9 else rng.randrange(120, 730)
            plans.append((created, kind, created + lead * DAY_US))
        else:
            plans.append((rng.randrange(start_us, now_us), kind, None))
    plans.sort(key=lambda p: p[0])

    field_slugs = list(field_ids)
    field_w = [FIELD_WEIGHTS.get(s, 1.5) for s in field_slugs]
    domain_slugs = list(domain_ids)
    domain_w = [DOMAIN_WEIGHTS.get(s, 1.0) for s in domain_slugs]
    moderator_id = 2

    thread_rows, post_rows, detail_rows, tpf_rows, tld_rows = [], [], [], [], []
    board_stats: dict[int, list] = {bid: [0, 0, None] for bid in boards.values()}
    counts = {"hidden": 0, "deleted": 0}
    for tid, (created, kind, starts) in enumerate(plans, start=1):
        author = rng.choices(*authors[kind])[0]
        # a third of the items are about the author's own prefecture
        pref = (
            user_pref[author] if rng.random() < 0.33 else rng.choices(pref_codes, pref_weights)[0]
        )
        town = rng.choice(towns[pref])
        topic, topic2 = rng.sample(TOPICS, 2)
        title = rng.choice(TITLES[kind]).format(
            town=town, topic=topic, topic2=topic2, partner=rng.choice(PARTNERS)
        )[:120]
        hidden = rng.random() < HIDDEN_SHARE
        deleted = not hidden and rng.random() < DELETED_SHARE
        counts["hidden"] += hidden
        counts["deleted"] += deleted
        bid = boards[KIND_BOARDS[kind]]
        ts = fmt_time(created)
        thread_rows.append((tid, bid, author, title, kind, 0, 0, int(deleted), int(hidden), ts, ts,
                            author, 1, 0))  # fmt: skip
        body, body_html = first_posts[tid % len(first_posts)]
        gone = fmt_time(min(created + DAY_US, now_us)) if deleted else None
        post_rows.append((tid, tid, 1, author, body, body_html, 1, ts, None, 0, gone,
                          moderator_id if deleted else None,
                          fmt_time(min(created + 3_600_000_000, now_us)) if hidden else None))  # fmt: skip
        if not deleted:
            stats = board_stats[bid]
            stats[0] += 1
            stats[1] += 1
            stats[2] = ts  # plans are in time order

        values, cols = _fields(kind, rng, pref, town, topic, created, starts, now_us)
        data = {name: values.get(name) for name in spec_names[kind]}
        data["municipality_name"] = town
        html = {name: html_of(data[name]) for name in markdown_fields[kind] if data[name]}
        updated = created if rng.random() < 0.9 else min(created + rng.randrange(1, 30) * DAY_US,
                                                         now_us)  # fmt: skip
        detail_rows.append((
            tid, kind, pref, municipality_code(pref, rng) if rng.random() < 0.7 else None,
            values.get("status") or "", cols.get("starts_at"), cols.get("ends_at"),
            values.get("attendance_mode"), values.get("ministry"), values.get("fiscal_year"),
            values.get("policy_kind"), values.get("funding_kind"), values.get("population"),
            json.dumps(data), json.dumps(html), fmt_time(updated), int(deleted), int(hidden), bid,
        ))  # fmt: skip
        for fid in sample_weighted(rng, field_slugs, field_w, rng.randint(1, 3)):
            tpf_rows.append((tid, field_ids[fid]))
        for did in sample_weighted(rng, domain_slugs, domain_w, rng.randint(1, 3)):
            tld_rows.append((tid, domain_ids[did]))
    timings["plan"] = time.perf_counter() - t

    t = time.perf_counter()
    con.executemany(insert_sql("threads", THREAD_COLUMNS), thread_rows)
    con.executemany(insert_sql("posts", POST_COLUMNS), post_rows)
    con.executemany(insert_sql("thread_details", DETAIL_COLUMNS), detail_rows)
    con.executemany(insert_sql("thread_player_fields", ("thread_id", "player_field_id")), tpf_rows)
    con.executemany(insert_sql("thread_life_domains", ("thread_id", "life_domain_id")), tld_rows)
    for bid, (tc, pc, last) in board_stats.items():
        if tc:
            con.execute(
                "UPDATE boards SET thread_count = ?, post_count = ?, last_post_at = ? WHERE id = ?",
                (tc, pc, last, bid),
            )
    refresh_kept_counts(con)
    con.execute("COMMIT")  # no ANALYZE: the application never runs it (see --analyze)
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    timings["insert"] = time.perf_counter() - t

    meta = {
        "threads": n_threads,
        "kinds": {k: kinds.count(k) for k in KIND_SHARES},
        "hidden": counts["hidden"],
        "deleted": counts["deleted"],
        "player_field_tags": len(tpf_rows),
        "life_domain_tags": len(tld_rows),
        "bench_user_email": f"user001@{EMAIL_DOMAIN}",
        "password": BENCH_PASSWORD,
        "seed": seed,
        "generated_at": now.isoformat(),
        "timings_s": {k: round(v, 2) for k, v in timings.items()},
        "total_s": round(time.perf_counter() - t0, 2),
        "db_bytes": os.path.getsize(db_path),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    Path(f"{db_path}.meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    return meta


POPULATION_DRAW = [((800, 10_000), 25), ((10_000, 50_000), 35), ((50_000, 200_000), 25),
                   ((200_000, 3_700_000), 15)]  # fmt: skip
FUNDING_DRAW = [("community_support", 35), ("municipal", 20), ("own", 15),
                ("national_subsidy", 12), ("grant", 4), ("donation", 4), (None, 10)]  # fmt: skip


def _fields(kind, rng, pref, town, topic, created, starts, now_us) -> tuple[dict, dict]:
    """The typed values of one item (API representation) and its time columns."""
    partner = rng.choice(PARTNERS)
    if kind == "case":
        values = {name: rng.choice(texts) for name, texts in CASE_MD.items()}
        low, high = weighted(rng, POPULATION_DRAW)
        population = int(math.exp(rng.uniform(math.log(low), math.log(high))))
        values.update(
            implementer=f"{town}社会福祉協議会" if rng.random() < 0.5 else f"{town} 健康福祉部",
            partners=f"{partner}、地域包括支援センター",
            area=f"{town}全域" if rng.random() < 0.5 else f"{town} 山間部の5地区",
            population=population if rng.random() < 0.92 else None,
            ageing_rate=round(rng.uniform(22, 55), 1) if rng.random() < 0.8 else None,
            stats_as_of="2025-10-01" if rng.random() < 0.6 else None,
            start_year=rng.randint(2012, 2026),
            funding_kind=weighted(rng, FUNDING_DRAW),
            funding_amount=rng.randrange(10, 5000) * 10_000 if rng.random() < 0.5 else None,
            video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ" if rng.random() < 0.05 else None,
            contact=f"{town} 地域包括ケア推進係",
        )  # fmt: skip
        return values, {}
    if kind == "event":
        # 10:00, 13:30 or 18:30 Tokyo on the drawn day
        day_start = starts - (starts + 9 * 3_600_000_000) % DAY_US
        starts = day_start + rng.choice((10 * 60, 13 * 60 + 30, 18 * 60 + 30)) * 60_000_000
        ends = starts + rng.choice((1, 2, 3, 4)) * 3_600_000_000 if rng.random() < 0.9 else None
        mode = weighted(rng, [("venue", 50), ("online", 25), ("hybrid", 25)])
        status = weighted(rng, [("scheduled", 90), ("cancelled", 6), ("postponed", 4)])
        values = {
            "start_at": tokyo_iso(starts), "end_at": tokyo_iso(ends) if ends else None,
            "attendance_mode": mode,
            "venue_name": f"{town}市民会館" if mode != "online" else None,
            "address": f"{town}中央1-2-3" if mode != "online" else None,
            "online_url": "https://example.jp/live/event" if mode != "venue" else None,
            "organizer": f"{town}社会福祉協議会", "audience": "生活支援コーディネーター、住民の方",
            "capacity": rng.choice((None, 20, 50, 100, 300)), "fee": rng.choice(("無料", "500円")),
            "apply_method": "申込フォームから", "apply_url": "https://example.jp/apply",
            "apply_deadline": tokyo_date(starts - 7 * DAY_US) if rng.random() < 0.5 else None,
            "contact": f"{town} 地域福祉課", "status": status,
            "archive_video_url": "https://vimeo.com/76979871"
            if starts < now_us and rng.random() < 0.2 else None,
        }  # fmt: skip
        return values, {"starts_at": fmt_time(starts), "ends_at": fmt_time(ends) if ends else None}
    if kind == "policy":
        national = rng.random() < 0.6
        ministry = weighted(rng, MINISTRIES) if national else f"{town}"
        fiscal_year = weighted(rng, [(y, w) for y, w in zip(range(2019, 2028),
                                                            (2, 3, 4, 5, 7, 9, 12, 14, 6), strict=True)])  # fmt: skip
        values = {name: rng.choice(texts) for name, texts in POLICY_MD.items()}
        values.update(
            ministry=ministry, division="老健局 認知症施策・地域介護推進課" if national else "健康福祉部",
            program_name=f"{topic}推進事業",
            policy_kind=weighted(rng, [("subsidy", 30), ("grant", 25), ("commission", 15),
                                       ("fund", 5), ("notice", 15), ("guide", 10)]),
            fiscal_year=fiscal_year, amount_yen=rng.randrange(1, 50_000) * 1_000_000,
            amount_kind=rng.choice(("requested", "initial", "supplementary", None)),
            subsidy_rate=rng.choice(("1/2", "2/3", "10/10", None)),
            implementer="市町村", eligible="市町村、NPO法人、社会福祉法人",
            application_start=f"{fiscal_year}-04-01", application_end=f"{fiscal_year}-05-31",
            guideline_url="https://www.mhlw.go.jp/", source_url="https://www.mhlw.go.jp/",
        )  # fmt: skip
        return values, {}
    values = {
        "area": f"{town} {rng.choice(('中心部', '山間部', '団地', '沿岸部'))}",
        "partner_sought": rng.choice(CHALLENGE_MD["partner_sought"]),
        "status": weighted(rng, [("open", 45), ("negotiating", 20), ("partnered", 20),
                                 ("closed", 15)]),
    }  # fmt: skip
    return values, {}


def refresh_kept_counts(con: sqlite3.Connection) -> None:
    """The listings' kept counts (``structured.counts``, migration 0033) of the rows written
    here without the application."""
    from sqlalchemy.dialects import sqlite

    from structured import counts

    for statement in counts.rebuild_sql(sqlite.dialect()):
        con.execute(statement)


def ensure_database(db_path: Path, args) -> dict:
    """Build the database when it is missing, older than the migrations, or --rebuild."""
    meta_path = Path(f"{db_path}.meta.json")
    stale = args.rebuild or not db_path.exists() or not meta_path.exists()
    if not stale:
        try:
            check_revision(db_path)
        except SystemExit as exc:
            print(f"{exc}; rebuilding")
            stale = True
    if stale:
        print(f"generating {args.threads:,} structured threads into {db_path}")
        meta = generate(db_path, args.threads, args.seed)
        for phase, seconds in meta["timings_s"].items():
            print(f"  {phase:<8} {seconds:7.2f} s")
        print(
            f"done in {meta['total_s']:.1f} s; {meta['db_bytes'] / 2**20:,.0f} MiB; "
            f"peak RSS {meta['peak_rss_mb']:,.0f} MiB; kinds {meta['kinds']}; "
            f"{meta['hidden']} hidden, {meta['deleted']} deleted"
        )
        return meta
    return json.loads(meta_path.read_text())


def planner_statistics(db_path: Path, *, analyze: bool, drop: bool) -> str:
    """ANALYZE (or forget) SQLite's statistics; the plan of a multi-index query depends on them."""
    con = sqlite3.connect(db_path, isolation_level=None)
    try:
        if drop:
            con.execute("DROP TABLE IF EXISTS sqlite_stat1")
            con.execute("DROP TABLE IF EXISTS sqlite_stat4")
        if analyze:
            con.execute("ANALYZE")
        present = con.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
        ).fetchone()[0]
        return "present (ANALYZE was run)" if present else "none (as the application leaves it)"
    finally:
        con.close()


# --- benchmark ---------------------------------------------------------------------------------

ITEM_LINK_RE = re.compile(r'class="item-title"><a href="/t/(\d+)"')
NEXT_CURSOR_RE = re.compile(r'rel="next" href="[^"]*(?:\?|&amp;)cursor=([^"&]+)')


@dataclass
class Case:
    name: str
    path: str
    expect: int = 200
    #: the issue-4 target applies (the case listing with filters)
    target: bool = False
    repeat: int | None = None
    matches: int | None = None
    times_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    sql: list[tuple[str, object]] = field(default_factory=list)


#: independent SQL for a case listing's filters: (extra WHERE, parameters)
def case_where(con: sqlite3.Connection, args: dict[str, str]) -> tuple[str, list]:
    where, params = [], []
    if "prefecture" in args:
        where.append("d.prefecture_code = ?")
        params.append(args["prefecture"])
    if "block" in args:
        where.append("d.prefecture_code IN (SELECT code FROM prefectures WHERE region_code = ?)")
        params.append(args["block"])
    if "field" in args:
        where.append(
            "d.thread_id IN (SELECT thread_id FROM thread_player_fields x JOIN player_fields f"
            " ON f.id = x.player_field_id WHERE f.slug = ?)"
        )
        params.append(args["field"])
    if "domain" in args:
        where.append(
            "d.thread_id IN (SELECT thread_id FROM thread_life_domains x JOIN life_domains l"
            " ON l.id = x.life_domain_id WHERE l.slug = ?)"
        )
        params.append(args["domain"])
    if "population" in args:
        low, high = {"lt10k": (0, 10_000), "10k-50k": (10_000, 50_000),
                     "50k-200k": (50_000, 200_000), "200k-plus": (200_000, 10**12)}[args["population"]]  # fmt: skip
        where.append("d.population >= ? AND d.population < ?")
        params += [low, high]
    if "funding" in args:
        where.append("d.funding_kind = ?")
        params.append(args["funding"])
    return "".join(f" AND {w}" for w in where), params


def expected_cases(con, args: dict[str, str], limit: int = 20) -> tuple[list[int], int]:
    """The first page and the number of matches of a case listing, by plain SQL."""
    extra, params = case_where(con, args)
    base = (
        "FROM thread_details d JOIN threads t ON t.id = d.thread_id WHERE d.kind = 'case'"
        f" AND NOT t.is_deleted AND NOT t.is_hidden{extra}"
    )
    ids = [r[0] for r in con.execute(f"SELECT d.thread_id {base} ORDER BY d.thread_id DESC"
                                     f" LIMIT {limit}", params)]  # fmt: skip
    total = con.execute(f"SELECT count(*) {base}", params).fetchone()[0]
    return ids, total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"default: {DEFAULT_DB}")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the database first")
    parser.add_argument("--threads", type=int, default=100_000, help="when building")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("-n", "--repeat", type=int, default=100, help="timed requests per case")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per case first")
    parser.add_argument("--depth", type=int, default=50, help="deep page of /cases to measure")
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument(
        "--explain", action="store_true", help="the main statement's plan and raw SQL time"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the selected cases")
    parser.add_argument("--profile-sort", default="cumulative", help="e.g. tottime")
    parser.add_argument("--build-only", action="store_true", help="build, do not benchmark")
    parser.add_argument(
        "--pragma",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an extra SQLite PRAGMA on the app's connections, to try a setting "
        "(e.g. cache_size=-65536); repeatable",
    )
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="run ANALYZE first (planner statistics; kept in the file until --drop-stats)",
    )
    parser.add_argument("--drop-stats", action="store_true", help="delete ANALYZE's statistics")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE",
        help="an application setting (repeatable); default SEARCH_INDEXER=off",
    )  # fmt: skip
    args = parser.parse_args(argv)

    db_path = args.db.resolve()
    meta = ensure_database(db_path, args)
    stats = planner_statistics(db_path, analyze=args.analyze, drop=args.drop_stats)
    print(f"planner statistics (sqlite_stat1): {stats}")
    if args.build_only:
        return
    app = make_app(db_path, parse_settings(args.set))
    try:
        cases = run_all(app, db_path, meta, args)
    finally:
        with app.app_context():
            from core.extensions import db

            db.session.remove()
            db.engine.dispose()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print_table(cases)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"peak RSS {rss_mb:,.0f} MiB; load average {load} on {os.cpu_count()} CPUs")
    if args.explain:
        explain(db_path, cases)


def run_all(app, db_path: Path, meta: dict, args) -> list[Case]:
    from sqlalchemy import event

    from core.extensions import db

    counter = StatementCounter()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter)
        if args.pragma:
            pragmas = [p.partition("=") for p in args.pragma]

            def extra_pragmas(dbapi_connection, _record) -> None:
                for name, _, value in pragmas:
                    dbapi_connection.execute(f"PRAGMA {name}={value}")

            event.listen(db.engine, "connect", extra_pragmas)
            db.engine.dispose()  # connections made from now on get them
            print(f"extra PRAGMAs on every connection: {', '.join(args.pragma)}")
    anon = app.test_client()
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)

    filtered = {
        "cases": {},
        "cases ?prefecture=28": {"prefecture": "28"},
        "cases ?block=kinki&domain=kaimono": {"block": "kinki", "domain": "kaimono"},
        "cases ?field&domain&population": {
            "field": "butsuryu-hanbai", "domain": "mimamori", "population": "10k-50k"
        },
        "cases ?funding=grant&prefecture=01": {"funding": "grant", "prefecture": "01"},
    }  # fmt: skip
    cases = []
    for name, filters in filtered.items():
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        path = "/cases" + (f"?{query}" if query else "")
        ids, total = expected_cases(con, filters)
        html = anon.get(path).get_data(as_text=True)
        got = [int(i) for i in ITEM_LINK_RE.findall(html)]
        assert got == ids, f"{path}: page 1 lists {got[:5]}…, SQL says {ids[:5]}…"
        cases.append(Case(name, path, target=bool(filters), matches=total))

    # the deep page: click "next" depth - 1 times, as a reader would
    path = "/cases"
    for _ in range(args.depth - 1):
        cursor = NEXT_CURSOR_RE.search(anon.get(path).get_data(as_text=True)).group(1)
        path = f"/cases?cursor={cursor}"
    ids, _ = expected_cases(con, {}, limit=20 * args.depth)
    got = [int(i) for i in ITEM_LINK_RE.findall(anon.get(path).get_data(as_text=True))]
    assert got == ids[-20:], f"page {args.depth} of /cases differs from SQL"
    cases.append(Case(f"cases p{args.depth} (cursor)", path, target=False))
    deep_kinki = "/cases?block=kinki&domain=kaimono"
    for _ in range(args.depth - 1):
        cursor = NEXT_CURSOR_RE.search(anon.get(deep_kinki).get_data(as_text=True)).group(1)
        deep_kinki = f"/cases?block=kinki&domain=kaimono&cursor={cursor}"
    cases.append(Case(f"cases kinki+kaimono p{args.depth}", deep_kinki, target=True))
    con.close()

    cases += [
        Case("events (upcoming)", "/events"),
        Case("events ?when=past", "/events?when=past"),
        Case("events/calendar", "/events/calendar"),
        Case("policies ?fiscal_year=2026", "/policies?fiscal_year=2026"),
        Case("challenges ?status=open", "/challenges?status=open"),
        Case("API cases ?domain=kaimono", "/api/v1/cases?domain=kaimono"),
        Case("events.ics (≤1,000 events)", "/events.ics", repeat=max(args.repeat // 5, 5)),
        Case("feeds/cases.atom", "/feeds/cases.atom"),
    ]
    cases = [c for c in cases if args.only in c.name]
    print(
        f"database {db_path.name}: {meta['threads']:,} structured threads {meta['kinds']}; "
        f"{args.repeat} requests per case after {args.warmup} warm-up"
    )
    for case in cases:
        run_case(anon, case, counter, args)
    return cases


def run_case(client, case: Case, counter: StatementCounter, args) -> None:
    for _ in range(args.warmup):
        check(case, client.get(case.path))
    counter.capture = case.sql
    check(case, client.get(case.path))
    counter.capture = None
    gc.collect()
    profiler = cProfile.Profile() if args.profile else None
    for _ in range(case.repeat or args.repeat):
        counter.count = 0
        if profiler:
            profiler.enable()
        start, cpu_start = time.perf_counter(), time.thread_time()
        response = client.get(case.path)
        elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu_start
        if profiler:
            profiler.disable()
        case.times_ms.append(elapsed * 1000)
        case.cpu_ms.append(cpu * 1000)
        case.statements.append(counter.count)
        check(case, response)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.profile_sort).print_stats(40)
        print(f"\n=== profile: {case.name} ===\n{out.getvalue()}")


def check(case: Case, response) -> None:
    if response.status_code != case.expect:
        raise SystemExit(
            f"{case.name}: HTTP {response.status_code}, expected {case.expect}\n"
            f"{response.get_data(as_text=True)[:500]}"
        )


def print_table(cases: list[Case]) -> None:
    header = (
        f"{'case':<36} {'median ms':>9} {'p95 ms':>8} {'CPU ms':>7} {'SQL/req':>7} "
        f"{'matches':>8} {'target':>10}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for case in cases:
        median = statistics.median(case.times_ms)
        lo, hi = min(case.statements), max(case.statements)
        target = ""
        if case.target:
            target = f"≤{TARGET_MS:g} {'ok' if median <= TARGET_MS else 'SLOW'}"
        matches = f"{case.matches:,}" if case.matches is not None else ""
        print(
            f"{case.name:<36} {median:9.2f} {percentile(case.times_ms, 95):8.2f} "
            f"{statistics.median(case.cpu_ms):7.2f} {lo if lo == hi else f'{lo}-{hi}':>7} "
            f"{matches:>8} {target:>10}"
        )


def main_statement(sql: list[tuple[str, object]]) -> tuple[str, object] | None:
    """The listing's own SELECT: the one over thread_details that orders and limits."""
    for statement, params in sql:
        flat = " ".join(statement.split())
        if "FROM thread_details JOIN threads" in flat and "LIMIT" in flat:
            return statement, params
    return None


def explain(db_path: Path, cases: list[Case], runs: int = 20, slow_ms: float = 1.0) -> None:
    """For each case: every statement of one request with its time alone on a raw sqlite3
    connection (median of ``runs``); SQLite's plan for the listing's main statement and for any
    statement slower than ``slow_ms``."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    for case in cases:
        print(f"\n=== {case.name}: {case.path} ({len(case.sql)} statements) ===")
        main = main_statement(case.sql)
        for statement, params in case.sql:
            one_line = " ".join(statement.split())
            is_main = main is not None and statement is main[0]
            if not one_line.upper().startswith("SELECT"):
                print(f"  {'':>8}  {one_line[:150]}")
                continue
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                con.execute(statement, params or ()).fetchall()
                times.append((time.perf_counter() - start) * 1000)
            median = statistics.median(times)
            label = "MAIN " if is_main else ""
            if is_main or median > slow_ms:
                print(f"  {median:6.2f} ms  {label}{one_line}\n    parameters {params}")
                for row in con.execute(f"EXPLAIN QUERY PLAN {statement}", params or ()):
                    print(f"    plan: {row[-1]}")
            else:
                print(f"  {median:6.2f} ms  {one_line[:150]}{'…' if len(one_line) > 150 else ''}")
    con.close()


if __name__ == "__main__":
    main()
