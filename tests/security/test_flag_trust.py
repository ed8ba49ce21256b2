"""Issue #13, class 9: flags need trust. Three fresh accounts hid an admin's announcement thread;
now a flag weighs what its author's trust is worth (``moderation.trust.flag_weight``) and posts
by staff and official announcements are never hidden by flags alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from auth.models import BoardModerator
from core.extensions import db
from core.types import utcnow
from forum.models import Board, Post
from moderation import flags, queue, trust
from moderation.models import Flag, ModerationItem
from tests.fixtures.factories import established


def first_post(thread) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 1))


def flag_with(post: Post, users, reason: str = "spam") -> None:
    for user in users:
        flags.flag_post(post, user=user, reason=reason)
    db.session.commit()
    db.session.expire_all()


def item_of(post: Post) -> ModerationItem:
    return queue.pending_item_for_post(post)


def test_flag_trust_three_fresh_accounts_cannot_hide_an_admins_thread(
    client, login, user_factory, admin, thread_factory
):
    """The reviewed attack, through the web form: three accounts registered minutes ago."""
    thread = thread_factory(author=admin, title="【お知らせ】メンテナンスのご案内")
    post = first_post(thread)
    for _ in range(3):
        client.post_form("/logout")
        login(user_factory())
        response = client.post_form(f"/p/{post.id}/flag", {"reason": "spam"})
        assert response.status_code == 302
    db.session.expire_all()
    assert not post.is_hidden and not thread.is_hidden
    client.post_form("/logout")
    assert client.get(f"/t/{thread.id}").status_code == 200
    assert thread.title in client.get("/b/zentai").get_data(as_text=True)
    # the flags are not lost: the item waits at the top of the queue
    assert item_of(post).score > 100


def test_flag_trust_established_members_cannot_hide_staff_posts_either(
    user_factory, admin, moderator, thread_factory, board
):
    """Staff posts are never auto-hidden, whoever flags: admins, moderators, board moderators."""
    board_mod = user_factory(**established())
    db.session.add(BoardModerator(user_id=board_mod.id, board_id=board.id))
    db.session.commit()
    normal = first_post(thread_factory(author=user_factory(**established())))
    flag_with(normal, [user_factory(**established()) for _ in range(3)])
    staff_posts = [first_post(thread_factory(author=a)) for a in (admin, moderator, board_mod)]
    for post in staff_posts:
        flag_with(post, [user_factory(**established()) for _ in range(5)])
        assert not post.is_hidden
        assert item_of(post).score > item_of(normal).score  # high priority in the queue
    assert normal.is_hidden  # the same flaggers do hide a normal member's post


def test_flag_trust_three_fresh_accounts_cannot_hide_a_trusted_members_post(
    user_factory, thread_factory
):
    post = first_post(thread_factory(author=user_factory(**established())))
    flag_with(post, [user_factory() for _ in range(3)])
    assert not post.is_hidden
    item = item_of(post)
    assert item is not None and item.status == "pending"  # still reviewed
    weights = db.session.scalars(select(Flag.weight).where(Flag.post_id == post.id)).all()
    assert weights == [0.25, 0.25, 0.25]


def test_flag_trust_three_established_members_hide_a_normal_post(user_factory, thread_factory):
    post = first_post(thread_factory(author=user_factory(**established())))
    flaggers = [user_factory(**established()) for _ in range(3)]
    flag_with(post, flaggers[:2])
    assert not post.is_hidden
    flag_with(post, flaggers[2:])
    assert post.is_hidden


def test_flag_trust_many_fresh_accounts_do_add_up(user_factory, thread_factory):
    """Weights are summed, not ignored: twelve fresh accounts (3 × 0.25 × 4) still hide spam."""
    post = first_post(thread_factory())
    flag_with(post, [user_factory() for _ in range(11)])
    assert not post.is_hidden
    flag_with(post, [user_factory()])
    assert post.is_hidden


def test_flag_trust_account_age_tiers(app, user_factory):
    def weight(days: float) -> float:
        user = user_factory(created_at=utcnow() - timedelta(days=days))
        return trust.flag_weight(user, None)

    assert weight(0) == weight(2.9) == app.config["FLAG_WEIGHT_NEW_ACCOUNT"] == 0.25
    assert weight(3.1) == weight(13) == app.config["FLAG_WEIGHT_YOUNG_ACCOUNT"] == 0.5
    assert weight(15) == weight(400) == 1.0


def test_flag_trust_unconfirmed_email_weighs_less(app, user_factory):
    member = user_factory(**established())
    assert trust.flag_weight(member, None) == 1.0
    member.email_confirmed_at = None  # never confirmed
    assert trust.flag_weight(member, None) == app.config["FLAG_WEIGHT_UNCONFIRMED_EMAIL"]


def test_flag_trust_inaccurate_flaggers_weight_drops(user_factory, thread_factory, moderator):
    """Flaggers whose flags moderators keep rejecting lose their weight; accurate ones gain."""
    careless = [user_factory(**established()) for _ in range(3)]
    accurate = user_factory(**established())
    assert trust.flag_weight(careless[0], None) == 1.0  # new flaggers are neutral
    for _ in range(3):
        post = first_post(thread_factory(author=user_factory(**established())))
        flag_with(post, [*careless, accurate])
        assert post.is_hidden  # 4 × 1.0: hidden, then the moderator disagrees
        item = item_of(post)
        queue.decide(item, moderator=moderator, action="disagree", version=item.version)
        db.session.commit()
    for _ in range(3):
        post = first_post(thread_factory(author=user_factory(**established())))
        flag_with(post, [accurate])
        item = item_of(post)
        queue.decide(item, moderator=moderator, action="agree_hide", version=item.version)
        db.session.commit()
    assert trust.flag_weight(careless[0], None) == pytest.approx(0.1)  # 0 of 3 agreed
    assert trust.flag_weight(accurate, None) == pytest.approx(1.0)  # 3 of 6 agreed: neutral
    post = first_post(thread_factory(author=user_factory(**established())))
    flag_with(post, careless)
    assert not post.is_hidden  # the same three no longer hide a post


def test_flag_trust_ignored_flags_do_not_count_against_accuracy(
    user_factory, thread_factory, moderator
):
    flagger = user_factory(**established())
    for _ in range(3):
        post = first_post(thread_factory())
        flag_with(post, [flagger])
        item = item_of(post)
        queue.decide(item, moderator=moderator, action="ignore", version=item.version)
        db.session.commit()
    assert trust.flag_weight(flagger, None) == 1.0


def test_flag_trust_verified_role_weighs_more_but_not_alone(app, user_factory, thread_factory):
    verified = [user_factory(role="municipal_staff", **established()) for _ in range(2)]
    assert trust.flag_weight(verified[0], None) == app.config["FLAG_WEIGHT_MAX"] == 2.0
    assert trust.flag_weight(verified[0], None) < app.config["FLAG_HIDE_WEIGHT"]
    post = first_post(thread_factory())
    flag_with(post, verified[:1])
    assert not post.is_hidden  # no one but a moderator hides a post alone
    flag_with(post, verified[1:])
    assert post.is_hidden


def test_flag_trust_moderator_flag_hides_at_once(client, login, moderator, thread_factory):
    post = first_post(thread_factory())
    login(moderator)
    client.post_form(f"/p/{post.id}/flag", {"reason": "spam"})
    db.session.expire_all()
    assert post.is_hidden


def test_flag_trust_board_moderator_counts_as_moderator_only_on_their_board(
    app, user_factory, board
):
    board_mod = user_factory()  # fresh, but trusted by the board assignment
    db.session.add(BoardModerator(user_id=board_mod.id, board_id=board.id))
    db.session.commit()
    other = Board(slug="elsewhere", name="別の板")
    db.session.add(other)
    db.session.commit()
    assert trust.flag_weight(board_mod, board) == app.config["FLAG_HIDE_WEIGHT"]
    assert trust.flag_weight(board_mod, other) == 0.25


def test_flag_trust_verified_announcements_are_not_auto_hidden(user_factory, structured_factory):
    event = structured_factory("event", author=user_factory(role="municipal_staff"))
    post = first_post(event)
    flag_with(post, [user_factory(**established()) for _ in range(4)])
    assert not post.is_hidden and item_of(post).score > 100


@pytest.mark.parametrize("app_config", [{"FLAG_HIDE_WEIGHT": 1.0}], indirect=True)
def test_flag_trust_threshold_is_a_setting(user_factory, thread_factory):
    post = first_post(thread_factory())
    flag_with(post, [user_factory(**established())])
    assert post.is_hidden
