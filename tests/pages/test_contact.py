"""The contact form (お問い合わせ, issue #14 item 2): a message becomes a review-queue item of kind
``contact`` and, with ``CONTACT_EMAIL``, a mail; a resident's personal information is pointed
out before sending; what was typed survives every error; sending is rate-limited and needs the
CSRF token; moderators close the item with an audit entry."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from audit.models import AuditEntry
from core.extensions import db
from moderation.models import ModerationItem
from notifications import worker
from notifications.models import Notification
from pages.models import ContactMessage

MESSAGE = {"name": "豊岡市 長寿福祉課 山本", "email": "yamamoto@example.jp", "category": "question",
           "message": "イベントの登録方法を教えてください。"}  # fmt: skip
PII = "近所の田中花子さん（82歳）は認知症で、電話は090-1234-5678です。"


def _items() -> list[ModerationItem]:
    return list(db.session.scalars(select(ModerationItem).where(ModerationItem.kind == "contact")))


def test_contact_form_is_shown_with_its_introduction(client):
    html = client.get("/contact").get_data(as_text=True)
    assert "<h1>お問い合わせ</h1>" in html and "生活支援共創プラットフォーム運営事務局" in html
    for label in (
        "お名前（任意）",
        "返信先のメールアドレス",
        "お問い合わせの種類",
        "お問い合わせの内容",
    ):
        assert label in html


def test_contact_message_opens_a_queue_item_without_mail_by_default(client, outbox):
    response = client.post_form("/contact", MESSAGE)
    assert response.status_code == 302 and response.headers["Location"] == "/contact"
    assert "お問い合わせを受け付けました" in client.get("/contact").get_data(as_text=True)
    (item,) = _items()
    assert (item.status, item.reasons, item.subject_user_id) == ("pending", [], None)
    message = db.session.scalars(select(ContactMessage)).one()
    assert (message.item_id, message.sender_email, message.category) == (
        item.id, "yamamoto@example.jp", "question")  # fmt: skip
    assert message.body == MESSAGE["message"] and message.sender_name == MESSAGE["name"]
    assert outbox() == []  # CONTACT_EMAIL is empty: the queue only


@pytest.mark.parametrize("app_config", [{"CONTACT_EMAIL": "jimukyoku@example.jp"}], indirect=True)
def test_contact_message_is_mailed_to_the_secretariat(client, outbox, login, user):
    login(user)
    assert client.post_form("/contact", MESSAGE).status_code == 302
    (mail,) = [m for m in outbox() if m["To"] == "jimukyoku@example.jp"]
    assert "お問い合わせ" in mail["Subject"] and "サイトの使い方についての質問" in mail["Subject"]
    assert mail["Reply-To"] == "yamamoto@example.jp"
    text = mail.get_content()
    assert MESSAGE["message"] in text and "http://localhost/moderation/queue?kind=contact" in text
    assert _items()[0].subject_user_id == user.id  # a signed-in sender is the item's subject


@pytest.mark.parametrize("app_config", [{"CONTACT_EMAIL": "jimukyoku@example.jp"}], indirect=True)
def test_personal_information_is_pointed_out_before_sending(client, outbox):
    response = client.post_form("/contact", {**MESSAGE, "message": PII})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "送信する前に確認してください" in html and "個人が特定できる情報" in html
    assert "<mark>090-1234-5678</mark>" in html  # highlighted where it was found
    assert "内容を確認しました。このまま事務局に送ります" in html
    assert 'value="yamamoto@example.jp"' in html and "近所の田中花子さん" in html  # kept
    assert _items() == [] and outbox() == []
    response = client.post_form("/contact", {**MESSAGE, "message": PII, "confirm": "y"})
    assert response.status_code == 302
    (item,) = _items()
    assert [r["code"] for r in item.reasons] == ["personal_info"] and item.score == 10
    (mail,) = outbox()
    assert "090-1234-5678" not in mail.get_content()  # read in the queue, not copied to mail
    assert "確認待ちの画面で読んでください" in mail.get_content()


@pytest.mark.parametrize("field,value,message", [
    ("email", "not-an-address", "メールアドレスの形式が正しくありません。"),
    ("email", "", "入力してください。"),
    ("message", "   ", "入力してください。"),
    ("message", "あ" * 5001, "5,000文字以内にしてください。"),
    ("name", "名" * 81, "お名前は80文字以内にしてください。"),
])  # fmt: skip
def test_bad_input_keeps_what_was_typed(client, field, value, message):
    data = {**MESSAGE, field: value}
    response = client.post_form("/contact", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html and "エラー：" in html
    for name, typed in data.items():
        if name != field and name != "category":
            assert typed in html, name
    assert _items() == []


def test_contact_needs_the_csrf_token(client):
    response = client.post("/contact", data=MESSAGE)
    assert response.status_code == 400
    assert MESSAGE["message"] in response.get_data(as_text=True)  # the error page keeps it
    assert _items() == []


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "CONTACT_LIMIT": "2 per hour"}], indirect=True)  # fmt: skip
def test_contact_is_rate_limited_and_keeps_the_text(client):
    for _ in range(2):
        assert client.post_form("/contact", MESSAGE).status_code == 302
    client.post_form("/contact", {**MESSAGE, "email": "bad"})  # a form shown again costs nothing
    response = client.post_form("/contact", {**MESSAGE, "message": "3通目の問い合わせです。"})
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "まだ送信できません" in html and "3通目の問い合わせです。" in html
    assert len(_items()) == 2


def test_moderators_see_the_message_in_the_queue_and_close_it(client, login, moderator,
                                                              user_factory):  # fmt: skip
    client.post_form("/contact", {**MESSAGE, "message": PII, "confirm": "y"})
    (item,) = _items()
    board_mod = user_factory()
    login(moderator)
    html = client.get("/moderation/queue?kind=contact").get_data(as_text=True)
    assert f'id="item-{item.id}"' in html and "お問い合わせ #" in html
    assert "yamamoto@example.jp" in html and "<mark>090-1234-5678</mark>" in html
    assert "対応済みにする" in html
    response = client.post_form(f"/moderation/items/{item.id}/decide",
                                {"action": "resolve", "version": item.version, "reason": "返信済み"})  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ModerationItem, item.id).status == "approved"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "queue.resolve")).one()
    assert (entry.actor_id, entry.target_id) == (moderator.id, item.id)
    assert board_mod  # plain members never see the queue (tests/moderation/test_route_permissions)


def test_site_wide_reviewers_are_notified_of_a_message(client, login, moderator):
    client.post_form("/contact", MESSAGE)
    worker.run_once()
    db.session.expire_all()
    (item,) = _items()
    notes = db.session.scalars(select(Notification).where(Notification.user_id == moderator.id))
    assert [(n.kind, n.last_source_id) for n in notes] == [("queue_item", item.id)]
    login(moderator)
    response = client.get("/notifications")
    assert response.status_code == 200 and "確認待ち" in response.get_data(as_text=True)
