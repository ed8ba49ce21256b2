import re

import pytest

from auth.accounts import get_role
from core.extensions import db
from moderation.models import ModerationItem, RoleRequest

LINK = re.compile(r"http://localhost(/verify/\S+)")


def _apply(client, role_slug, work_email):
    role = get_role(role_slug)
    return client.post_form("/settings/verification", {
        "role_id": str(role.id), "organisation": "横手市 健康福祉部", "prefecture_code": "05",
        "municipality": "横手市", "work_email": work_email})  # fmt: skip


def test_verification_trusted_domain_grants_role_after_email_confirmation(
    client, login, outbox, user
):
    login(user)
    assert _apply(client, "municipal_staff", "Sato@City.Yokote.LG.JP").status_code == 302
    (mail,) = outbox()
    assert mail["To"] == "sato@city.yokote.lg.jp"
    db.session.expire_all()
    assert user.role.slug == "member"  # nothing before the e-mail is confirmed
    client.post_form(LINK.search(mail.get_content()).group(1))
    db.session.expire_all()
    assert user.role.slug == "municipal_staff" and user.affiliation == "横手市 健康福祉部"
    html = client.get(f"/u/{user.handle}").get_data(as_text=True)
    assert "認証済み：市町村職員" in html


def test_verification_other_domain_goes_to_the_queue(client, login, outbox, user, moderator):
    login(user)
    _apply(client, "org_staff", "info@npo-sasaeai.example.org")
    client.post_form(LINK.search(outbox()[-1].get_content()).group(1))
    item = db.session.scalars(db.select(ModerationItem)).one()
    assert item.kind == "role_request"
    db.session.expire_all()
    assert user.role.slug == "member"
    client.post_form("/logout")
    login(moderator)
    assert "info@npo-sasaeai.example.org" in client.get("/moderation/queue").get_data(as_text=True)
    client.post_form(f"/moderation/items/{item.id}/decide", {"action": "approve", "version": "1"})
    db.session.expire_all()
    assert user.role.slug == "org_staff"


def test_verification_lg_jp_is_not_trusted_for_ministry_staff(app, user):
    from moderation import verification

    assert verification.domain_is_trusted("a@city.example.lg.jp", "municipal_staff")
    assert not verification.domain_is_trusted("a@city.example.lg.jp", "ministry_staff")
    assert verification.domain_is_trusted("a@mhlw.go.jp", "ministry_staff")
    assert not verification.domain_is_trusted("a@evil-lg.jp", "municipal_staff")


@pytest.mark.parametrize("tamper", [lambda t: t + "x", lambda t: t[:-5]])
def test_verification_tampered_link_is_refused(client, login, outbox, user, tamper):
    login(user)
    _apply(client, "municipal_staff", "sato@city.yokote.lg.jp")
    path = LINK.search(outbox()[-1].get_content()).group(1)
    response = client.get(tamper(path))
    assert response.status_code == 302 and "/settings/verification" in response.headers["Location"]
    db.session.expire_all()
    assert user.role.slug == "member"
    assert db.session.scalars(db.select(RoleRequest)).one().status == "email_pending"


def test_verification_badge_shows_on_posts(client, user_factory, thread_factory):
    official = user_factory(role="municipal_staff", display_name="岡山 市職員")
    thread = thread_factory(author=official)
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    # the role's plain name, never an abbreviation (「SC」 was jargon: issue #14)
    assert '✓ </span><span class="visually-hidden">認証済み：</span>市町村職員' in html
    coordinator = user_factory(role="coordinator", display_name="山田 SC")
    html = client.get(f"/t/{thread_factory(author=coordinator).id}").get_data(as_text=True)
    assert "認証済み：</span>生活支援コーディネーター" in html


@pytest.mark.parametrize("app_config", [{"REGISTRATION_REQUIRES_APPROVAL": True}], indirect=True)
def test_verification_new_accounts_wait_for_approval(
    client, login, register, moderator, thread
):
    from auth.accounts import find_user_by_handle

    data = {"display_name": "新人 花子", "handle": "newbie", "email": "newbie@example.jp",
            "password": "a-long-password", "password_confirm": "a-long-password"}  # fmt: skip
    register(data)
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "事務局の承認後に投稿できます" in html
    assert client.post_form(f"/t/{thread.id}/reply", {"body": "書けない"}).status_code == 403
    newbie = find_user_by_handle("newbie")
    item = db.session.scalars(
        db.select(ModerationItem).where(ModerationItem.subject_user_id == newbie.id)
    ).one()
    assert item.kind == "account"
    client.post_form("/logout")
    login(moderator)
    assert "アカウントを承認する" in client.get("/moderation/queue").get_data(as_text=True)
    client.post_form(f"/moderation/items/{item.id}/decide", {"action": "approve", "version": "1"})
    db.session.expire_all()
    assert not find_user_by_handle("newbie").is_silenced


def test_verification_my_moderation_page_shows_outcomes(client, login, user_factory, moderator,
                                                       thread_factory, post_of):  # fmt: skip
    from moderation import flags, queue

    reporter = user_factory()
    post = post_of(thread_factory(replies=1), 2)
    flags.flag_post(post, user=reporter, reason="spam")
    db.session.commit()
    item = queue.pending_item_for_post(post)
    queue.decide(
        item, moderator=moderator, action="disagree", version=1, reason="宣伝ではありません"
    )
    db.session.commit()
    login(reporter)
    html = client.get("/settings/moderation").get_data(as_text=True)
    assert "スパム" in html and "問題なしと判断されました" in html
