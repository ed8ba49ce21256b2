"""Demo messages to the secretariat (``seed-demo``): the moderator finds them in the review
queue under お問い合わせ. The site pages themselves come with migration 0021."""

from __future__ import annotations

from auth.models import User
from pages.contact import submit_contact

MESSAGES = [
    # sender handle (None: a visitor), name, e-mail, category, body
    ("suzuki_toyooka", "鈴木 一郎", "suzuki@demo.example.jp", "question",
     "豊岡市で見守りのボランティアをしています。地域課題の投稿は住民でもできますか？"),
    (None, "NPO法人 つばさ 事務局", "info@tsubasa.example.jp", "account",
     "団体として登録したいのですが、認証の申請に必要な勤務先のメールアドレスがありません。"
     "代わりの確認方法はありますか。"),
]  # fmt: skip


def seed_pages_demo(users: dict[str, User]) -> None:
    for handle, name, email, category, body in MESSAGES:
        submit_contact(sender=users.get(handle) if handle else None, name=name, email=email,
                       category=category, body=body, confirmed=True)  # fmt: skip
