import pytest

from core.extensions import db
from forum.models import Board, Post, Thread
from moderation import queue
from moderation.models import HeldPost, ModerationItem, WatchedWord


def _items():
    return db.session.scalars(db.select(ModerationItem)).all()


@pytest.mark.parametrize("app_config", [{"MODERATION_HOLD_FIRST_POSTS": 2}], indirect=True)
def test_holds_first_posts_of_a_new_member_then_publish_intact(client, login, user_factory,
                                                                moderator, thread):  # fmt: skip
    newcomer = user_factory()
    login(newcomer)
    body = "はじめまして。**移動支援**について教えてください。"
    response = client.post_form(f"/t/{thread.id}/reply", {"body": body}, follow_redirects=True)
    assert "モデレーターの確認後に公開されます" in response.get_data(as_text=True)
    db.session.expire_all()
    assert thread.last_number == 1  # nothing published yet, no number used
    (item,) = _items()
    assert item.kind == "held_post" and item.reasons[0]["code"] == "first_posts"
    client.post_form("/logout")
    login(moderator)
    client.post_form(f"/moderation/items/{item.id}/decide", {"action": "approve", "version": "1"})
    db.session.expire_all()
    post = db.session.scalars(db.select(Post).where(Post.number == 2)).one()
    assert post.body_source == body and post.author_id == newcomer.id
    assert item.held_post.published_post_id == post.id


@pytest.mark.parametrize("app_config", [{"MODERATION_HOLD_FIRST_POSTS": 1}], indirect=True)
def test_holds_new_thread_in_premoderated_board_and_reject(client, login, user, moderator, thread):
    board = db.session.scalar(db.select(Board).where(Board.slug == "komarigoto"))
    board.is_premoderated = True
    db.session.commit()
    login(user)  # ``user`` already has a post (the ``thread``), so only the board holds it
    client.post_form("/b/komarigoto/new", {"title": "相談したいこと", "body": "本文です"})
    (item,) = _items()
    assert [r["code"] for r in item.reasons] == ["premoderated_board"]
    assert db.session.scalar(db.select(Thread).where(Thread.title == "相談したいこと")) is None
    queue.decide(item, moderator=moderator, action="reject", version=1, reason="内容が重複")
    db.session.commit()
    assert db.session.scalar(db.select(Thread).where(Thread.title == "相談したいこと")) is None
    assert db.session.scalars(db.select(HeldPost)).one().body_source == "本文です"


def test_holds_moderators_post_in_premoderated_board_directly(client, login, moderator):
    board = db.session.scalar(db.select(Board).where(Board.slug == "komarigoto"))
    board.is_premoderated = True
    db.session.commit()
    login(moderator)
    client.post_form("/b/komarigoto/new", {"title": "お知らせです", "body": "本文"})
    assert db.session.scalar(db.select(Thread).where(Thread.title == "お知らせです")) is not None
    assert _items() == []


def test_holds_watched_words_block_and_require_approval(client, login, user, thread):
    db.session.add_all([WatchedWord(word="カジノ", action="block"),
                        WatchedWord(word="ＵＲＬ短縮", action="require_approval")])  # fmt: skip
    db.session.commit()
    login(user)
    refused = client.post_form(f"/t/{thread.id}/reply", {"body": "オンラインｶｼﾞﾉはこちら"})
    html = refused.get_data(as_text=True)
    assert (
        refused.status_code == 422
        and "禁止語「カジノ」" in html
        and "オンラインｶｼﾞﾉはこちら" in html
    )
    client.post_form(f"/t/{thread.id}/reply", {"body": "url短縮サービスの話"})
    assert [r["code"] for r in _items()[0].reasons] == ["watched_word"]


def test_holds_duplicate_post_is_refused(client, login, user, thread):
    login(user)
    assert client.post_form(f"/t/{thread.id}/reply", {"body": "同じ内容"}).status_code == 302
    again = client.post_form(f"/t/{thread.id}/reply", {"body": "同じ内容"})
    assert again.status_code == 422 and "同じ内容をすでに投稿しています" in again.get_data(
        as_text=True
    )


def test_holds_new_accounts_limited_in_links(client, login, user, thread):
    login(user)
    body = "https://a.example/ https://b.example/ https://c.example/"
    response = client.post_form(f"/t/{thread.id}/reply", {"body": body})
    assert response.status_code == 422 and "リンクを書けません" in response.get_data(as_text=True)


def test_holds_personal_info_warns_then_holds_with_highlights(
    client, login, user, moderator, thread
):
    login(user)
    body = "田中花子さん（82歳）は認知症で、電話は090-1234-5678です。"
    first = client.post_form(f"/t/{thread.id}/reply", {"body": body})
    html = first.get_data(as_text=True)
    assert first.status_code == 422
    assert "個人が特定できる情報" in html and "<mark>090-1234-5678</mark>" in html
    assert body in html  # the text is kept in the textarea
    assert _items() == []
    held = client.post_form(f"/t/{thread.id}/reply", {"body": body, "confirm": "y"})
    assert held.status_code == 302
    (item,) = _items()
    assert item.reasons[0]["code"] == "personal_info"
    client.post_form("/logout")
    login(moderator)
    queue_html = client.get("/moderation/queue").get_data(as_text=True)
    assert "<mark>090-1234-5678</mark>" in queue_html


def test_holds_edit_with_personal_info_is_held_until_approved(client, login, user, moderator,
                                                              thread_factory, post_of):  # fmt: skip
    thread = thread_factory(author=user)
    post = post_of(thread)
    login(user)
    body = "連絡先は〒013-0001 横手市駅前町3丁目5番12号です"
    client.post_form(f"/p/{post.id}/edit", {"title": thread.title, "body": body, "confirm": "y"})
    db.session.expire_all()
    assert post.body_source != body  # the published text is unchanged while held
    (item,) = _items()
    queue.decide(item, moderator=moderator, action="approve", version=1)
    db.session.commit()
    db.session.expire_all()
    assert post.body_source == body


def test_holds_author_edit_of_hidden_post_requests_re_review(client, login, user, moderator,
                                                             thread_factory, post_of):  # fmt: skip
    from moderation import actions

    thread = thread_factory(author=user, replies=1)
    post = post_of(thread, 2)
    actions.hide_post(post, actor=moderator, reason="表現が不適切")
    db.session.commit()
    login(user)
    client.post_form(f"/p/{post.id}/edit", {"body": "表現を直しました"})
    (item,) = _items()
    assert item.reasons[0]["code"] == "re_review"
    db.session.expire_all()
    assert post.is_hidden and post.body_source == "返信その1"
    queue.decide(item, moderator=moderator, action="approve", version=1)
    db.session.commit()
    db.session.expire_all()
    assert not post.is_hidden and post.body_source == "表現を直しました"


@pytest.mark.parametrize(
    "app_config", [{"PII_GUARD_EXEMPT_ROLES": "municipal_staff"}], indirect=True
)
def test_holds_verified_government_staff_can_be_exempt_from_the_guard(
    client, login, user_factory, thread
):
    official = user_factory(role="municipal_staff")
    login(official)
    body = "窓口の担当は山田様（85歳）で、要介護3の方の相談を受けています。"
    assert client.post_form(f"/t/{thread.id}/reply", {"body": body}).status_code == 302
    assert _items() == []
