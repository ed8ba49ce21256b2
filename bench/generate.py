"""Fill a fully migrated SQLite database with a large, realistic forum for benchmarking.

    .venv/bin/python bench/generate.py                     # 100,000 threads, 1,000,000 posts
    .venv/bin/python bench/generate.py --threads 2000 --posts 30000 --db /tmp/small.sqlite3
    .venv/bin/python bench/generate.py --spaces 48 --closed-share 0.1   # issue #12's layout

The schema comes from the real Alembic migrations (``flask_migrate.upgrade()``), so the default
roles and boards exist. Rows are then written with ``executemany`` on a raw ``sqlite3``
connection to the same file: about 200 users, threads spread (unevenly, like a real forum) over
the default boards, posts whose ids follow global time order, HTML rendered once per distinct body
with ``forum.rendering.render_markdown``, and every denormalised counter consistent with the rows.

One thread has exactly 1,000 posts (the "long thread" of the benchmark). A JSON file next to the
database (``<db>.meta.json``) records its id, the login of a benchmark user and the other facts
``bench/run.py`` needs.

With ``--spaces 48 --closed-share 0.1`` (issue #12) it also makes 47 prefectural spaces (pf01…pf47,
prefecture codes 01-47) besides the national one, each with 4 public boards, one board for
administrative staff (``roles``: municipal, prefectural and ministry staff) and one for its members,
makes every user a member of their own prefecture's space (the benchmark user of a few more), and
moves about 10 % of the threads (so of the posts) to the closed boards and 5 % to the prefectural
public boards; the rest stays on the national boards where ``--spaces 0`` (today's layout) puts it.

Times follow ``core.types.UTCDateTime`` on SQLite: naive UTC written the way SQLAlchemy's
``DateTime`` writes it, ``YYYY-MM-DD HH:MM:SS.ffffff`` (microseconds always present), so the
application reads the rows back as aware UTC and string order equals time order.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DB = ROOT / "bench" / "data" / "bench.sqlite3"
BENCH_PASSWORD = "bench-password-2026"
EMAIL_DOMAIN = "bench.kyoso.example"
N_USERS = 200
LONG_THREAD_POSTS = 1000
SEED = 20261126

_EPOCH = datetime(1970, 1, 1)


def fmt_time(us: int) -> str:
    """Microseconds since the epoch (UTC) -> the exact text SQLAlchemy's SQLite DateTime stores."""
    return (_EPOCH + timedelta(microseconds=us)).isoformat(" ", "microseconds")


def to_us(value: datetime) -> int:
    delta = value.astimezone(UTC).replace(tzinfo=None) - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


# --- content -----------------------------------------------------------------------------------

SURNAMES = [
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
    "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水", "山崎", "森", "池田", "橋本",
]  # fmt: skip
SURNAMES_ROMAJI = [
    "sato", "suzuki", "takahashi", "tanaka", "ito", "watanabe", "yamamoto", "nakamura",
    "kobayashi", "kato", "yoshida", "yamada", "sasaki", "yamaguchi", "matsumoto", "inoue",
    "kimura", "hayashi", "saito", "shimizu", "yamazaki", "mori", "ikeda", "hashimoto",
]  # fmt: skip
GIVEN_NAMES = [
    "美和", "健一", "直子", "翔太", "由美", "誠", "恵子", "大輔", "裕子", "浩二", "真理子", "亮",
    "智子", "和也", "陽子", "隆", "さくら", "拓也", "明美", "修",
]  # fmt: skip
ORGS = [
    ("社会福祉協議会", "生活支援コーディネーター"), ("地域包括支援センター", "社会福祉士"),
    ("市役所 健康福祉部", "地域包括ケア推進係"), ("町役場 保健福祉課", "主査"),
    ("NPO法人 ささえあいネット", "事務局長"), ("生活協同組合", "移動販売担当"),
    ("シルバー人材センター", "事業担当"), ("自治会連合会", "副会長"),
    ("農業協同組合", "くらしの活動担当"), ("郵便局", "地域連携担当"),
    ("タクシー協会", "乗合交通担当"), ("商工会", "経営指導員"),
]  # fmt: skip
MUNICIPALITIES = [
    ("05", "横手市"), ("33", "真庭市"), ("28", "西宮市"), ("20", "松本市"), ("13", "八王子市"),
    ("01", "北見市"), ("04", "石巻市"), ("15", "長岡市"), ("17", "七尾市"), ("22", "浜松市"),
    ("26", "福知山市"), ("34", "尾道市"), ("38", "宇和島市"), ("40", "久留米市"),
    ("43", "天草市"), ("47", "名護市"), ("07", "会津若松市"), ("11", "秩父市"),
]  # fmt: skip

TITLE_TOPICS = [
    "移動販売", "買い物支援", "見守り活動", "高齢者サロン", "子ども食堂", "乗合タクシー",
    "デマンド交通", "配食サービス", "ゴミ出し支援", "通いの場", "認知症カフェ", "防災訓練",
    "空き家活用", "居場所づくり", "生活支援体制整備事業", "協議体", "ボランティア養成講座",
    "地域ケア会議", "フレイル予防", "農福連携", "草刈りボランティア", "除雪支援",
    "多世代交流", "オンライン相談窓口",
]  # fmt: skip
TITLE_PATTERNS = [
    "{topic}の立ち上げで苦労したこと", "【相談】{town}で{topic}を始めたい", "{topic}の担い手不足について",
    "{topic}の費用負担、皆さんどうしていますか？", "【事例共有】{town}の{topic}",
    "{topic}と{topic2}を組み合わせた取り組み", "{topic}の利用者アンケート結果を共有します",
    "{topic}に使える補助金・助成金の情報", "【連携募集】{topic}を一緒に運営してくれる団体",
    "{topic}の記録・報告様式はどうしていますか", "冬期間の{topic}の工夫", "{topic}の広報の仕方",
    "{town}：{topic}の1年間の振り返り", "{topic}で民生委員さんとの情報共有", "{topic}の安全管理",
]  # fmt: skip

OPENING_BODIES = [
    ("{town}では今年度から地元スーパーと連携して**移動販売**を始めました。\n\n"
     "- 週2回、山間部の5地区を巡回\n- 1回あたり平均18人が利用\n\n"
     "巡回ルートを決めるとき、住民アンケート以外に使っている情報があれば教えてください。"),
    ("新聞販売店、郵便局、ガス会社と**見守り協定**を結んでいます。\n\n"
     "協定を結んだ後、実際に気づきの連絡が来るのは年に数件です。"
     "連絡しやすくする工夫（連絡票の様式、研修など）をされている自治体はありますか？"),
    ("団地の空き店舗を使った**居場所（サロン）**を計画しています。\n\n"
     "| 項目 | 内容 |\n|---|---|\n| 場所 | 団地内の空き店舗（約40㎡） |\n"
     "| 開所 | 週3日・10時〜15時 |\n| 募集 | 運営を一緒に担う団体、食材提供 |\n\n"
     "飲食店や農家の方、関心があればご連絡ください。"),
    ("乗合タクシーは予約制で、午前は通院、午後は買い物の便にしています。"
     "料金は1乗車300円です。同じような運行をしている地域の方、課題を共有しませんか。"),
    ("第1層・第2層コーディネーター向けの研修資料の目次です。\n\n"
     "1. 地域資源の把握\n2. 協議体の運営\n3. 多様な主体との連携\n\n"
     "ご意見があればこのスレッドでお寄せください。"),
    ("お世話になっております。\n\n"
     "当町では高齢化率が**45%**を超え、集落ごとの支え合いの仕組みづくりが急務になっています。"
     "住民主体の助け合い活動（ゴミ出し、電球交換、通院の付き添いなど）を立ち上げた地域の方に、"
     "最初の担い手をどのように集めたのか伺いたいです。\n\n"
     "> 有償ボランティアにするか無償にするかでも議論が分かれています。\n\n"
     "参考になる資料があれば、リンクも歓迎です（例: https://www.mhlw.go.jp/ ）。"),
]  # fmt: skip
REPLY_BODIES = [
    "ありがとうございます！ とても参考になります。",
    "うちの地域でも同じ課題を抱えています。続報を楽しみにしています。",
    ("八王子では、民生委員さんから「最近買い物に出ていない方」の情報をいただいて、停留所を決めています。"
     "停留所は集会所の前にすると、*お茶会* のような集まりにもなって好評です。"),
    ("真庭市では地域交通の担当課と一緒に、デマンド交通の利用データを見ています。"
     "移動販売と乗合タクシーの時刻を合わせると、両方の利用が増えました。"),
    ("長野県では県の様式例を作り、年1回の合同研修で「どんな時に連絡してよいか」の事例を共有しています。"
     "連絡のハードルを下げるのが一番効果がありました。"),
    ("西宮では協定事業者向けに、A4一枚の「気づきチェックシート」を配っています。\n\n"
     "- 郵便受けに新聞がたまっている\n- 同じ服を何日も着ている\n- 夜になっても電気がつかない\n\n"
     "など、具体的な項目にしたところ連絡が増えました。"),
    ("> 最初の担い手をどのように集めたのか\n\n"
     "私たちは**介護予防教室の修了生**に声をかけました。教室で顔見知りになっているので、"
     "「教わる側」から「支える側」への移行が自然でした。"),
    ("費用面では、生活支援体制整備事業の交付金と社協の共同募金配分金を組み合わせています。"
     "年間の運営費はおおよそ次のとおりです。\n\n"
     "| 費目 | 金額 |\n|---|---:|\n| 会場費 | 12万円 |\n| 保険料 | 3万円 |\n| 消耗品 | 5万円 |"),
    "協議体の会議で取り上げてみます。結果はこのスレッドで共有しますね。",
    ("少し補足です。冬期間は道路事情で巡回が難しくなるので、12月〜3月は拠点型（公民館に集まってもらう形）に"
     "切り替えています。送迎はシルバー人材センターにお願いしています。"),
    ("同感です。担い手の高齢化は本当に深刻で、70代が80代を支えているのが現状です。"
     "若い世代を巻き込むには、**短時間・単発**で関われるメニューを用意するのが大事だと感じています。"),
    ("資料を拝見しました。第3章の「多様な主体との連携」の部分、商工会や金融機関との連携例もあると"
     "なお良いと思います。\n\n1. 地元信用金庫の見守り\n2. 商店街の宅配\n3. コンビニの移動販売"),
]  # fmt: skip
LONG_THREAD_TITLE = "【情報交換】全国の生活支援コーディネーターの雑談・相談スレッド（その1）"

# Boards by share of threads: the cross-field boards are the busiest (real forums are skewed).
# The busiest board must hold > 1,000 pages of THREADS_PER_PAGE (30) for the depth benchmark.
BOARD_WEIGHTS = {"zentai": 0.34, "komarigoto": 0.14, "chiiki-kadai": 0.10}
OTHER_BOARDS_SHARE = 1.0 - sum(BOARD_WEIGHTS.values())

# Spaces (issue #12), with --spaces N: N - 1 prefectural spaces (pf01, pf02, … with prefecture
# codes 01, 02, …) besides the national one (id 1, made by migration 0016), each with these
# boards: (slug suffix, name, audience, audience_roles).
SPACE_BOARDS = [
    ("koryu", "交流", "public", ""),
    ("sodan", "相談", "public", ""),
    ("jirei", "事例・取組", "public", ""),
    ("oshirase", "お知らせ", "public", ""),
    ("gyosei", "行政職員限定", "roles", "municipal_staff,prefectural_staff,ministry_staff"),
    ("members", "メンバー限定", "members", ""),
]  # fmt: skip
#: threads moved from the national boards to the prefectural PUBLIC boards (besides the
#: --closed-share moved to the closed ones); the rest stays where today's layout puts it
PREF_PUBLIC_SHARE = 0.05
#: the benchmark user's memberships (prefecture codes; only those that exist are used)
BENCH_USER_SPACES = ("13", "27", "01")
SPACE_COLUMNS = (
    "id", "slug", "name", "kind", "prefecture_code", "description", "join_policy", "position",
    "created_at",
)  # fmt: skip
BOARD_COLUMNS = (
    "id", "slug", "name", "description", "kind", "position", "player_field_id", "thread_count",
    "post_count", "last_post_at", "created_at", "is_premoderated", "default_kind", "space_id",
    "audience", "audience_roles",
)  # fmt: skip
MEMBER_COLUMNS = ("space_id", "user_id", "role", "status", "created_at")


USER_COLUMNS = (
    "id", "handle", "email", "display_name", "password_hash", "role_id", "affiliation",
    "role_title", "prefecture_code", "municipality", "bio", "is_suspended", "locale", "created_at",
    "password_changed_at", "email_confirmed_at",
)  # fmt: skip
THREAD_COLUMNS = (
    "id", "board_id", "author_id", "title", "kind", "is_pinned", "is_locked", "is_deleted",
    "created_at", "last_post_at", "last_poster_id", "last_number", "reply_count",
)  # fmt: skip
POST_COLUMNS = (
    "id", "thread_id", "number", "author_id", "body_source", "body_html", "renderer_version",
    "created_at", "edited_at", "revision_count", "deleted_at", "deleted_by_id",
)  # fmt: skip


def insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


# --- schema ------------------------------------------------------------------------------------


def migrate(db_path: Path) -> None:
    """Create the schema and default rows with the application's own Alembic migrations."""
    from flask_migrate import upgrade

    from app import create_app
    from core.extensions import db

    instance = db_path.parent / "instance"
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SECRET_KEY": "bench",
            "SITE_URL": "http://127.0.0.1",
            "INSTANCE_PATH": str(instance),
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


def render_bodies(templates: list[str], rng: random.Random) -> list[tuple[str, str]]:
    from forum.rendering import render_markdown

    bodies = []
    for template in templates:
        town = rng.choice(MUNICIPALITIES)[1]
        source = template.replace("{town}", town)
        bodies.append((source, render_markdown(source)))
    return bodies


# --- spaces (issue #12) ------------------------------------------------------------------------


def add_spaces(con: sqlite3.Connection, n_spaces: int, created: str) -> dict:
    """Insert ``n_spaces - 1`` prefectural spaces (the national one exists) and their boards
    (``SPACE_BOARDS``). Returns the new boards as (id, slug) and their ids by audience."""
    if not 2 <= n_spaces <= 48:
        raise SystemExit("--spaces must be 0 or 2..48 (the national space + up to 47 prefectures)")
    prefectures = con.execute("SELECT code, name FROM prefectures ORDER BY code").fetchall()
    next_space = con.execute("SELECT max(id) FROM spaces").fetchone()[0] + 1
    next_board = con.execute("SELECT max(id) FROM boards").fetchone()[0] + 1
    position = con.execute("SELECT max(position) FROM boards").fetchone()[0] + 1
    space_rows, board_rows, spaces = [], [], {}
    public, closed, new_boards = [], [], []
    for code, pref_name in prefectures[: n_spaces - 1]:
        sid = next_space
        next_space += 1
        spaces[code] = sid
        space_rows.append((
            sid, f"pf{code}", f"{pref_name}版生活支援共創プラットフォーム", "prefecture", code,
            f"{pref_name}のコーディネーター、市町村職員、団体が集まる場です。", "open", sid, created,
        ))  # fmt: skip
        for suffix, label, audience, audience_roles in SPACE_BOARDS:
            bid, slug = next_board, f"pf{code}-{suffix}"
            next_board += 1
            board_rows.append((
                bid, slug, f"{pref_name} {label}", f"{pref_name}版の{label}の掲示板です。",
                "cross", position, None, 0, 0, None, created, 0, "discussion", sid, audience,
                audience_roles,
            ))  # fmt: skip
            position += 1
            new_boards.append((bid, slug))
            (public if audience == "public" else closed).append(bid)
    con.executemany(insert_sql("spaces", SPACE_COLUMNS), space_rows)
    con.executemany(insert_sql("boards", BOARD_COLUMNS), board_rows)
    return {"spaces": spaces, "boards": new_boards, "public": public, "closed": closed}


def add_memberships(
    con: sqlite3.Connection, spaces: dict[str, int], bench_user_id: int, created: str
) -> list[str]:
    """Every user is a member of their own prefecture's space (when it exists); the benchmark
    user also of ``BENCH_USER_SPACES``. Returns the benchmark user's spaces' slugs."""
    pairs = set()
    for uid, code in con.execute("SELECT id, prefecture_code FROM users"):
        if code in spaces:
            pairs.add((spaces[code], uid))
    for code in BENCH_USER_SPACES:
        if code in spaces:
            pairs.add((spaces[code], bench_user_id))
    rows = [(sid, uid, "member", "active", created) for sid, uid in sorted(pairs)]
    con.executemany(insert_sql("space_members", MEMBER_COLUMNS), rows)
    slugs = {sid: code for code, sid in spaces.items()}
    return [f"pf{slugs[sid]}" for sid, uid in sorted(pairs) if uid == bench_user_id]


def spread_threads(
    thread_board: list[int], layout: dict, closed_share: float, seed: int, keep: set[int]
) -> None:
    """Move about ``closed_share`` of the threads to the closed boards and ``PREF_PUBLIC_SHARE``
    to the prefectural public boards, at random (a separate random stream, so the rest of the
    generation is drawn as with --spaces 0). Threads in ``keep`` stay where they are."""
    if closed_share + PREF_PUBLIC_SHARE > 0.9:
        raise SystemExit("--closed-share is too large")
    spread = random.Random(seed + 12)
    closed, public = layout["closed"], layout["public"]
    for i in range(len(thread_board)):
        u = spread.random()
        if i in keep:
            continue
        if u < closed_share:
            thread_board[i] = spread.choice(closed)
        elif u < closed_share + PREF_PUBLIC_SHARE:
            thread_board[i] = spread.choice(public)


# --- generation --------------------------------------------------------------------------------


def generate(
    db_path: Path,
    n_threads: int,
    n_posts: int,
    seed: int = SEED,
    n_spaces: int = 0,
    closed_share: float = 0.0,
) -> dict:
    if n_threads < 2:
        raise SystemExit("--threads must be at least 2")
    if n_posts < n_threads + LONG_THREAD_POSTS:
        raise SystemExit(f"--posts must be at least --threads + {LONG_THREAD_POSTS}")
    if closed_share and not n_spaces:
        raise SystemExit("--closed-share needs --spaces")
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    db_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    migrate(db_path)
    timings["migrate"] = time.perf_counter() - t0

    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")  # a fresh file: nothing to protect while filling it
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1048576")  # 1 GiB
    con.execute("PRAGMA temp_store=MEMORY")
    con.execute("BEGIN")

    boards = con.execute("SELECT id, slug FROM boards ORDER BY position, id").fetchall()
    roles = dict(con.execute("SELECT slug, id FROM roles").fetchall())
    player_field_ids = [r[0] for r in con.execute("SELECT id FROM player_fields")]

    now = datetime.now(UTC)
    end_us = to_us(now - timedelta(minutes=5))
    start_us = to_us(now - timedelta(days=3 * 365))
    day_us = 86_400 * 1_000_000

    # users ---------------------------------------------------------------------------------
    t = time.perf_counter()
    from werkzeug.security import generate_password_hash

    password_hash = generate_password_hash(BENCH_PASSWORD)  # once: hashing is slow on purpose
    user_rows, upf_rows = [], []
    for uid in range(1, N_USERS + 1):
        si = rng.randrange(len(SURNAMES))
        org, title = rng.choice(ORGS)
        pref, town = rng.choice(MUNICIPALITIES)
        if uid <= 3:
            role = "admin" if uid == 3 else "moderator" if uid == 2 else "member"
        else:
            role = "moderator" if uid % 50 == 0 else "member"
        created = start_us - rng.randrange(1, 200) * day_us
        user_rows.append((
            uid, f"{SURNAMES_ROMAJI[si]}_{uid:03d}", f"user{uid:03d}@{EMAIL_DOMAIN}",
            f"{SURNAMES[si]} {rng.choice(GIVEN_NAMES)}", password_hash, roles[role],
            f"{town}{org}", title, pref, town, f"{town}で{org}の{title}をしています。",
            0, None, fmt_time(created), fmt_time(created), fmt_time(created),
        ))  # fmt: skip
        for pf in rng.sample(player_field_ids, rng.randint(1, 2)):
            upf_rows.append((uid, pf))
    con.executemany(insert_sql("users", USER_COLUMNS), user_rows)
    con.executemany(insert_sql("user_player_fields", ("user_id", "player_field_id")), upf_rows)
    user_ids = list(range(1, N_USERS + 1))
    # a few very active people, a long tail of occasional posters
    user_weights = [1.0 / (rank**0.8) for rank in range(1, N_USERS + 1)]
    rng.shuffle(user_weights)
    moderator_id = 2
    timings["users"] = time.perf_counter() - t

    # thread shape: board, author, creation time, number of posts ----------------------------
    t = time.perf_counter()
    slug_ids = {slug: bid for bid, slug in boards}
    other = [bid for bid, slug in boards if slug not in BOARD_WEIGHTS]
    board_choices = [slug_ids[s] for s in BOARD_WEIGHTS] + other
    board_weights = list(BOARD_WEIGHTS.values()) + [OTHER_BOARDS_SHARE / len(other)] * len(other)
    thread_board = rng.choices(board_choices, board_weights, k=n_threads)
    thread_author = rng.choices(user_ids, user_weights, k=n_threads)
    created = sorted(rng.randrange(start_us, end_us - 3_600_000_000) for _ in range(n_threads))

    long_idx = int(n_threads * 0.6)  # ~14 months old, still active: the 1,000-post thread
    thread_board[long_idx] = slug_ids["zentai"]
    reply_idx = int(n_threads * 0.9)  # where bench/run.py posts its replies
    thread_board[reply_idx] = slug_ids["komarigoto"]

    counts = [1] * n_threads
    counts[long_idx] = LONG_THREAD_POSTS
    extra = n_posts - sum(counts)
    weights = [min(rng.paretovariate(1.3), 60.0) for _ in range(n_threads)]
    weights[long_idx] = 0.0
    for i in rng.choices(range(n_threads), weights, k=extra):
        counts[i] += 1
    layout, bench_spaces = None, []
    if n_spaces:  # spaces (issue #12): their boards, memberships, part of the threads moved
        space_created = fmt_time(start_us - 200 * day_us)
        layout = add_spaces(con, n_spaces, space_created)
        bench_spaces = add_memberships(con, layout["spaces"], 1, space_created)
        boards = boards + layout["boards"]
        spread_threads(thread_board, layout, closed_share, seed, {long_idx, reply_idx})
    timings["shape"] = time.perf_counter() - t

    # posts: per-thread times, then global time order for ids -------------------------------
    t = time.perf_counter()
    rand = rng.random
    post_author = iter(rng.choices(user_ids, user_weights, k=n_posts))
    posts: list[tuple[int, int, int, int]] = []  # (time_us, thread_idx, number, author)
    append = posts.append
    thread_last = [None] * n_threads  # (last_time_us, last_author)
    for i in range(n_threads):
        c, k = created[i], counts[i]
        append((c, i, 1, thread_author[i]))
        last = (c, thread_author[i])
        if k > 1:
            room = end_us - c
            if i == long_idx:
                span = room - rng.randrange(60, 6 * 3600) * 1_000_000
            else:  # most threads are answered within days, big ones keep going for months
                span = min(room, int(rng.expovariate(1.0) * (3 + k) * day_us))
            span = max(span, k)  # at least 1 us apart
            times = sorted(c + 1 + int(rand() * span) for _ in range(k - 1))
            for n, when in enumerate(times, start=2):
                author = next(post_author)
                append((when, i, n, author))
            last = (times[-1], author)
        thread_last[i] = last
    posts.sort()
    timings["plan posts"] = time.perf_counter() - t

    # threads -------------------------------------------------------------------------------
    t = time.perf_counter()
    openings = render_bodies(OPENING_BODIES, rng)
    replies = render_bodies(REPLY_BODIES, rng)
    deleted = [False] * len(posts)
    reply_visible = [0] * n_threads
    for j, (_when, i, n, _a) in enumerate(posts):
        if n > 1:
            if rand() < 0.005:
                deleted[j] = True
            else:
                reply_visible[i] += 1

    pinned = set()
    by_board: dict[int, list[int]] = {}
    for i, bid in enumerate(thread_board):
        by_board.setdefault(bid, []).append(i)
    for members in by_board.values():
        pinned.update(rng.sample(members, min(2, len(members))))
    pinned.discard(long_idx)
    pinned.discard(reply_idx)

    towns = [m[1] for m in MUNICIPALITIES]
    thread_rows = []
    board_stats = {bid: [0, 0, None] for bid, _ in boards}  # threads, posts, last_post_at
    for i in range(n_threads):
        if i == long_idx:
            title = LONG_THREAD_TITLE
        else:
            topic, topic2 = rng.sample(TITLE_TOPICS, 2)
            title = rng.choice(TITLE_PATTERNS).format(
                topic=topic, topic2=topic2, town=rng.choice(towns)
            )
        last_us, last_author = thread_last[i]
        bid = thread_board[i]
        stats = board_stats[bid]
        stats[0] += 1
        stats[1] += 1 + reply_visible[i]
        if stats[2] is None or last_us > stats[2]:
            stats[2] = last_us
        thread_rows.append((
            i + 1, bid, thread_author[i], title, "discussion", int(i in pinned),
            int(i != long_idx and i != reply_idx and rand() < 0.003), 0,
            fmt_time(created[i]), fmt_time(last_us), last_author, counts[i], reply_visible[i],
        ))  # fmt: skip
    con.executemany(insert_sql("threads", THREAD_COLUMNS), thread_rows)
    del thread_rows
    for bid, (tc, pc, last) in board_stats.items():
        con.execute(
            "UPDATE boards SET thread_count = ?, post_count = ?, last_post_at = ? WHERE id = ?",
            (tc, pc, fmt_time(last) if last is not None else None, bid),
        )
    timings["threads"] = time.perf_counter() - t

    # posts ---------------------------------------------------------------------------------
    t = time.perf_counter()
    n_open, n_reply = len(openings), len(replies)
    # short replies are the most common
    reply_weights = [
        3 if len(source) < 60 else 2 if len(source) < 150 else 1 for source, _ in replies
    ]
    reply_pick = rng.choices(range(n_reply), reply_weights, k=len(posts))

    def rows():
        for j, (when, i, n, author) in enumerate(posts):
            source, html = openings[i % n_open] if n == 1 else replies[reply_pick[j]]
            edited = fmt_time(min(when + 120_000_000, end_us)) if rand() < 0.02 else None
            if deleted[j]:
                gone, by = fmt_time(min(when + 3_600_000_000, end_us)), moderator_id
            else:
                gone, by = None, None
            yield (j + 1, i + 1, n, author, source, html, 1, fmt_time(when), edited, 0, gone, by)

    con.executemany(insert_sql("posts", POST_COLUMNS), rows())
    con.execute("COMMIT")
    timings["posts"] = time.perf_counter() - t

    con.execute("PRAGMA journal_mode=WAL")  # what the application uses
    con.close()

    meta = {
        "threads": n_threads,
        "posts": n_posts,
        "long_thread_id": long_idx + 1,
        "reply_thread_id": reply_idx + 1,
        "busiest_board_slug": dict(boards)[max(board_stats, key=lambda b: board_stats[b][0])],
        "bench_user_email": f"user001@{EMAIL_DOMAIN}",
        "bench_user_id": 1,
        "password": BENCH_PASSWORD,
        "seed": seed,
        "generated_at": now.isoformat(),
        "timings_s": {k: round(v, 2) for k, v in timings.items()},
        "total_s": round(time.perf_counter() - t0, 2),
        "db_bytes": os.path.getsize(db_path),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if layout is not None:
        closed, pref_public = set(layout["closed"]), set(layout["public"])
        in_closed = [i for i, bid in enumerate(thread_board) if bid in closed]
        meta["spaces"] = {
            "spaces": n_spaces,
            "closed_share": closed_share,
            "boards": len(boards),
            "closed_boards": len(closed),
            "threads_in_closed_boards": round(len(in_closed) / n_threads, 4),
            "posts_in_closed_boards": round(sum(counts[i] for i in in_closed) / len(posts), 4),
            "threads_in_national_boards": round(
                sum(b not in closed and b not in pref_public for b in thread_board) / n_threads, 4
            ),
            "bench_user_spaces": bench_spaces,
        }
    Path(f"{db_path}.meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    return meta


def verify(db_path: Path) -> list[str]:
    """Recompute every denormalised counter from the rows; return the mismatches (none expected).
    Also check that the application reads the stored times back as the same aware UTC values."""
    con = sqlite3.connect(db_path)
    problems = []
    bad_threads = con.execute(
        """
        SELECT count(*) FROM threads t JOIN (
            SELECT thread_id, max(number) AS last_number,
                   sum(number > 1 AND deleted_at IS NULL) AS replies,
                   max(created_at) AS last_at
            FROM posts GROUP BY thread_id
        ) p ON p.thread_id = t.id
        WHERE t.last_number != p.last_number OR t.reply_count != p.replies
           OR t.last_post_at != p.last_at
           OR t.last_poster_id != (SELECT author_id FROM posts
                                   WHERE thread_id = t.id AND number = t.last_number)
        """
    ).fetchone()[0]
    if bad_threads:
        problems.append(f"{bad_threads} threads with wrong counters")
    bad_boards = con.execute(
        """
        SELECT count(*) FROM boards b LEFT JOIN (
            SELECT t.board_id, count(DISTINCT t.id) AS threads, max(t.last_post_at) AS last_at
            FROM threads t WHERE NOT t.is_deleted GROUP BY t.board_id
        ) t ON t.board_id = b.id LEFT JOIN (
            SELECT t.board_id, count(*) AS posts FROM posts p JOIN threads t ON t.id = p.thread_id
            WHERE p.deleted_at IS NULL GROUP BY t.board_id
        ) p ON p.board_id = b.id
        WHERE b.thread_count != coalesce(t.threads, 0) OR b.post_count != coalesce(p.posts, 0)
           OR b.last_post_at IS NOT t.last_at
        """
    ).fetchone()[0]
    if bad_boards:
        problems.append(f"{bad_boards} boards with wrong counters")
    gaps = con.execute(
        "SELECT count(*) FROM threads t WHERE t.last_number != "
        "(SELECT count(*) FROM posts WHERE thread_id = t.id)"
    ).fetchone()[0]
    if gaps:
        problems.append(f"{gaps} threads whose post numbers are not 1..last_number")
    raw = con.execute("SELECT created_at FROM posts ORDER BY id DESC LIMIT 1").fetchone()[0]
    con.close()

    from sqlalchemy import create_engine, select

    from forum.models import Post

    engine = create_engine(f"sqlite:///{db_path}")
    with engine.connect() as conn:
        post_id, created = conn.execute(
            select(Post.id, Post.created_at).order_by(Post.id.desc()).limit(1)
        ).one()
        # what SQLAlchemy itself would write for this value
        written = conn.execute(
            select(db_literal(created)).with_only_columns(db_literal(created))
        ).scalar_one()
    engine.dispose()
    if created.tzinfo is None or created.utcoffset().total_seconds() != 0:
        problems.append(f"post {post_id}: created_at not read back as aware UTC: {created!r}")
    if written != raw:
        problems.append(f"time format differs from SQLAlchemy's: {raw!r} vs {written!r}")
    return problems


def db_literal(value: datetime):
    """A bound UTCDateTime parameter, so a SELECT returns the text SQLAlchemy stores for it."""
    from sqlalchemy import String, cast, literal

    from core.types import UTCDateTime

    return cast(literal(value, UTCDateTime()), String)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"default: {DEFAULT_DB}")
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-verify", action="store_true", help="skip the counter check")
    parser.add_argument(
        "--spaces",
        type=int,
        default=0,
        help="spaces in all, the national one included (0: today's layout; 48: 47 prefectures)",
    )
    parser.add_argument(
        "--closed-share",
        type=float,
        default=0.0,
        help="share of the threads (and so of the posts) in closed boards, with --spaces",
    )
    args = parser.parse_args(argv)
    db_path = args.db.resolve()
    print(f"generating {args.threads:,} threads / {args.posts:,} posts into {db_path}")
    meta = generate(
        db_path, args.threads, args.posts, args.seed, args.spaces, args.closed_share
    )
    for phase, seconds in meta["timings_s"].items():
        print(f"  {phase:<12} {seconds:8.2f} s")
    print(
        f"done in {meta['total_s']:.1f} s; {meta['db_bytes'] / 2**20:,.0f} MiB; "
        f"peak RSS {meta['peak_rss_mb']:,.0f} MiB; long thread #{meta['long_thread_id']}, "
        f"busiest board /b/{meta['busiest_board_slug']}"
    )
    if "spaces" in meta:
        print(f"  spaces: {json.dumps(meta['spaces'], ensure_ascii=False)}")
    if not args.no_verify:
        t = time.perf_counter()
        problems = verify(db_path)
        print(
            f"verify: {'OK' if not problems else '; '.join(problems)}"
            f" ({time.perf_counter() - t:.1f} s)"
        )
        if problems:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
