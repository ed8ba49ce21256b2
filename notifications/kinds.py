"""Notification kinds, what each is called, and the default e-mail mode of each."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MENTIONED = "mentioned"
REPLIED = "replied"
QUOTED = "quoted"
POSTED = "posted"  # a new post in a watched thread (collapses per thread)
NEW_THREAD = "new_thread"  # a new thread in a watched board or tag
MODERATION = "moderation"  # your post was held / approved / hidden / restored / your flag …
VERIFICATION = "verification"
EVENT_REMINDER = "event_reminder"
QUEUE_ITEM = "queue_item"  # a new review-queue item for the moderators of its board
#: the weekly list of new local problems that fit one's organisation (``matching.digest``)
MATCHING = "matching"
MESSAGE = "message"  # a new message in one of your private conversations (collapses per one)
#: co-creation (issue #16): an offer to partner on your local problem, an answer to your offer,
#: a watched problem's status (募集中 → 調整中 → 連携成立 → 終了); ``data["action"]`` says which
COCREATION = "cocreation"

KINDS = (
    MENTIONED, REPLIED, QUOTED, POSTED, NEW_THREAD, MODERATION, VERIFICATION, EVENT_REMINDER,
    QUEUE_ITEM, MATCHING, MESSAGE, COCREATION,
)  # fmt: skip
#: kinds that keep one unread row per thread (or queue) and count up
COLLAPSING = frozenset({POSTED, REPLIED, QUEUE_ITEM, MESSAGE})

IMMEDIATE, DAILY, WEEKLY, NEVER = "immediate", "daily", "weekly", "never"
EMAIL_MODES = (IMMEDIATE, DAILY, WEEKLY, NEVER)
DEFAULT_EMAIL_MODES = {
    MENTIONED: IMMEDIATE,
    REPLIED: IMMEDIATE,
    QUOTED: IMMEDIATE,
    POSTED: DAILY,
    NEW_THREAD: DAILY,
    MODERATION: IMMEDIATE,
    VERIFICATION: IMMEDIATE,
    EVENT_REMINDER: IMMEDIATE,
    QUEUE_ITEM: NEVER,
    MATCHING: NEVER,  # opt-in
    MESSAGE: IMMEDIATE,
    COCREATION: IMMEDIATE,
}

KIND_LABELS = {
    MENTIONED: _l("メンションされたとき"),
    REPLIED: _l("自分のスレッドに返信があったとき"),
    QUOTED: _l("自分の投稿が引用されたとき"),
    POSTED: _l("ウォッチ中のスレッドへの新しい投稿"),
    NEW_THREAD: _l("ウォッチ中の掲示板・分類の新しいスレッド"),
    MODERATION: _l("投稿の確認結果・通報の結果"),
    VERIFICATION: _l("役割の確認結果"),
    EVENT_REMINDER: _l("参加予定・興味ありのイベントの前日"),
    QUEUE_ITEM: _l("確認待ちの新しい項目（モデレーター）"),
    MATCHING: _l("団体に合いそうな新しい地域課題（団体のメンバー・週1回）"),
    MESSAGE: _l("個別メッセージが届いたとき"),
    COCREATION: _l("地域課題への連携の申し出・その返事・課題の状況の変化"),
}
EMAIL_MODE_LABELS = {
    IMMEDIATE: _l("すぐに送る（未読のとき）"),
    DAILY: _l("1日1回まとめて"),
    WEEKLY: _l("週1回まとめて"),
    NEVER: _l("送らない"),
}
LEVEL_LABELS = {
    "watching": _l("ウォッチ（すべての投稿を通知）"),
    "watching_first_post": _l("新しいスレッドだけ通知"),
    "tracking": _l("追跡（未読数だけ表示）"),
    "normal": _l("通常（メンションと返信だけ）"),
    "muted": _l("ミュート（通知しない）"),
}
