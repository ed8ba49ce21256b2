"""Moderation outcomes, verification decisions and new queue items reach the right people."""

from __future__ import annotations

from sqlalchemy import select

from auth.models import BoardModerator
from core.extensions import db
from forum import posting, publishing
from forum.models import Board, Post
from moderation import flags, queue, verification
from moderation.models import ModerationItem
from tests.fixtures.factories import established


def _held_reply(board, thread, author, body="確認をお願いします"):
    board.is_premoderated = True
    db.session.commit()
    outcome = publishing.submit(publishing.Draft(author=author, board=board, thread=thread,
                                                 body=body))  # fmt: skip
    assert outcome.status == "held"
    db.session.commit()
    return outcome.held


def test_moderation_held_post_tells_author_and_the_boards_moderators(
    board, thread_factory, user_factory, moderator, process, notes
):
    other_board = db.session.scalar(select(Board).where(Board.id != board.id))
    board_mod, other_mod, author = user_factory(), user_factory(), user_factory()
    db.session.add_all([BoardModerator(user_id=board_mod.id, board_id=board.id),
                        BoardModerator(user_id=other_mod.id, board_id=other_board.id)])  # fmt: skip
    db.session.commit()
    thread = thread_factory()
    process()
    item = _held_reply(board, thread, author)
    process()
    assert [(n.kind, n.data["action"]) for n in notes(author)] == [("moderation", "held")]
    assert [n.kind for n in notes(moderator)] == ["queue_item"]  # a global reviewer
    assert [n.kind for n in notes(board_mod)] == ["queue_item"]
    assert notes(other_mod) == []  # moderates another board
    # a second item collapses into the same queue notification
    _held_reply(board, thread, user_factory(), "もう一件")
    process()
    assert [(n.kind, n.count) for n in notes(moderator)] == [("queue_item", 2)]
    queue.decide(item, moderator=moderator, action="approve", version=item.version)
    db.session.commit()
    process()
    approved = [n for n in notes(author) if n.data.get("action") == "approved"]
    assert len(approved) == 1 and approved[0].post_id == item.held_post.published_post_id


def test_moderation_flag_outcome_tells_author_and_flaggers(thread_factory, user_factory,
                                                          moderator, process, notes):  # fmt: skip
    author = user_factory()
    thread = thread_factory(author=author, replies=1)
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 2))
    flagger = user_factory()
    flags.flag_post(post, user=flagger, reason="spam")
    db.session.commit()
    process()
    item = db.session.scalar(select(ModerationItem).where(ModerationItem.post_id == post.id))
    queue.decide(item, moderator=moderator, action="agree_hide", version=item.version)
    db.session.commit()
    process()
    assert [(n.kind, n.data["action"]) for n in notes(author)] == [("moderation", "hidden")]
    assert [(n.kind, n.data["action"]) for n in notes(flagger)] == [("moderation", "flag_agreed")]


def test_moderation_restored_post_tells_author(thread_factory, user_factory, moderator, process,
                                               notes, app):  # fmt: skip
    app.config["FLAG_HIDE_WEIGHT"] = 1.0  # one established member's flag hides
    author = user_factory()
    thread = thread_factory(author=author, replies=1)
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 2))
    flags.flag_post(post, user=user_factory(**established()), reason="spam")  # hides it at once
    db.session.commit()
    process()
    assert [n.data["action"] for n in notes(author)] == ["hidden"]
    item = db.session.scalar(select(ModerationItem).where(ModerationItem.post_id == post.id))
    queue.decide(item, moderator=moderator, action="disagree", version=item.version)
    db.session.commit()
    process()
    assert [n.data["action"] for n in notes(author)] == ["hidden", "restored"]


def test_moderation_verification_decided(user_factory, moderator, process, notes):
    member = user_factory()
    role = verification.requestable_roles()[0]
    request = verification.request_role(
        member, role=role, organisation="兵庫県社会福祉協議会", prefecture_code="28",
        municipality="神戸市", work_email="staff@example.org",
    )  # fmt: skip
    verification.grant_role(request, actor=moderator)
    db.session.commit()
    process()
    assert [(n.kind, n.data["outcome"]) for n in notes(member)] == [("verification", "approved")]


def test_moderation_deleted_post_is_not_notified(thread_factory, user_factory, process, notes):
    target = user_factory(handle="gone_t")
    thread = thread_factory()
    post = posting.create_reply(thread=thread, author=user_factory(), body="@gone_t どうですか")
    db.session.commit()
    posting.delete_post(post=post, actor=post.author)
    db.session.commit()
    process()  # both jobs at once: the mention is never shown
    assert notes(target) == []


def _approve_as(slug: str, user_factory, moderator):
    from auth.models import Role

    member = user_factory()
    role = db.session.scalar(select(Role).where(Role.slug == slug))
    request = verification.request_role(
        member, role=role, organisation="豊岡市", prefecture_code="28", municipality="豊岡市",
        work_email=f"{member.handle}@example.org",
    )  # fmt: skip
    verification.grant_role(request, actor=moderator)
    db.session.commit()
    return member


def test_verification_approved_says_what_is_now_unlocked(user_factory, moderator, process,
                                                         notes, app):  # fmt: skip
    from notifications.presenting import present

    org = _approve_as("org_staff", user_factory, moderator)
    municipal = _approve_as("municipal_staff", user_factory, moderator)
    process()
    with app.test_request_context():
        (shown,) = present(notes(org))
        assert shown.text == (
            "「団体担当者」として認証されました。取組事例、イベントを登録できるようになりました。"
        )
        assert shown.url == "/cases"  # where the member may now post
        (shown,) = present(notes(municipal))
        assert "取組事例、イベント、施策・予算を登録できるようになりました。" in shown.text
    assert notes(org)[0].data["unlocked"] == ["case", "event"]


def test_a_held_post_notice_links_its_waiting_page(board, thread_factory, user_factory,
                                                   process, notes, app):  # fmt: skip
    from notifications.presenting import present

    author = user_factory()
    thread = thread_factory()
    item = _held_reply(board, thread, author)
    process()
    with app.test_request_context():
        (shown,) = present(notes(author))
    assert shown.url == f"/settings/moderation/held/{item.held_post_id}"
