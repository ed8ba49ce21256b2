"""Hostile input on うまれる's write paths (offers, answers, conversations), through the API that
anyone may script: 20 KB of brackets, a zero-width character hiding a watched word, a hostile Host
header, a stale answer, an account one minute old. A clear Japanese refusal, never a 500."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from cocreation.models import Offer
from conversations.models import Conversation
from core.extensions import db
from core.types import utcnow
from moderation.models import WatchedWord
from tests.cocreation.conftest import MESSAGE

BRACKETS = "[" * 10_000 + "]" * 10_000


def _offer(client, bearer, user, problem, message):
    return client.post(f"/api/v1/challenges/{problem.id}/offers", headers=bearer(user),
                       json={"message": message})  # fmt: skip


def test_attack_brackets_are_refused_quickly_and_in_japanese(client, bearer, world):
    started = time.process_time()
    response = _offer(client, bearer, world.offerer, world.problem, BRACKETS)
    assert response.status_code in (400, 422), response.status_code
    assert "文字" in response.get_json()["error"]["message"]
    response = client.post("/api/v1/conversations", headers=bearer(world.offerer),
                           json={"participants": [world.author.handle], "body": BRACKETS})  # fmt: skip
    assert response.status_code in (400, 422), response.status_code
    assert time.process_time() - started < 2.0
    assert db.session.scalar(select(Offer.id)) is None


def test_attack_zero_width_does_not_hide_a_blocked_word(client, bearer, world):
    db.session.add(WatchedWord(word="詐欺商法", action="block"))
    db.session.commit()
    hidden = MESSAGE + " 詐\u200b欺\u200d商法"
    response = _offer(client, bearer, world.offerer, world.problem, hidden)
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert db.session.scalar(select(Offer.id)) is None


def test_attack_hostile_host_header_never_reaches_a_link(client, bearer, world):
    response = client.post(f"/api/v1/challenges/{world.problem.id}/offers",
                           headers={**bearer(world.offerer), "Host": "evil.example"},
                           json={"message": MESSAGE})  # fmt: skip
    assert response.status_code in (201, 400), response.status_code  # refused or ignored
    listed = client.get("/api/v1/conversations", headers={**bearer(world.offerer),
                                                           "Host": "evil.example"})  # fmt: skip
    assert "evil.example" not in listed.get_data(as_text=True)


def test_attack_a_stale_answer_is_refused(client, bearer, world):
    offer_id = _offer(client, bearer, world.offerer, world.problem, MESSAGE).get_json()["id"]
    headers = bearer(world.author)
    assert client.post(f"/api/v1/offers/{offer_id}/decline", headers=headers).status_code == 200
    late = client.post(f"/api/v1/offers/{offer_id}/partner", headers=headers)
    assert late.status_code == 409, late.status_code  # already declined: not made a partner
    assert db.session.get(Offer, offer_id).status == "declined"


def test_attack_an_account_one_minute_old_cannot_write_to_a_stranger(client, bearer, world,
                                                                      user_factory):  # fmt: skip
    minute = utcnow() - timedelta(minutes=1)
    newcomer = user_factory(created_at=minute, email_confirmed_at=minute)
    response = client.post("/api/v1/conversations", headers=bearer(newcomer),
                           json={"participants": [world.author.handle],
                                 "body": "はじめまして。ご相談があります。"})  # fmt: skip
    assert response.status_code == 403, response.status_code
    assert "登録して間もない" in response.get_json()["error"]["message"]
    offer = _offer(client, bearer, newcomer, world.problem, MESSAGE)
    assert offer.status_code == 403  # no verified organisation
    assert db.session.scalar(select(Conversation.id)) is None
