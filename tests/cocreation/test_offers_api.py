"""The offers API: ``POST/GET /api/v1/challenges/<id>/offers``, ``POST /api/v1/offers/<id>/
accept|decline|partner|withdraw``, ``POST /api/v1/challenges/<id>/status``. Every response is
checked against the OpenAPI document (the autouse contract fixture)."""

from __future__ import annotations

from sqlalchemy import select

from cocreation.models import Offer
from core.extensions import db
from structured.models import ThreadDetail
from tests.cocreation.conftest import MESSAGE
from tests.structured.helpers import assert_japanese


def _offer(client, bearer, user, problem, message=MESSAGE, **extra):
    return client.post(f"/api/v1/challenges/{problem.id}/offers", headers=bearer(user),
                       json={"message": message, **extra})  # fmt: skip


def test_offers_api_create_201_and_the_author_side_lists(client, bearer, world):
    response = _offer(client, bearer, world.offerer, world.problem)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "open" and body["challenge_id"] == world.problem.id
    assert "<p>" in body["message_html"]
    listed = client.get(f"/api/v1/challenges/{world.problem.id}/offers",
                        headers=bearer(world.author)).get_json()  # fmt: skip
    assert listed["count"] == 1 and [o["id"] for o in listed["offers"]] == [body["id"]]
    colleague = client.get(f"/api/v1/challenges/{world.problem.id}/offers",
                           headers=bearer(world.colleague)).get_json()  # fmt: skip
    assert len(colleague["offers"]) == 1


def test_offers_api_others_see_only_a_count(client, bearer, world):
    _offer(client, bearer, world.offerer, world.problem)
    for headers in ({}, bearer(world.other_offerer), bearer(world.offerer)):
        body = client.get(f"/api/v1/challenges/{world.problem.id}/offers",
                          headers=headers).get_json()  # fmt: skip
        assert body["count"] == 1 and "offers" not in body


def test_offers_api_permissions(client, bearer, world, user_factory):
    response = _offer(client, bearer, user_factory(), world.problem)
    assert response.status_code == 403
    assert_japanese(response.get_json()["error"]["message"])
    response = _offer(client, bearer, world.author, world.problem)  # the author side itself
    assert response.status_code == 403
    response = client.post(
        f"/api/v1/challenges/{world.problem.id}/offers", json={"message": MESSAGE}
    )
    assert response.status_code == 401
    assert _offer(client, bearer, world.offerer, world.problem).status_code == 201
    again = _offer(client, bearer, world.offerer, world.problem)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"


def test_offers_api_validation_errors_are_japanese(client, bearer, world):
    for payload in ({"message": "短い"}, {"message": 3}, {}, {"message": "x" * 2001}):
        response = client.post(f"/api/v1/challenges/{world.problem.id}/offers",
                               headers=bearer(world.offerer), json=payload)  # fmt: skip
        assert response.status_code == 422, payload
        error = response.get_json()["error"]
        assert error["code"] == "validation" and "message" in error["fields"]
        assert_japanese(error["message"])
    response = client.post(f"/api/v1/challenges/{world.problem.id}/offers",
                           headers=bearer(world.offerer), data="[]",
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 400


def test_offers_api_personal_information_asks_for_confirmation(client, bearer, world):
    text = "担当の山田の携帯は090-1234-5678です。お気軽にどうぞ。"
    response = _offer(client, bearer, world.offerer, world.problem, text)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "needs_confirmation" and error["concerns"][0]["code"] == "personal_info"
    assert (
        _offer(client, bearer, world.offerer, world.problem, text, confirm=True).status_code == 201
    )


def test_offers_api_closed_board_is_404(client, bearer, world):
    board = world.problem.board
    board.audience, board.audience_roles = "roles", "municipal_staff"
    db.session.commit()
    assert _offer(client, bearer, world.offerer, world.problem).status_code == 404
    response = client.get(f"/api/v1/challenges/{world.problem.id}/offers",
                          headers=bearer(world.offerer))  # fmt: skip
    assert response.status_code == 404
    assert client.get(f"/api/v1/challenges/{world.problem.id}/offers").status_code == 404
    # the author (municipal staff) still reads it
    response = client.get(f"/api/v1/challenges/{world.problem.id}/offers",
                          headers=bearer(world.author))  # fmt: skip
    assert response.status_code == 200


def test_offers_api_not_a_challenge_is_404(client, bearer, structured_factory, world):
    case = structured_factory("case")
    assert client.get(f"/api/v1/challenges/{case.id}/offers").status_code == 404
    assert client.get("/api/v1/challenges/999999/offers").status_code == 404


def test_offers_api_flow_accept_decline_partner(client, bearer, world):
    first = _offer(client, bearer, world.offerer, world.problem).get_json()
    second = _offer(client, bearer, world.other_offerer, world.problem,
                    "見守りの研修をお手伝いできます。").get_json()  # fmt: skip
    author = bearer(world.author)
    # only the author side answers; the other offerer gets 404 on a stranger's offer
    assert client.post(f"/api/v1/offers/{first['id']}/accept",
                       headers=bearer(world.other_offerer)).status_code == 404  # fmt: skip
    assert client.post(f"/api/v1/offers/{second['id']}/accept",
                       headers=bearer(world.other_offerer)).status_code == 403  # fmt: skip
    response = client.post(f"/api/v1/offers/{first['id']}/accept", headers=author)
    assert response.status_code == 200 and response.get_json()["status"] == "accepted"
    assert db.session.get(ThreadDetail, world.problem.id).status == "negotiating"
    again = client.post(f"/api/v1/offers/{first['id']}/accept", headers=author)
    assert again.status_code == 409
    assert_japanese(again.get_json()["error"]["message"])
    response = client.post(f"/api/v1/offers/{second['id']}/decline", headers=author,
                           json={"reason": "今回は地域の事業者と進めます"})  # fmt: skip
    assert response.get_json()["status"] == "declined"
    response = client.post(f"/api/v1/offers/{first['id']}/partner", headers=author)
    assert response.get_json()["status"] == "partnered"
    db.session.expire_all()
    assert db.session.get(ThreadDetail, world.problem.id).status == "partnered"
    body = client.get(f"/api/v1/challenges/{world.problem.id}/offers").get_json()
    assert body["partners"] == [first["organization"]["name"]] and body["count"] == 1
    assert client.post("/api/v1/offers/999999/accept", headers=author).status_code == 404


def test_offers_api_withdraw_by_the_offerer(client, bearer, world):
    offer = _offer(client, bearer, world.offerer, world.problem).get_json()
    assert client.post(f"/api/v1/offers/{offer['id']}/withdraw",
                       headers=bearer(world.author)).status_code == 403  # fmt: skip
    response = client.post(f"/api/v1/offers/{offer['id']}/withdraw", headers=bearer(world.offerer))
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"
    assert db.session.scalar(select(Offer.status)) == "withdrawn"


def test_offers_api_status_by_hand(client, bearer, world, user_factory, moderator):
    url = f"/api/v1/challenges/{world.problem.id}/status"
    assert (
        client.post(url, headers=bearer(user_factory()), json={"status": "closed"}).status_code
        == 403
    )
    response = client.post(url, headers=bearer(world.author), json={"status": "finished"})
    assert response.status_code == 422 and response.get_json()["error"]["fields"]["status"]
    response = client.post(url, headers=bearer(moderator), json={"status": "closed"})
    assert response.status_code == 200 and response.get_json() == {
        "id": world.problem.id,
        "status": "closed",
    }
