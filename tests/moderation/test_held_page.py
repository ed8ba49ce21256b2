"""Held for review, seen by its author (issue #14 item 3): verified roles are not held as new
members (other screening still applies); a held new thread lands on a 「確認待ち」 page showing
what was sent and the expected review time (MODERATION_EXPECTED_REVIEW_HOURS); the settings list
its status; the API answers with the same page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from auth.accounts import create_api_token
from core.extensions import db
from forum.models import Thread
from moderation import queue
from moderation.models import HeldPost, ModerationItem, WatchedWord
from tests.fixtures.structured import valid_fields
from tests.structured.helpers import form_data

HOLD_FIRST = [{"MODERATION_HOLD_FIRST_POSTS": 2}]


def _items():
    return db.session.scalars(select(ModerationItem)).all()


@pytest.mark.parametrize("app_config", HOLD_FIRST, indirect=True)
def test_a_verified_roles_first_event_is_published_at_once(client, login, user_factory):
    login(user_factory(role="org_staff"))
    fields = valid_fields("event")
    response = client.post_form("/b/events/new/event", form_data("event", fields, title="講演会"))
    assert response.status_code == 302 and "/t/" in response.headers["Location"]
    assert db.session.scalar(select(Thread).where(Thread.title == "講演会")) is not None
    assert _items() == []


@pytest.mark.parametrize("app_config", HOLD_FIRST, indirect=True)
def test_a_verified_role_is_still_screened_for_watched_words(client, login, user_factory):
    db.session.add(WatchedWord(word="臨時募集", action="require_approval"))
    db.session.commit()
    login(user_factory(role="org_staff"))
    fields = valid_fields("event")
    client.post_form("/b/events/new/event", form_data("event", fields, body="臨時募集のお知らせ"))
    (item,) = _items()
    assert [r["code"] for r in item.reasons] == ["watched_word"]


@pytest.mark.parametrize("app_config", HOLD_FIRST, indirect=True)
def test_a_verified_role_is_still_asked_about_personal_information(client, login, user_factory):
    login(user_factory(role="org_staff"))
    fields = valid_fields("event")
    response = client.post_form(
        "/b/events/new/event",
        form_data("event", fields, body="申込は担当の携帯 090-1234-5678 まで"),
    )
    assert response.status_code == 422  # shown the match first
    assert "個人が特定できる情報（電話番号）" in response.get_data(as_text=True)
    assert db.session.scalar(select(Thread.id)) is None
    data = form_data("event", fields, body="申込は担当の携帯 090-1234-5678 まで")
    client.post_form("/b/events/new/event", {**data, "confirm": "y"})  # sent anyway: held
    (item,) = _items()
    assert [r["code"] for r in item.reasons] == ["personal_info"]


@pytest.mark.parametrize("app_config", HOLD_FIRST, indirect=True)
def test_a_new_members_first_thread_is_held_and_lands_on_the_waiting_page(
    client, login, user_factory
):
    author = login(user_factory())
    fields = valid_fields("challenge", area="豊岡市北部の集落")
    response = client.post_form(
        "/b/chiiki-kadai/new/challenge", form_data("challenge", fields, title="買い物の足がない")
    )
    held = db.session.scalars(select(HeldPost)).one()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/settings/moderation/held/{held.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "確認待ち" in page and "通常24時間以内に確認します" in page
    assert "買い物の足がない" in page and "豊岡市北部の集落" in page  # what was sent
    assert "地域課題・連携募集" in page and "兵庫県" in page
    assert "はじめての投稿は、モデレーターが確認してから公開します。" in page  # why
    assert "モデレーターの確認後に公開されます" in page  # the flash, as before
    # their settings list it with its status and a link to the page
    mine = client.get("/settings/moderation").get_data(as_text=True)
    assert "確認待ちの投稿が1件あります。通常24時間以内に確認します。" in mine
    assert f'href="/settings/moderation/held/{held.id}"' in mine
    assert "地域課題・連携募集" in mine
    # nobody else sees it
    client.post_form("/logout")
    login(user_factory())
    assert client.get(f"/settings/moderation/held/{held.id}").status_code == 404
    assert author.id == held.author_id


@pytest.mark.parametrize("app_config", HOLD_FIRST, indirect=True)
def test_a_plain_topic_held_lands_on_the_waiting_page_too(client, login, user_factory):
    login(user_factory())
    response = client.post_form("/b/zentai/new", {"title": "はじめまして", "body": "よろしく"})
    assert re.fullmatch(r"/settings/moderation/held/\d+", response.headers["Location"])


@pytest.mark.parametrize(
    "app_config", [{"MODERATION_HOLD_FIRST_POSTS": 2, "MODERATION_EXPECTED_REVIEW_HOURS": 48}],
    indirect=True,
)  # fmt: skip
def test_the_review_time_is_a_setting_and_the_page_follows_the_decision(
    client, login, user_factory, moderator
):
    login(user_factory())
    response = client.post_form("/b/zentai/new", {"title": "相談です", "body": "本文"})
    url = response.headers["Location"]
    assert "通常48時間以内に確認します" in client.get(url).get_data(as_text=True)
    (item,) = _items()
    queue.decide(item, moderator=moderator, action="approve", version=item.version)
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "公開されました" in page and "公開された投稿を見る" in page
    assert "通常48時間以内" not in page


@pytest.mark.parametrize("app_config", HOLD_FIRST, indirect=True)
def test_the_api_names_the_same_waiting_page(client, user_factory):
    token = create_api_token(user_factory())
    db.session.commit()
    response = client.post(
        "/api/v1/boards/chiiki-kadai/threads", headers={"Authorization": f"Bearer {token}"},
        json={"title": "APIで相談", "body": "本文です。", "type": "challenge",
              "fields": valid_fields("challenge")},
    )  # fmt: skip
    body = response.get_json()
    held = db.session.scalars(select(HeldPost)).one()
    assert response.status_code == 202 and body["status"] == "pending_review"
    assert body["pending_url"] == f"http://localhost/settings/moderation/held/{held.id}"
    assert body["expected_review_hours"] == 24


@pytest.mark.parametrize("app_config", HOLD_FIRST, indirect=True)
def test_a_held_questions_page_shows_its_tags(client, login, user_factory):
    login(user_factory())
    response = client.post_form("/b/zentai/new", {
        "title": "山間部の買い物支援", "body": "移動販売の始め方を教えてください。",
        "prefecture": "20", "life_domains": ["kaimono", "ido"],
    })  # fmt: skip
    held = db.session.scalars(select(HeldPost)).one()
    assert response.headers["Location"] == f"/settings/moderation/held/{held.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "山間部の買い物支援" in page and "長野県" in page
    assert re.search(r"<dt>生活支援の領域</dt><dd>[^<]*買い物", page)
