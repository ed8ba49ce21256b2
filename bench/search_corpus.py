"""Realistic synthetic Japanese forum posts for the search benchmarks (deterministic).

Posts are built from the vocabulary of the 生活支援 field: topics, places, actors and sentence
patterns, with the spelling variants people really use (買い物/買物/かいもの, 見守り/みまもり,
コーディネーター/ｺｰﾃﾞｨﾈｰﾀｰ, NPO/ＮＰＯ), so that term frequencies look like a real board: a few
very common words (支援, 地域, 高齢者), many rare ones.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from search.documents import BoardState, PostRow, ThreadState

TOPICS = [
    "買い物支援", "買物支援", "かいもの支援", "移動支援", "見守り活動", "みまもり活動", "配食サービス",
    "ふれあいサロン", "通いの場", "こども食堂", "認知症カフェ", "介護予防体操", "ゴミ出し支援",
    "雪かきボランティア", "有償ボランティア", "乗合タクシー", "デマンド交通", "移動販売", "宅配サービス",
    "安否確認", "防災訓練", "防犯パトロール", "スマホ教室", "ICT活用", "DX推進", "居場所づくり",
    "就労的活動", "農地の保全", "畑の貸し出し", "後継者育成", "多世代交流", "生活支援体制整備事業",
    "地域ケア会議", "協議体", "住民主体の支え合い", "シルバー人材センター", "ＮＰＯ法人との連携",
    "NPOの資金づくり", "社会福祉協議会", "地域包括支援センター", "民生委員との連携", "郵便局の見守り",
    "生協の移動販売", "商店街の空き店舗", "公民館の活用", "オンライン会議", "LINEでの連絡",
]  # fmt: skip
ACTORS = [
    "生活支援コーディネーター", "ｺｰﾃﾞｨﾈｰﾀｰ", "コーディネータ", "民生委員", "自治会長", "ケアマネジャー",
    "保健師", "社協の職員", "市役所の担当者", "町役場の担当者", "ボランティアの方", "住民の皆さん",
    "商店主", "タクシー事業者", "農協の職員", "郵便局員", "薬局の薬剤師", "地元企業",
]  # fmt: skip
PLACES = [
    "山間部の集落", "団地", "駅前の商店街", "公民館", "集会所", "小学校区", "旧町村部", "離島",
    "ニュータウン", "中山間地域", "市街地", "漁村",
]  # fmt: skip
PATTERNS = [
    "{place}で{topic}を始めて{n}年になります。",
    "{actor}と一緒に{topic}の進め方を話し合いました。",
    "{topic}について、{actor}から相談を受けています。",
    "{place}では{topic}の担い手が足りません。何か良い工夫はありますか。",
    "先月の協議体で{topic}の事例を紹介しました。参加者は{n}0名ほどでした。",
    "{topic}の費用は地域支援事業と自主財源でまかなっています。",
    "{actor}が中心になって{topic}を続けています。",
    "高齢者の{topic}について、アンケートを{n}回実施しました。",
    "{place}の{topic}は、{actor}の協力で週{n}回になりました。",
    "{topic}と{topic2}を組み合わせる取組を検討中です。",
    "参考になる資料があれば教えてください。{topic}の立ち上げで困っています。",
    "{actor}向けの研修で{topic}を取り上げました。",
]  # fmt: skip
TITLES = [
    "{topic}の進め方について", "{place}での{topic}", "{topic}の担い手募集", "{topic}の事例紹介",
    "{actor}との連携", "{topic}で困っています", "{topic}の報告",
]  # fmt: skip
N_BOARDS, N_AUTHORS = 16, 200
FIELD_SLUGS = ["iryo-kaigo-fukushi", "chiiki-kotsu", "yubin-ict", "norin-suisan"]
START = datetime(2023, 4, 1, tzinfo=UTC)


def _fill(rng: random.Random, pattern: str) -> str:
    return pattern.format(
        topic=rng.choice(TOPICS), topic2=rng.choice(TOPICS), actor=rng.choice(ACTORS),
        place=rng.choice(PLACES), n=rng.randint(1, 9),
    )  # fmt: skip


def posts(count: int, *, start_id: int = 1, seed: int = 2026) -> Iterator[PostRow]:
    """``count`` posts with ids from ``start_id``; a new thread every ~6 posts."""
    rng = random.Random(seed + start_id)
    thread_id, number, title, board = start_id, 0, "", 1
    for post_id in range(start_id, start_id + count):
        if number == 0 or rng.random() < 0.17:
            thread_id, number = post_id, 0
            title = _fill(rng, rng.choice(TITLES))
            board = rng.randint(1, N_BOARDS)
        number += 1
        sentences = [_fill(rng, rng.choice(PATTERNS)) for _ in range(rng.randint(2, 6))]
        author = min(int(rng.paretovariate(1.2)), N_AUTHORS)
        yield PostRow(
            post_id=post_id,
            thread_id=thread_id,
            number=number,
            author_id=author,
            body_html="<p>" + "".join(sentences) + "</p>",
            created_at=START + timedelta(seconds=post_id * 450),
            deleted_at=None,
            hidden_at=None,
            title=title,
            kind="discussion",
            thread=ThreadState(thread_id, author, board, False, False,
                               BoardState(board, 1, "public", "")),
            board_field=FIELD_SLUGS[board % 4] if board > 3 else None,
        )
