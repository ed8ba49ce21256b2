"""Offers on the web: who may offer (a verified organisation role), who reads them (the author
side), what others see (a count), closed boards (404), the screening like posts, and the flow
offer → accept → partner with the problem's status following."""

from __future__ import annotations

import re

from sqlalchemy import select

from audit.models import AuditEntry
from cocreation.models import Offer
from core.extensions import db
from structured.models import ThreadDetail
from tests.cocreation.conftest import MESSAGE
from tests.fixtures.structured import valid_fields
from tests.structured.helpers import form_data


def _offer(client, login, user, problem, message=MESSAGE, **extra):
    login(user)
    return client.post_form(f"/t/{problem.id}/offer", {"message": message, **extra})


def _status(problem) -> str:
    db.session.expire_all()
    return db.session.get(ThreadDetail, problem.id).status


def test_offers_need_a_verified_organisation_role(client, login, world, user_factory, org_factory):
    page = client.get(f"/t/{world.problem.id}").get_data(as_text=True)
    assert "連携の申し出 0件" in page and "連携を申し出る" not in page  # visitors: count only
    plain = user_factory()  # a member without a verified role
    response = _offer(client, login, plain, world.problem)
    assert response.status_code == 403
    assert "認証済みの団体・自治体の担当者" in response.get_data(as_text=True)
    unattached = user_factory(role="org_staff")  # verified, but no organisation in the directory
    client.post_form("/logout")
    assert _offer(client, login, unattached, world.problem).status_code == 403
    assert db.session.scalar(select(Offer)) is None


def test_offers_a_verified_member_offers_once_per_organisation(client, login, world,
                                                               offerer_factory):  # fmt: skip
    page = (login(world.offerer), client.get(f"/t/{world.problem.id}"))[1].get_data(as_text=True)
    assert "連携を申し出る" in page
    response = client.post_form(f"/t/{world.problem.id}/offer", {"message": MESSAGE})
    assert response.status_code == 302
    offer = db.session.scalar(select(Offer))
    assert offer.organization_id == world.offerer.organization_id and offer.status == "open"
    assert "<p>移動販売車" in offer.message_html
    client.post_form("/logout")
    same_org = offerer_factory(db.session.get(type(offer.organization), offer.organization_id))
    response = _offer(client, login, same_org, world.problem, "もう一度、同じ団体から申し出ます。")
    assert response.status_code == 409
    assert "すでに申し出ています" in response.get_data(as_text=True)
    assert "もう一度、同じ団体から申し出ます。" in response.get_data(as_text=True)  # text kept


def test_offers_only_the_author_side_reads_them(client, login, world):
    _offer(client, login, world.offerer, world.problem)
    client.post_form("/logout")
    for reader in (world.author, world.colleague):
        login(reader)
        page = client.get(f"/t/{world.problem.id}").get_data(as_text=True)
        assert "連携の申し出 1件" in page and "燃料費のご相談" in page
        assert "話し合いを始める" in page
        client.post_form("/logout")
    login(world.other_offerer)
    page = client.get(f"/t/{world.problem.id}").get_data(as_text=True)
    assert "連携の申し出 1件" in page and "燃料費のご相談" not in page
    client.post_form("/logout")
    page = client.get(f"/t/{world.problem.id}").get_data(as_text=True)
    assert "連携の申し出 1件" in page and "燃料費のご相談" not in page


def test_offers_on_a_closed_board_are_404(client, login, world):
    board = world.problem.board
    board.audience, board.audience_roles = "roles", "municipal_staff"
    db.session.commit()
    response = _offer(client, login, world.offerer, world.problem)
    assert response.status_code == 404
    assert client.get(f"/t/{world.problem.id}/offer").status_code == 404
    assert db.session.scalar(select(Offer)) is None


def test_offers_are_screened_like_posts(client, login, world):
    response = _offer(client, login, world.offerer, world.problem,
                      "ご相談ください。担当の山田の携帯は090-1234-5678です。")  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "個人が特定できる情報" in page and "090-1234-5678" in page  # the text is kept
    assert db.session.scalar(select(Offer)) is None
    response = client.post_form(
        f"/t/{world.problem.id}/offer",
        {"message": "ご相談ください。担当の山田の携帯は090-1234-5678です。", "confirm": "y"},
    )
    assert response.status_code == 302


def test_offers_script_is_sanitised(client, login, world):
    _offer(
        client,
        login,
        world.offerer,
        world.problem,
        "<script>alert(1)</script>[リンク](javascript:alert(1)) できることがあります。",
    )
    offer = db.session.scalar(select(Offer))
    assert "<script" not in offer.message_html and "javascript:" not in offer.message_html


def test_offers_message_length_is_bounded(client, login, world):
    response = _offer(client, login, world.offerer, world.problem, "短い")
    assert response.status_code == 422
    assert "10文字以上2000文字以内" in response.get_data(as_text=True)
    response = client.post_form(f"/t/{world.problem.id}/offer", {"message": "長" * 2001})
    assert response.status_code == 422


def _answer(client, offer_id: int, action: str):
    return client.post_form(f"/offers/{offer_id}/{action}")


def test_offers_flow_accept_partner_and_status_follows(client, login, world):
    _offer(client, login, world.offerer, world.problem)
    client.post_form("/logout")
    _offer(client, login, world.other_offerer, world.problem, "見守りの研修をお手伝いできます。")
    client.post_form("/logout")
    first, second = db.session.scalars(select(Offer).order_by(Offer.id)).all()
    # the offerer cannot answer their own offer; a stranger cannot see it
    login(world.other_offerer)
    assert _answer(client, first.id, "accept").status_code == 404
    assert _answer(client, second.id, "accept").status_code == 403
    client.post_form("/logout")
    login(world.author)
    assert _answer(client, first.id, "accept").status_code == 302
    assert _status(world.problem) == "negotiating"
    assert _answer(client, second.id, "decline").status_code == 302
    assert _answer(client, first.id, "partner").status_code == 302
    assert _status(world.problem) == "partnered"
    page = client.get(f"/t/{world.problem.id}").get_data(as_text=True)
    assert "連携先" in page and first.organization.name in page
    assert "この取組を事例として公開する" in page
    listing = client.get("/challenges").get_data(as_text=True)
    assert re.search(
        r'class="partners">連携先：<a href="/directory/[^"]+">' + first.organization.name, listing
    )
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["offer.accept", "challenge.status", "offer.decline", "offer.partner",
                       "challenge.status"]  # fmt: skip
    # a partnered problem takes no new offers
    client.post_form("/logout")
    late = _offer(
        client,
        login,
        world.other_offerer,
        world.problem,
        "改めて申し出ます。よろしくお願いします。",
    )
    assert late.status_code == 409


def test_offers_the_offerer_withdraws(client, login, world):
    _offer(client, login, world.offerer, world.problem)
    offer = db.session.scalar(select(Offer))
    assert "申し出を取り下げる" in client.get(f"/t/{world.problem.id}").get_data(as_text=True)
    assert _answer(client, offer.id, "withdraw").status_code == 302
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).status == "withdrawn"
    # withdrawn: the organisation may offer again
    assert _offer(client, login, world.offerer, world.problem).status_code == 302


def test_offers_status_by_hand_author_and_moderators_only(client, login, world, moderator,
                                                          user_factory):  # fmt: skip
    login(user_factory())
    response = client.post_form(f"/t/{world.problem.id}/challenge-status", {"status": "closed"})
    assert response.status_code == 403
    client.post_form("/logout")
    login(moderator)
    response = client.post_form(f"/t/{world.problem.id}/challenge-status",
                                {"status": "closed", "reason": "募集期間の終了"})  # fmt: skip
    assert response.status_code == 302 and _status(world.problem) == "closed"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "challenge.status"))
    assert entry.actor_id == moderator.id and entry.reason == "募集期間の終了"
    assert entry.before == {"status": "open"} and entry.after == {"status": "closed"}
    client.post_form("/logout")
    login(world.author)
    client.post_form(f"/t/{world.problem.id}/challenge-status", {"status": "open"})
    assert _status(world.problem) == "open"


def test_offers_status_changed_in_the_edit_form_goes_through_the_same_path(client, login, world):
    """The structured edit form's 状況 is the same change: audited and announced."""
    login(world.author)
    page = client.get(f"/t/{world.problem.id}/edit-details").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page) or re.search(
        r'name="version" value="(\d+)"', page
    )
    data = form_data("challenge", valid_fields("challenge", status="closed"),
                     title=world.problem.title)  # fmt: skip
    if version:
        data["version"] = version.group(1)
    response = client.post_form(f"/t/{world.problem.id}/edit-details", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert _status(world.problem) == "closed"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "challenge.status"))
    assert entry is not None and entry.after == {"status": "closed"}
