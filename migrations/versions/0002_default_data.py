"""Default data: regions, prefectures, player fields, life-support domains, roles and their
permissions, and the default boards. A fresh install is usable right after ``db upgrade``.

The data is written out here (not imported from the application) so that this migration keeps
producing the same rows whatever the code becomes later.

Revision ID: 0002
Revises: 0001
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

REGIONS = [
    ("hokkaido", "北海道"), ("tohoku", "東北"), ("kanto", "関東"), ("chubu", "中部"),
    ("kinki", "近畿"), ("chugoku", "中国"), ("shikoku", "四国"), ("kyushu-okinawa", "九州・沖縄"),
]

PREFECTURES = [
    ("01", "北海道", "Hokkaido", "hokkaido"),
    ("02", "青森県", "Aomori", "tohoku"), ("03", "岩手県", "Iwate", "tohoku"),
    ("04", "宮城県", "Miyagi", "tohoku"), ("05", "秋田県", "Akita", "tohoku"),
    ("06", "山形県", "Yamagata", "tohoku"), ("07", "福島県", "Fukushima", "tohoku"),
    ("08", "茨城県", "Ibaraki", "kanto"), ("09", "栃木県", "Tochigi", "kanto"),
    ("10", "群馬県", "Gunma", "kanto"), ("11", "埼玉県", "Saitama", "kanto"),
    ("12", "千葉県", "Chiba", "kanto"), ("13", "東京都", "Tokyo", "kanto"),
    ("14", "神奈川県", "Kanagawa", "kanto"),
    ("15", "新潟県", "Niigata", "chubu"), ("16", "富山県", "Toyama", "chubu"),
    ("17", "石川県", "Ishikawa", "chubu"), ("18", "福井県", "Fukui", "chubu"),
    ("19", "山梨県", "Yamanashi", "chubu"), ("20", "長野県", "Nagano", "chubu"),
    ("21", "岐阜県", "Gifu", "chubu"), ("22", "静岡県", "Shizuoka", "chubu"),
    ("23", "愛知県", "Aichi", "chubu"),
    ("24", "三重県", "Mie", "kinki"), ("25", "滋賀県", "Shiga", "kinki"),
    ("26", "京都府", "Kyoto", "kinki"), ("27", "大阪府", "Osaka", "kinki"),
    ("28", "兵庫県", "Hyogo", "kinki"), ("29", "奈良県", "Nara", "kinki"),
    ("30", "和歌山県", "Wakayama", "kinki"),
    ("31", "鳥取県", "Tottori", "chugoku"), ("32", "島根県", "Shimane", "chugoku"),
    ("33", "岡山県", "Okayama", "chugoku"), ("34", "広島県", "Hiroshima", "chugoku"),
    ("35", "山口県", "Yamaguchi", "chugoku"),
    ("36", "徳島県", "Tokushima", "shikoku"), ("37", "香川県", "Kagawa", "shikoku"),
    ("38", "愛媛県", "Ehime", "shikoku"), ("39", "高知県", "Kochi", "shikoku"),
    ("40", "福岡県", "Fukuoka", "kyushu-okinawa"), ("41", "佐賀県", "Saga", "kyushu-okinawa"),
    ("42", "長崎県", "Nagasaki", "kyushu-okinawa"), ("43", "熊本県", "Kumamoto", "kyushu-okinawa"),
    ("44", "大分県", "Oita", "kyushu-okinawa"), ("45", "宮崎県", "Miyazaki", "kyushu-okinawa"),
    ("46", "鹿児島県", "Kagoshima", "kyushu-okinawa"), ("47", "沖縄県", "Okinawa", "kyushu-okinawa"),
]

PLAYER_FIELDS = [
    ("iryo-kaigo-fukushi", "医療・介護・福祉"), ("norin-suisan", "農林水産業"),
    ("ginko-inshoku", "銀行・飲食"), ("gakushu-shakai-kyoiku", "学習・社会教育"),
    ("butsuryu-hanbai", "物流・販売"), ("seikatsu-eisei", "生活衛生"),
    ("kenko-sports", "健康・スポーツ"), ("jumin-katsudo", "住民活動"),
    ("kankyo-machizukuri", "環境・まちづくり"), ("chiiki-kotsu", "地域交通"),
    ("yubin-ict", "郵便・ICT"), ("gyosei-kikan", "行政機関"), ("seikatsu-infra", "生活インフラ"),
]

LIFE_DOMAINS = [
    ("soji", "掃除"), ("sentaku", "洗濯"), ("chori", "調理"), ("kaimono", "買い物"),
    ("mimamori", "見守り"), ("ido", "移動（交通）"), ("sumai", "住まい"), ("ibasho", "居場所"),
    ("shokuji", "食事"), ("kenko", "健康"), ("iryo", "医療"), ("kaigo", "介護"),
    ("manabi", "学び"), ("bunka-geijutsu", "文化・芸術"), ("koryu", "（多世代）交流"),
    ("sports-recreation", "スポーツ・レクリエーション"), ("machizukuri", "まちづくり"),
    ("volunteer", "ボランティア・地域活動"), ("shuro", "就労"), ("koukeisha", "後継者"),
    ("bosai-bohan", "防災・防犯"), ("nochi", "農地"), ("kankyo-hozen", "環境保全"),
]

MEMBER = ["thread.create", "post.create", "post.edit_own", "post.delete_own"]
MODERATOR = MEMBER + ["post.edit_any", "post.delete_any", "post.view_deleted", "thread.moderate"]
ADMIN = MODERATOR + ["board.manage", "user.manage"]
ROLES = [
    (1, "member", "メンバー", MEMBER),
    (2, "moderator", "モデレーター", MODERATOR),
    (3, "admin", "管理者", ADMIN),
]

CROSS_BOARDS = [
    ("zentai", "全体交流", "分野や地域を超えて、誰でも自由に話せる交流の場です。"),
    ("komarigoto", "困りごと相談", "活動のなかで困っていることを相談し、同じ悩みを持つ仲間と知恵を出し合う場です。"),
    ("chiiki-kadai", "地域課題", "地域の課題を共有し、解決に向けて一緒に取り組む相手を探す場です。"),
]  # fmt: skip


def _tables():
    def table(name, *columns):
        return sa.table(name, *[sa.column(c) for c in columns])

    return {
        "regions": table("regions", "code", "name", "position"),
        "prefectures": table("prefectures", "code", "name", "name_en", "region_code"),
        "player_fields": table("player_fields", "id", "slug", "name", "position"),
        "life_domains": table("life_domains", "id", "slug", "name", "position"),
        "roles": table("roles", "id", "slug", "name", "position"),
        "role_permissions": table("role_permissions", "role_id", "permission"),
        "boards": table(
            "boards", "slug", "name", "description", "kind", "position", "player_field_id",
            "thread_count", "post_count", "created_at",
        ),
    }  # fmt: skip


def upgrade():
    t = _tables()
    now = datetime.now(UTC).replace(tzinfo=None)
    if op.get_bind().dialect.name != "sqlite":
        now = now.replace(tzinfo=UTC)
    op.bulk_insert(t["regions"], [
        {"code": code, "name": name, "position": i} for i, (code, name) in enumerate(REGIONS)
    ])  # fmt: skip
    op.bulk_insert(t["prefectures"], [
        {"code": c, "name": n, "name_en": e, "region_code": r} for c, n, e, r in PREFECTURES
    ])  # fmt: skip
    op.bulk_insert(t["player_fields"], [
        {"id": i + 1, "slug": s, "name": n, "position": i} for i, (s, n) in enumerate(PLAYER_FIELDS)
    ])  # fmt: skip
    op.bulk_insert(t["life_domains"], [
        {"id": i + 1, "slug": s, "name": n, "position": i} for i, (s, n) in enumerate(LIFE_DOMAINS)
    ])  # fmt: skip
    op.bulk_insert(t["roles"], [
        {"id": rid, "slug": slug, "name": name, "position": rid} for rid, slug, name, _ in ROLES
    ])  # fmt: skip
    op.bulk_insert(t["role_permissions"], [
        {"role_id": rid, "permission": p} for rid, _, _, perms in ROLES for p in perms
    ])  # fmt: skip
    boards = [
        {"slug": s, "name": n, "description": d, "kind": "cross", "position": i * 10,
         "player_field_id": None}
        for i, (s, n, d) in enumerate(CROSS_BOARDS)
    ] + [
        {"slug": s, "name": n, "description": f"{n}の分野の方々の情報交換の場です。",
         "kind": "field", "position": 100 + i * 10, "player_field_id": i + 1}
        for i, (s, n) in enumerate(PLAYER_FIELDS)
    ]  # fmt: skip
    for board in boards:
        board.update(thread_count=0, post_count=0, created_at=now)
    op.bulk_insert(t["boards"], boards)
    _reset_sequences()


def _reset_sequences():
    """PostgreSQL: move serial sequences past the explicit ids inserted above."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ("player_fields", "life_domains", "roles", "boards"):
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def downgrade():
    for table in ("boards", "role_permissions", "roles", "life_domains", "player_fields",
                  "prefectures", "regions"):  # fmt: skip
        op.execute(f"DELETE FROM {table}")
