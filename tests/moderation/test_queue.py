import pytest

from audit.models import AuditEntry
from core.extensions import db
from moderation import flags, queue
from moderation.models import Flag, ModerationItem
from tests.fixtures.factories import established


@pytest.fixture
def flagged(app, user_factory, thread_factory, post_of):
    """A reply hidden by three established members' flags, and its queue item."""
    thread = thread_factory(replies=1)
    post = post_of(thread, 2)
    for _ in range(3):
        flags.flag_post(post, user=user_factory(**established()), reason="spam")
    db.session.commit()
    return post, db.session.scalars(db.select(ModerationItem)).one()


@pytest.mark.parametrize(
    "action,status,hidden,deleted,outcome",
    [
        ("agree_hide", "approved", True, False, "agreed"),
        ("agree_delete", "approved", True, True, "agreed"),
        ("disagree", "rejected", False, False, "disagreed"),
        ("ignore", "ignored", False, False, "ignored"),
        ("delete", "deleted", True, True, "agreed"),
    ],
)
def test_queue_flag_decisions(flagged, moderator, action, status, hidden, deleted, outcome):
    post, item = flagged
    queue.decide(
        item, moderator=moderator, action=action, version=item.version, reason="確認しました"
    )
    db.session.commit()
    db.session.expire_all()
    assert (item.status, item.decision, item.version) == (status, action, 2)
    assert post.is_hidden is hidden and post.is_deleted is deleted
    assert {f.outcome for f in db.session.scalars(db.select(Flag))} == {outcome}
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == f"queue.{action}"))


def test_queue_agree_and_suspend_author(flagged, moderator):
    post, item = flagged
    queue.decide(item, moderator=moderator, action="agree_suspend", version=1, reason="スパム")
    db.session.commit()
    db.session.expire_all()
    assert post.author.is_suspended and not post.author.is_active
    assert post.author.sanction_reason == "スパム"


def test_queue_illegal_transitions_are_refused(flagged, moderator):
    post, item = flagged
    with pytest.raises(queue.IllegalAction):
        queue.decide(item, moderator=moderator, action="approve", version=1)
    queue.decide(item, moderator=moderator, action="ignore", version=1)
    db.session.commit()
    with pytest.raises(queue.Conflict):  # decided items never move again
        queue.decide(item, moderator=moderator, action="agree_hide", version=2)


def test_queue_stale_version_is_a_conflict(flagged, moderator, user_factory):
    post, item = flagged
    other = user_factory(role="moderator")
    queue.decide(item, moderator=moderator, action="agree_hide", version=1)
    db.session.commit()
    with pytest.raises(queue.Conflict):
        queue.decide(item, moderator=other, action="disagree", version=1)
    db.session.rollback()
    db.session.expire_all()
    assert item.decision == "agree_hide"


def test_queue_page_and_decision_form(client, login, moderator, flagged):
    post, item = flagged
    login(moderator)
    html = client.get("/moderation/queue").get_data(as_text=True)
    assert f"item-{item.id}" in html and "問題なし（再表示する）" in html
    response = client.post_form(f"/moderation/items/{item.id}/decide",
                                {"action": "disagree", "version": "1", "reason": "問題なし"})  # fmt: skip
    assert response.status_code == 302
    stale = client.post_form(f"/moderation/items/{item.id}/decide",
                             {"action": "agree_hide", "version": "1"})  # fmt: skip
    assert stale.status_code == 303
    db.session.expire_all()
    assert not post.is_hidden and item.status == "rejected"


def test_queue_page_is_for_moderators_only(client, login, user):
    assert client.get("/moderation/queue").status_code == 302
    login(user)
    assert client.get("/moderation/queue").status_code == 403


def test_queue_page_query_budget(client, login, moderator, app, user_factory, thread_factory,
                                 post_of, count_queries):  # fmt: skip
    counts = []
    login(moderator)
    for n in (1, 6):
        for _ in range(n - len(counts) * 1):
            post = post_of(thread_factory(replies=1), 2)
            for _ in range(3):
                flags.flag_post(post, user=user_factory(**established()), reason="spam")
            db.session.commit()
        with count_queries() as log:
            assert client.get("/moderation/queue").status_code == 200
        counts.append(log.count)
    # user, items, posts, boards, authors (+ roles, permissions, board moderations, space
    # memberships), claimers, notes, author histories, the boards of the filter form, the badge
    assert counts[0] == counts[1] <= 13, (counts, str(log))


def test_queue_claim_and_notes(client, login, moderator, flagged):
    post, item = flagged
    login(moderator)
    client.post_form(f"/moderation/items/{item.id}/claim")
    client.post_form(f"/moderation/items/{item.id}/notes", {"body": "投稿者に連絡済み"})
    html = client.get("/moderation/queue").get_data(as_text=True)
    assert f"{moderator.display_name}さんが対応中" in html and "投稿者に連絡済み" in html
    db.session.expire_all()
    assert item.claimed_by_id == moderator.id and item.version == 1  # a claim is not a decision


def test_queue_filters_by_board_reason_and_age(app, moderator, user_factory, thread_factory,
                                               post_of, board):  # fmt: skip
    from datetime import timedelta

    from core.types import utcnow
    from forum.models import Board

    other = db.session.scalar(db.select(Board).where(Board.slug == "chiiki-kotsu"))
    spam = post_of(thread_factory(board=board))
    pii = post_of(thread_factory(board=other))
    flags.flag_post(spam, user=user_factory(), reason="spam")
    flags.flag_post(pii, user=user_factory(), reason="personal_info")
    db.session.commit()
    old = queue.pending_item_for_post(spam)
    old.created_at = utcnow() - timedelta(days=2)
    db.session.commit()

    def ids(**filters):
        return [i.post_id for i in queue.list_queue(**filters)]

    assert sorted(ids()) == sorted([spam.id, pii.id])
    assert ids(board_id=other.id) == [pii.id]
    assert ids(reason="personal_info") == [pii.id]
    assert ids(reason="spam") == [spam.id]
    assert ids(older_than_hours=24) == [spam.id]


def test_queue_shows_flaggers_messages(
    client, login, moderator, user_factory, thread_factory, post_of
):
    post = post_of(thread_factory(replies=1), 2)
    flags.flag_post(post, user=user_factory(display_name="通報 一郎"), reason="other",
                    message="住民の実名が書かれています")  # fmt: skip
    db.session.commit()
    login(moderator)
    html = client.get("/moderation/queue").get_data(as_text=True)
    assert "住民の実名が書かれています" in html and "通報 一郎" in html
