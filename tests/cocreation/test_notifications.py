"""Co-creation notifications through the notifications worker: a new offer tells the author
side, an answer tells the offerer (a declined one kindly), a status change tells the problem's
watchers and the offerers — never someone who may not read the problem."""

from __future__ import annotations

from sqlalchemy import select

from cocreation import service
from cocreation.models import Offer
from core.extensions import db
from notifications import kinds, presenting, watching, worker
from notifications.models import Notification
from tests.cocreation.conftest import MESSAGE


def _process():
    db.session.commit()
    worker.run_once()
    db.session.expire_all()


def _notes(user) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id,
                                   Notification.kind == kinds.COCREATION).order_by(Notification.id)
    ))  # fmt: skip


def _texts(app, user) -> list[str]:
    with app.test_request_context():
        return [s.text for s in presenting.present(_notes(user))]


def _offer(world, user=None, message=MESSAGE) -> Offer:
    outcome = service.make_offer(actor=user or world.offerer, thread=world.problem, message=message)
    assert outcome.saved, outcome
    _process()
    return db.session.get(Offer, outcome.offer.id)


def _answer(world, offer, action, actor=None):
    outcome = service.answer_offer(actor=actor or world.author, offer=offer, action=action)
    assert outcome.saved, outcome
    _process()


def test_notifications_a_new_offer_tells_the_author_side(app, world):
    offer = _offer(world)
    for member in (world.author, world.colleague):
        texts = _texts(app, member)
        assert texts == [
            f"{offer.organization.name}から「{world.problem.title}」への連携の申し出が届きました。"
        ]
    assert _notes(world.offerer) == [] and _notes(world.other_offerer) == []


def test_notifications_answers_tell_the_offerer_and_decline_kindly(app, world):
    offer = _offer(world)
    other = _offer(world, world.other_offerer, "見守りの研修をお手伝いできます。")
    _answer(world, offer, "accept")
    _answer(world, other, "decline")
    assert any("話し合いを始めたい" in t for t in _texts(app, world.offerer))
    declined = [t for t in _texts(app, world.other_offerer) if "ご縁" in t]
    assert declined and "心から感謝" in declined[0]
    _answer(world, offer, "partner")
    assert any("連携が成立しました" in t for t in _texts(app, world.offerer))


def test_notifications_status_changes_reach_watchers_and_offerers(app, world, user_factory,
                                                                  moderator):  # fmt: skip
    watcher, bystander = user_factory(), user_factory()
    watching.set_level(watcher, "thread", str(world.problem.id), "watching")
    db.session.commit()
    offer = _offer(world)
    _answer(world, offer, "accept")  # open → negotiating, automatically
    expected = f"地域課題「{world.problem.title}」の状況が「調整中」になりました。"
    assert expected in _texts(app, watcher)
    assert expected in _texts(app, world.offerer)
    assert _notes(bystander) == []
    service.set_status(actor=moderator, thread=world.problem, status="closed")
    _process()
    assert f"地域課題「{world.problem.title}」の状況が「終了」になりました。" in _texts(
        app, watcher
    )


def test_notifications_nobody_who_cannot_read_the_problem_hears(app, world, user_factory):
    watcher = user_factory()
    watching.set_level(watcher, "thread", str(world.problem.id), "watching")
    db.session.commit()
    board = world.problem.board
    board.audience, board.audience_roles = "roles", "municipal_staff"
    db.session.commit()
    service.set_status(actor=world.author, thread=world.problem, status="closed")
    _process()
    assert _notes(watcher) == []
