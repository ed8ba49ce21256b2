"""Who may post what, visible everywhere (issue #14 item 3): the page behind 「…を登録」 for those
who may not post yet, the API's same answer, the warning before a plain topic on a board whose
default kind is structured, and the verification request linked from settings and from the
registration-complete page."""

from __future__ import annotations

from sqlalchemy import select

from auth import posting_rights
from auth.accounts import create_api_token
from core.extensions import db
from forum.models import Board, Thread
from tests.fixtures.app import CONFIRM_LINK_RE
from tests.fixtures.structured import valid_fields
from tests.structured.helpers import form_data

EVENT_WARNING = (
    "イベントを告知するには、イベント登録フォームを使ってください。"
    "ここで作るスレッドはイベント一覧やカレンダーに載りません。"
)


def test_a_member_is_told_which_roles_may_post_and_where_to_request(client, login, user):
    login(user)
    response = client.get("/b/events/new/event")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "イベントを登録するには" in page
    for role in ("団体担当者", "市町村職員", "生活支援コーディネーター"):
        assert role in page
    assert "この操作を行う権限がありません" not in page
    assert 'href="/settings/verification"' in page and "認証を申請する" in page
    # policies: only government roles are named
    policy = client.get("/b/seisaku/new/policy").get_data(as_text=True)
    assert "市町村職員" in policy and "団体担当者" not in policy


def test_posting_the_form_while_not_allowed_shows_the_same_page_and_saves_nothing(
    client, login, user
):
    login(user)
    response = client.post_form("/b/events/new/event",
                                form_data("event", valid_fields("event")))  # fmt: skip
    assert response.status_code == 403 and "イベントを登録するには" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Thread.id)) is None


def test_an_unconfirmed_member_is_sent_to_confirm_the_address(client, login, user_factory):
    login(user_factory(email_confirmed=False))
    page = client.get("/b/chiiki-kadai/new/challenge").get_data(as_text=True)
    assert "確認メールを再送する" in page and 'href="/settings/security"' in page


def test_signed_out_a_challenge_needs_only_an_account(client):
    page = client.get("/b/chiiki-kadai/new/challenge").get_data(as_text=True)
    assert "ログインした会員ならだれでも登録できます" in page


def test_the_api_refusal_names_the_roles(client, user_factory):
    token = create_api_token(user_factory())
    db.session.commit()
    response = client.post("/api/v1/boards/events/threads", headers={"Authorization": f"Bearer {token}"},
                           json={"title": "イベント", "body": "本文", "type": "event",
                                 "fields": valid_fields("event")})  # fmt: skip
    error = response.get_json()["error"]
    assert response.status_code == 403 and error["code"] == "forbidden"
    assert "団体担当者" in error["message"] and "認証を申請" in error["message"]


def test_posting_path_reasons(app, user_factory):
    board = db.session.scalar(select(Board).where(Board.slug == "events"))
    assert posting_rights.posting_path(None, "event", board).reason == posting_rights.SIGNED_OUT
    member = user_factory()
    path = posting_rights.posting_path(member, "event", board)
    assert path.reason == posting_rights.NEEDS_ROLE
    assert {r.slug for r in path.roles} == {"org_staff", "municipal_staff", "prefectural_staff",
                                            "ministry_staff", "coordinator"}  # fmt: skip
    assert posting_rights.posting_path(user_factory(role="org_staff"), "event", board).allowed
    assert posting_rights.kinds_of_role(user_factory(role="org_staff").role) == ["case", "event"]
    assert posting_rights.kinds_of_role(user_factory(role="municipal_staff").role) == [
        "case", "event", "policy"]  # fmt: skip


def test_a_plain_topic_on_the_events_board_warns_and_links_the_event_form(
    client, login, user_factory
):
    login(user_factory())  # may not post events: the board's button opens the plain form
    page = client.get("/b/events/new").get_data(as_text=True)
    assert EVENT_WARNING in page and 'href="/b/events/new/event"' in page
    client.post_form("/logout")
    login(user_factory(role="org_staff"))  # may: asks for a plain topic explicitly
    page = client.get("/b/events/new?type=discussion").get_data(as_text=True)
    assert EVENT_WARNING in page
    cases = client.get("/b/jirei/new?type=discussion").get_data(as_text=True)
    assert "ここで作るスレッドは取組事例の一覧に載りません" in cases


def test_no_warning_on_a_discussion_board(client, login, user):
    login(user)
    page = client.get("/b/zentai/new").get_data(as_text=True)
    assert "の登録フォームを使ってください" not in page


def test_settings_link_the_verification_request(client, login, user_factory):
    login(user_factory())
    page = client.get("/settings/profile").get_data(as_text=True)
    assert 'href="/settings/verification"' in page
    assert "団体担当者：取組事例、イベント" in page
    assert 'href="/settings/moderation"' in page  # the items waiting for review
    client.post_form("/logout")
    login(user_factory(role="org_staff"))
    page = client.get("/settings/profile").get_data(as_text=True)
    assert "現在の認証：団体担当者" in page


def test_registration_completes_on_a_page_linking_the_verification(client, outbox):
    data = {"email": "npo@example.jp", "handle": "npo_staff", "display_name": "NPO担当",
            "password": "a-long-password", "password_confirm": "a-long-password"}  # fmt: skip
    assert client.post_form("/register", data).status_code == 302
    mail = [m for m in outbox() if m["To"] == "npo@example.jp"][-1]
    token = CONFIRM_LINK_RE.search(mail.get_content()).group(1)
    confirmed = client.post_form(f"/confirm-email/{token}")
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"].replace("%2F", "/") == "/login?next=/welcome"
    response = client.post_form("/login?next=/welcome",
                                {"email": data["email"], "password": data["password"]})  # fmt: skip
    assert response.headers["Location"] == "/welcome"
    page = client.get("/welcome").get_data(as_text=True)
    assert "登録が完了しました" in page
    assert 'href="/settings/verification"' in page and 'href="/settings/profile"' in page


def test_the_events_board_points_to_who_may_announce(client, login, user_factory):
    page = client.get("/b/events").get_data(as_text=True)
    assert 'href="/b/events/new/event">イベントを登録するには' in page
    login(user_factory(role="org_staff"))
    page = client.get("/b/events").get_data(as_text=True)
    assert "イベントを登録するには" not in page and "イベントを登録</a>" in page
