"""The other way round: 「あなたの団体に合いそうな地域課題」 on an organisation's page for its members,
and the weekly digest (a notification setting, off by default) — once per week and member who
chose it, through the notification e-mail machinery."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from core.extensions import db
from core.types import utcnow
from matching import digest, service
from notifications import kinds, mailing
from notifications.models import Notification, NotificationSettings


def _org_page(client, org) -> str:
    response = client.get(f"/directory/{org.slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_organization_page_shows_fitting_problems_to_its_members(client, login, world,
                                                                  user_factory):  # fmt: skip
    org = world["orgs"]["fit"]
    assert "あなたの団体に合いそうな地域課題" not in _org_page(client, org)  # anyone
    outsider = user_factory()
    login(outsider)
    assert "あなたの団体に合いそうな地域課題" not in _org_page(client, org)
    client.post_form("/logout")
    member = user_factory(organization_id=org.id)
    login(member)
    page = _org_page(client, org)
    assert "あなたの団体に合いそうな地域課題" in page
    assert "山間部の買い物と移動販売の担い手を探しています" in page
    assert "理由: 分野: 物流・販売／領域: 買い物、移動（交通）／兵庫県の課題" in page
    assert "運転手（募集終了）" not in page


def test_organization_page_never_shows_a_closed_board_problem_to_an_outsider(
    client, login, world, structured_factory, closed_board, user_factory
):
    org = world["orgs"]["fit"]
    structured_factory("challenge", title="会員限定の買い物の課題", board_slug=closed_board.slug,
                       player_fields=["butsuryu-hanbai"], life_domains=["kaimono"])  # fmt: skip
    member = user_factory(organization_id=org.id)
    login(member)  # a member of the national platform reads the members-only board
    assert "会員限定の買い物の課題" in _org_page(client, org)
    with client.application.test_request_context("/"):
        titles = {s.title for s in service.for_organization(org, viewer=AnonymousUserMixin())}
    assert "会員限定の買い物の課題" not in titles
    assert "山間部の買い物と移動販売の担い手を探しています" in titles


def _opt_in(user, mode: str = kinds.WEEKLY) -> None:
    db.session.add(NotificationSettings(user_id=user.id, email_modes={kinds.MATCHING: mode}))
    db.session.commit()


@pytest.fixture
def members(world, user_factory):
    org = world["orgs"]["fit"]
    weekly, never, default = (user_factory(organization_id=org.id) for _ in range(3))
    _opt_in(weekly)
    _opt_in(never, kinds.NEVER)
    outsider = user_factory(organization_id=None)
    _opt_in(outsider)
    return {"weekly": weekly, "never": never, "default": default, "outsider": outsider}


def _matching(user) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id,
                                   Notification.kind == kinds.MATCHING)
    ))  # fmt: skip


def test_weekly_digest_once_per_week_per_member_who_opted_in(app, members, outbox):
    now = utcnow()
    with app.test_request_context("/"):
        assert digest.queue_weekly(now=now) == 1
        db.session.commit()
        assert digest.queue_weekly(now=now + timedelta(hours=1)) == 0  # the same week: nothing
        db.session.commit()
    assert len(_matching(members["weekly"])) == 1
    assert not _matching(members["never"]) and not _matching(members["default"])
    assert not _matching(members["outsider"])  # no organisation
    notification = _matching(members["weekly"])[0]
    assert notification.email_state == "digest"
    # the weekly digest mail carries it, once
    assert mailing.send_digests(now=now + timedelta(days=7, minutes=1)) == 1
    assert mailing.send_digests(now=now + timedelta(days=7, minutes=2)) == 0
    mails = [m for m in outbox() if m["To"] == members["weekly"].email]
    assert len(mails) == 1
    assert len(outbox()) == 1  # nobody else
    text = mails[0].get_body(("plain",)).get_content()
    assert "あなたの団体に合いそうな新しい地域課題" in text
    assert "/directory/coop-tajima#matching" in text
    # next week: a new problem posted meanwhile makes a new notification
    with app.test_request_context("/"):
        later = now + timedelta(days=7)
        assert digest.queue_weekly(now=later) == 0  # nothing new was posted in the last 7 days


def test_weekly_digest_setting_is_offered(client, login, members):
    login(members["default"])
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "団体に合いそうな新しい地域課題" in page


def test_organization_page_statements_for_a_member_are_flat(client, login, world, user_factory,
                                                           structured_factory, count_queries):  # fmt: skip
    org = world["orgs"]["fit"]
    login(user_factory(organization_id=org.id))
    url = f"/directory/{org.slug}"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for i in range(6):
        structured_factory("challenge", title=f"販売の課題{i}", player_fields=["butsuryu-hanbai"],
                           life_domains=["kaimono"])  # fmt: skip
    with count_queries() as many:
        page = client.get(url).get_data(as_text=True)
    assert "販売の課題5" in page
    assert few.count == many.count, f"{few}\n----\n{many}"
    assert many.count == ORG_PAGE_MEMBER, str(many)


#: the organisation page for one of its members: the organisation, the login, the activity, the
#: unread count; the section's own 3 (the candidate problems, their facts, their tags)
ORG_PAGE_MEMBER = 7
