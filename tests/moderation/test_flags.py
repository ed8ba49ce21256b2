import pytest

from core.extensions import db
from moderation import flags
from moderation.models import Flag, ModerationItem
from tests.fixtures.factories import established


def test_flags_three_established_members_hide_a_post(client, login, user_factory,
                                                     thread_factory, post_of):  # fmt: skip
    thread = thread_factory(replies=1)
    post = post_of(thread, 2)
    for i in range(3):
        client.post_form("/logout")
        login(user_factory(**established()))
        response = client.post_form(f"/p/{post.id}/flag", {"reason": "inappropriate"})
        assert response.status_code == 302
        db.session.expire_all()
        assert post.is_hidden is (i == 2)
    item = db.session.scalars(db.select(ModerationItem)).one()
    assert (item.kind, item.status, item.score, item.reasons) == (
        "flagged_post", "pending", 3, ["inappropriate"])  # fmt: skip
    client.post_form("/logout")
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "モデレーターの確認まで非表示" in html and "返信その1" not in html


def test_flags_hiding_the_first_post_hides_the_thread(client, login, user_factory, thread, post_of):
    post = post_of(thread)
    for _ in range(3):
        client.post_form("/logout")
        login(user_factory(**established()))
        client.post_form(f"/p/{post.id}/flag", {"reason": "spam"})
    client.post_form("/logout")
    assert thread.title not in client.get("/b/zentai").get_data(as_text=True)
    assert client.get(f"/t/{thread.id}").status_code == 404
    login(thread.author)
    assert client.get(f"/t/{thread.id}").status_code == 200


def test_flags_author_still_sees_hidden_post(client, login, moderator, thread, post_of):
    post = post_of(thread)
    login(moderator)
    client.post_form(f"/p/{post.id}/flag", {"reason": "spam"})  # a moderator's flag hides at once
    db.session.expire_all()
    assert post.is_hidden
    client.post_form("/logout")
    login(thread.author)
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "巡回ルート" in html and "投稿者とモデレーターにだけ表示" in html
    assert "理由: スパム" in html and "もう一度確認を受けられます" in html


def test_flags_refusals(app, user_factory, thread, post_of):
    post = post_of(thread)
    member = user_factory()
    with pytest.raises(flags.FlagRefused, match="自分の投稿"):
        flags.flag_post(post, user=thread.author, reason="spam")
    with pytest.raises(flags.FlagRefused, match="その他"):
        flags.flag_post(post, user=member, reason="other", message="  ")
    with pytest.raises(flags.FlagRefused):
        flags.flag_post(post, user=member, reason="nonsense")
    flags.flag_post(post, user=member, reason="off_topic")
    db.session.commit()
    with pytest.raises(flags.FlagRefused, match="すでに通報済み"):
        flags.flag_post(post, user=member, reason="spam")


@pytest.mark.parametrize("app_config", [{"MODERATION_FLAGS_PER_DAY": 2}], indirect=True)
def test_flags_daily_cap(app, user_factory, thread_factory, post_of):
    member = user_factory()
    posts = [post_of(thread_factory()) for _ in range(3)]
    for post in posts[:2]:
        flags.flag_post(post, user=member, reason="spam")
    with pytest.raises(flags.FlagRefused, match="上限"):
        flags.flag_post(posts[2], user=member, reason="spam")


def test_flags_form_errors_are_japanese(client, login, user, thread_factory, post_of):
    post = post_of(thread_factory())
    login(user)
    response = client.post_form(f"/p/{post.id}/flag", {"reason": "other", "message": ""})
    assert response.status_code == 422
    assert "「その他」の場合は内容を書いてください。" in response.get_data(as_text=True)
    assert client.post_form(f"/p/{post.id}/flag", {}).status_code == 422
    assert db.session.scalar(db.select(db.func.count(Flag.id))) == 0


def test_flags_need_login_and_not_own_post(client, login, thread, post_of):
    post = post_of(thread)
    assert client.get(f"/p/{post.id}/flag").status_code == 302
    login(thread.author)
    assert client.get(f"/p/{post.id}/flag").status_code == 403
