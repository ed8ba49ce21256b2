"""The data inventory (個人データの一覧): every table and column that holds personal data, declared
once — what it is, whose, why it is kept, for how long, how it is exported (開示) and what leaving
(退会) does to it.

The privacy policy's 「保有する個人データ」 section (``/privacy``) is rendered from :data:`INVENTORY`;
``privacy.exporting`` writes one section per ``export`` key and ``privacy.erasure`` applies the
``erase`` action of each entry; ``tests/privacy/test_inventory.py`` walks SQLAlchemy's metadata
and fails when a table gains a user-linked column (a foreign key to ``users.id``, or a column
named like an e-mail, IP or postal address, phone or user agent) that no entry covers.

The descriptions are Japanese data (the policy is a Japanese document); the page around them goes
through Flask-Babel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# what leaving does to an entry's rows
DELETE = "delete"  # the rows are deleted
BLANK = "blank"  # the rows stay (others' records need them); the personal columns are emptied
PSEUDONYMISE = "pseudonymise"  # the rows stay, pointing at the pseudonymous account
KEEP = "keep"  # not the member's data (staff records about others), kept
ERASE_ACTIONS = (DELETE, BLANK, PSEUDONYMISE, KEEP)

ERASE_LABELS = {
    DELETE: "削除します",
    BLANK: "内容を消去します（記録の枠だけ残ります）",
    PSEUDONYMISE: "「退会したユーザー」の記録として残します",
    KEEP: "運営の記録として残します",
}

# whose data
MEMBER = "会員本人"
OTHERS = "会員本人と、記録に関わる他の会員"
STAFF = "事務局・モデレーター"


@dataclass(frozen=True)
class Entry:
    """One table's personal data. ``columns`` are the personal columns (every user-linked one
    among them); ``export`` is the archive's section (``""``: not exported, ``why_not_exported``
    says why); ``erase`` is one of :data:`ERASE_ACTIONS`, ``erase_note`` the detail."""

    table: str | None  # None: data outside the database (files, counters)
    columns: tuple[str, ...]
    what: str
    whose: str
    why: str
    retention: str
    export: str
    erase: str
    erase_note: str = ""
    why_not_exported: str = ""

    @property
    def erase_label(self) -> str:
        return ERASE_LABELS[self.erase]


INVENTORY: tuple[Entry, ...] = (
    Entry(
        "users",
        ("id", "handle", "email", "display_name", "password_hash", "affiliation", "role_title",
         "prefecture_code", "municipality", "organization_id", "bio", "locale", "created_at",
         "password_changed_at", "email_confirmed_at", "is_suspended", "suspended_until",
         "silenced_until", "sanction_reason", "erased_at", "role_id", "terms_version",
         "terms_accepted_at"),
        "アカウントとプロフィール（ハンドル名、メールアドレス、表示名、所属、役職、地域、自己紹介、"
        "言語、登録日時、パスワードのハッシュ、利用停止・発言停止の期間と理由）",
        MEMBER,
        "ログイン、連絡、投稿者の表示、利用停止などの措置のため",
        "退会まで",
        "profile",
        PSEUDONYMISE,
        "メールアドレス・プロフィール・パスワードを消去し、ハンドル名を無作為な名前に、表示名を"
        "「退会したユーザー」に置き換えます。",
    ),
    Entry(
        "user_player_fields", ("user_id", "player_field_id"),
        "プロフィールの分野", MEMBER, "プロフィールの表示のため", "退会まで", "profile", DELETE,
    ),
    Entry(
        "erased_addresses", ("address_key", "blocked_until", "created_at"),
        "利用停止中に退会したアカウントのメールアドレスの鍵付きハッシュ（アドレスそのものは保存しません）",
        MEMBER,
        "措置の期間中に同じアドレスで再登録して措置を逃れることを防ぐため",
        "措置の期間が終わるまで（終了後に自動で削除）",
        "",
        KEEP,
        why_not_exported="退会後に作られる記録で、アカウントとは結び付いていません。",
    ),
    Entry(
        "api_tokens", ("user_id", "token_hash", "name", "created_at", "revoked_at", "last_used_at"),
        "APIトークン（名前、作成・最終利用日時。トークンそのものは保存せず、ハッシュのみ）",
        MEMBER, "APIの認証のため", "無効化から90日まで", "api_tokens", DELETE,
    ),
    Entry(
        "user_sessions",
        ("user_id", "nonce_hash", "previous_nonce_hash", "rotated_at", "user_agent", "created_at",
         "last_seen_at"),
        "ログイン中の端末（ブラウザの種類、ログイン・最終利用日時）",
        MEMBER, "ログインの維持と、心当たりのないログインを終了できるようにするため",
        "ログアウトまで（最長でログインの有効期間）", "sessions", DELETE,
    ),
    Entry(
        "board_moderators", ("user_id", "board_id"),
        "担当する掲示板（掲示板モデレーター）", MEMBER, "モデレーションの権限のため", "退会まで",
        "board_moderations", DELETE,
    ),
    Entry(
        "space_members", ("user_id", "space_id", "role", "status", "created_at"),
        "都道府県プラットフォームへの参加", MEMBER, "参加者だけが読める掲示板を見せるため",
        "退会まで", "space_memberships", DELETE,
    ),
    Entry(
        "offers", ("author_id", "decided_by_id", "message_source", "message_html", "created_at",
                   "decided_at"),
        "地域課題への連携の申し出（団体として送った文面と日時、課題の投稿者の応答）", OTHERS,
        "地域課題の投稿者と申し出た団体が連携を進めるため",
        "削除されるまで（退会後も団体の申し出として残ります）", "offers", PSEUDONYMISE,
        "申し出は団体のものとして残り、送った人は「退会したユーザー」になります。",
    ),
    Entry(
        "case_origins", ("created_by_id", "created_at"),
        "事例ときっかけになった地域課題のつながり（つないだ人と日時）", OTHERS,
        "事例と地域課題を双方向に案内するため", "事例か課題が削除されるまで", "", PSEUDONYMISE,
        "つながりは残り、つないだ人は「退会したユーザー」になります。",
        why_not_exported="事例のページに表示される公開の情報です。",
    ),
    Entry(
        "threads", ("author_id", "last_poster_id", "title", "created_at"),
        "立てたスレッド（タイトル、日時）", OTHERS, "掲示板の運営のため",
        "削除されるまで（退会後も残ります）", "threads", PSEUDONYMISE,
        "スレッドは他の会員の返信の文脈として残り、投稿者は「退会したユーザー」になります。",
    ),
    Entry(
        "posts", ("author_id", "body_source", "body_html", "deleted_by_id", "edited_by_id",
                  "created_at", "edited_at"),
        "投稿の本文と日時", OTHERS, "掲示板の運営のため", "削除されるまで（退会後も残ります）",
        "posts", PSEUDONYMISE,
        "投稿者は「退会したユーザー」になります。退会時に希望すれば本文も消去します（団体の取組事例・"
        "イベントなどの構造化スレッドの最初の投稿は団体の情報として残ります）。",
    ),
    Entry(
        "post_revisions", ("editor_id", "redacted_by_id", "body_source", "body_html"),
        "投稿の編集履歴", OTHERS, "編集の経緯を確認できるようにするため", "投稿と同じ", "posts",
        PSEUDONYMISE, "本文の消去を希望した場合は、その投稿の編集履歴も削除します。",
    ),
    Entry(
        "thread_details", ("data", "html"),
        "取組事例・イベント・施策などの構造化された項目", OTHERS, "一覧・検索・書き出しのため",
        "削除されるまで", "threads", KEEP,
        "団体・自治体の情報として残ります（投稿者は「退会したユーザー」になります）。",
    ),
    Entry(
        "thread_detail_revisions", ("editor_id", "redacted_by_id", "fields"),
        "構造化された項目の編集履歴", OTHERS, "編集の経緯を確認できるようにするため",
        "スレッドと同じ", "threads", PSEUDONYMISE,
    ),
    Entry(
        "attachments", ("uploader_id", "filename", "storage_key", "sha256", "created_at"),
        "添付ファイル（ファイル名、種類、大きさ、ファイルそのもの）", OTHERS,
        "取組事例・イベント・施策の資料として公開するため", "削除されるまで", "attachments",
        PSEUDONYMISE, "ファイルは団体の資料として残り、添付者は「退会したユーザー」になります。",
    ),
    Entry(
        "flags", ("user_id", "message", "created_at"),
        "行った通報（理由、メッセージ、結果）", MEMBER, "モデレーションと通報の重み付けのため",
        "通報された投稿が削除されるまで", "flags_made", PSEUDONYMISE,
        "通報はモデレーションの記録として残り、通報者は「退会したユーザー」になります。",
    ),
    Entry(
        "conversations", ("starter_id", "subject", "created_at"),
        "個別メッセージの会話（件名、始めた人、参加者）", OTHERS,
        "参加者どうしのやりとりのため（参加者だけが読めます）", "会話が続くかぎり", "conversations",
        PSEUDONYMISE, "会話はほかの参加者のために残り、あなたは「退会したユーザー」になります。",
    ),
    Entry(
        "conversation_participants",
        ("user_id", "invited_by_id", "joined_at", "left_at", "last_read_message_id"),
        "会話への参加（招待した人、参加・退出の日時、既読の位置）", MEMBER,
        "参加者だけが会話を読めるようにするため", "退出・退会まで", "conversations", DELETE,
        "すべての会話から外れます。",
    ),
    Entry(
        "conversation_messages", ("author_id", "body_source", "body_html", "created_at"),
        "送った個別メッセージ", OTHERS, "参加者どうしのやりとりのため（参加者だけが読めます）",
        "会話が続くかぎり", "conversations", PSEUDONYMISE,
        "投稿と同じく、送り主は「退会したユーザー」になり、選んだ場合は本文も消去します。",
    ),
    Entry(
        "message_flags", ("user_id", "message", "created_at"),
        "個別メッセージへの通報（理由、メッセージ、結果）", MEMBER, "モデレーションのため",
        "通報されたメッセージが削除されるまで", "conversations", PSEUDONYMISE,
        "通報はモデレーションの記録として残り、通報者は「退会したユーザー」になります。",
    ),
    Entry(
        "held_posts", ("author_id", "title", "details", "body_source", "body_html", "created_at"),
        "承認待ちの投稿", MEMBER, "承認制の掲示板と新規会員の投稿を確認するため",
        "却下・削除から30日まで", "held_posts", BLANK,
        "承認待ちのものは取り下げ、本文を消去します。",
    ),
    Entry(
        "moderation_items",
        ("subject_user_id", "claimed_by_id", "decided_by_id", "decision_reason", "reasons"),
        "会員に関するモデレーションの判断（判断と理由）", OTHERS,
        "モデレーションの記録と異議への対応のため", "無期限（運営の記録）", "moderation_decisions",
        PSEUDONYMISE, "判断の記録として残り、対象は「退会したユーザー」になります。",
    ),
    Entry(
        "moderation_notes", ("author_id", "body"),
        "モデレーターのメモ", STAFF, "モデレーターどうしの連絡のため", "無期限（運営の記録）", "",
        KEEP, why_not_exported="モデレーターの内部の記録です（判断とその理由は書き出します）。",
    ),
    Entry(
        "role_requests",
        ("user_id", "organisation", "prefecture_code", "municipality", "work_email",
         "email_confirmed_at", "created_at"),
        "団体・自治体の担当者としての認証の申請（団体名、地域、勤務先のメールアドレス）", MEMBER,
        "認証済みの表示のため", "退会まで", "verification_requests", BLANK,
        "団体名・地域・勤務先のメールアドレスを消去します。",
    ),
    Entry(
        "notification_settings",
        ("user_id", "email_modes", "auto_watch_start", "auto_watch_reply",
         "last_daily_digest_at", "last_weekly_digest_at", "updated_at"),
        "通知の設定", MEMBER, "通知とメールを送るため", "退会まで", "notifications", DELETE,
    ),
    Entry(
        "notification_watches", ("user_id", "target_kind", "target_key", "level", "created_at"),
        "ウォッチ（見守り）している掲示板・スレッド・タグ", MEMBER, "通知を送るため", "退会まで",
        "notifications", DELETE,
    ),
    Entry(
        "notification_user_mutes", ("user_id", "muted_user_id", "created_at"),
        "ミュートした会員", MEMBER, "通知を送らないため", "退会まで", "notifications", DELETE,
        "ミュートした側・された側のどちらの退会でも削除します。",
    ),
    Entry(
        "notifications",
        ("user_id", "actor_id", "data", "read_at", "emailed_at", "email_state", "email_due_at",
         "email_attempts"),
        "受け取った通知（既読、メール送信）", MEMBER, "通知センターとメールのため", "退会まで",
        "notifications", DELETE, "他の会員への通知では、行為者が「退会したユーザー」になります。",
    ),
    Entry(
        "event_rsvps", ("user_id", "status", "created_at"), "イベントへの参加表明", MEMBER,
        "参加者数の表示とリマインダーのため", "退会まで", "notifications", DELETE,
    ),
    Entry(
        "thread_read_positions", ("user_id", "last_read_number", "updated_at"),
        "スレッドをどこまで読んだか", MEMBER, "未読の表示のため",
        "退会まで（削除されたスレッドの分は自動で削除）", "notifications", DELETE,
    ),
    Entry(
        "notification_jobs", ("payload",),
        "通知の配信作業（会員のIDを含むことがあります）", OTHERS, "通知を配信するため",
        "完了から7日まで", "", KEEP,
        why_not_exported="配信のための一時的な作業記録です。",
    ),
    Entry(
        "site_pages", ("updated_by_id",),
        "サイトのページ（利用規約など）を最後に編集した管理者", STAFF, "誰が文面を変えたかを示すため",
        "無期限（運営の記録）", "", PSEUDONYMISE,
        "記録は残り、編集者は「退会したユーザー」になります。",
        why_not_exported="運営の記録です（編集は監査ログとして書き出します）。",
    ),
    Entry(
        "site_page_revisions", ("author_id",),
        "サイトのページの版ごとの編集者", STAFF, "文面の変更の履歴のため", "無期限（運営の記録）", "",
        PSEUDONYMISE, "記録は残り、編集者は「退会したユーザー」になります。",
        why_not_exported="運営の記録です（編集は監査ログとして書き出します）。",
    ),
    Entry(
        "contact_messages", ("sender_name", "sender_email", "body", "created_at"),
        "お問い合わせフォームで送られた内容（お名前、返信先のメールアドレス、本文）",
        "送った人（会員でない方を含む）", "お問い合わせに返事をするため",
        "受け付けから1年（対応が済んだもの。対応中のものは済むまで）", "",
        KEEP, "お問い合わせはアカウントと結び付けていないため、退会しても残り、受け付けから1年で"
        "削除されます。それより早い削除を希望する場合は、お問い合わせフォームでお知らせください。",
        why_not_exported="アカウントと結び付けていないため、書き出しには含めません。",
    ),
    Entry(
        "audit_log", ("actor_id", "reason", "before", "after"),
        "監査ログ（誰がいつ何をしたか）", OTHERS, "運営の透明性と不正の調査のため",
        "無期限（運営の記録）", "audit_entries", PSEUDONYMISE,
        "記録は残り、会員は仮名のID（「退会したユーザー」）で示されます。",
    ),
    Entry(
        None, ("mail_outbox",),
        "送信メールの控え（メールの保存フォルダーを使う設定のとき）", MEMBER,
        "メール送信の確認のため", "14日まで", "", KEEP,
        why_not_exported="送信の控えで、同じ内容は通知・アカウントの記録として書き出します。",
    ),
    Entry(
        None, ("ip_address",),
        "IPアドレス（連続投稿・ログイン試行の回数制限）", MEMBER,
        "不正なアクセスを防ぐため", "データベースには保存しません（回数のカウンターは制限の期間"
        "（最長1日）で消えます）", "", KEEP,
        why_not_exported="保存していません。",
    ),
)

#: user-linked column names: a column is user-linked if it references users.id or matches this
PERSONAL_NAME = re.compile(r"(^|_)(email|e_mail|ip|ip_address|address|phone|tel|user_agent)($|_)")


def entries_for(table: str) -> list[Entry]:
    return [e for e in INVENTORY if e.table == table]


def covered_columns() -> set[tuple[str, str]]:
    return {(e.table, c) for e in INVENTORY if e.table for c in e.columns}


def user_linked_columns(metadata) -> set[tuple[str, str]]:
    """(table, column) of every column that points at a member or holds a contact or network
    address, in ``metadata`` (SQLAlchemy's)."""
    found = set()
    for table in metadata.sorted_tables:
        for column in table.columns:
            if any(fk.target_fullname == "users.id" for fk in column.foreign_keys) or (
                PERSONAL_NAME.search(column.name)
            ):
                found.add((table.name, column.name))
    return found


def uncovered(metadata) -> list[tuple[str, str]]:
    """User-linked columns no inventory entry names (the coverage test asserts none)."""
    return sorted(user_linked_columns(metadata) - covered_columns())


def stale(metadata) -> list[tuple[str, str]]:
    """Inventory columns that no longer exist."""
    tables = {t.name: {c.name for c in t.columns} for t in metadata.sorted_tables}
    return sorted(
        (e.table, c)
        for e in INVENTORY
        if e.table
        for c in e.columns
        if e.table not in tables or c not in tables[e.table]
    )
