"""``GET /api/v1/challenges/<id>/suggestions``: the shape of the OpenAPI document (every response
is checked against it by tests.fixtures.api), reasons, and 404 for what the caller may not read."""

from __future__ import annotations

from core.extensions import db


def test_api_suggestions_follow_the_contract(client, world):
    response = client.get(f"/api/v1/challenges/{world['problem'].id}/suggestions")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"organizations", "cases", "challenges"}
    first = body["organizations"][0]
    assert first["name"] == "生協たじま" and first["id"] == world["orgs"]["fit"].id
    assert first["reasons"] == ["分野: 物流・販売", "領域: 買い物、移動（交通）", "兵庫県で活動"]
    assert [c["id"] for c in body["cases"]] == [world["case"].id]
    assert [c["id"] for c in body["challenges"]] == [world["other"].id]
    assert all(item["reasons"] for key in body for item in body[key])


def test_api_suggestions_404_when_unreadable(client, world, structured_factory, closed_board,
                                             login, user_factory, bearer):  # fmt: skip
    hidden = structured_factory("challenge", title="会員限定の課題", board_slug=closed_board.slug)
    url = f"/api/v1/challenges/{hidden.id}/suggestions"
    response = client.get(url)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert client.get(url, headers=bearer(user_factory())).status_code == 200  # a member reads it
    # not a local problem, no such thread, a deleted one
    assert client.get(f"/api/v1/challenges/{world['case'].id}/suggestions").status_code == 404
    assert client.get("/api/v1/challenges/999999/suggestions").status_code == 404
    world["other"].is_deleted = True
    db.session.commit()
    assert client.get(f"/api/v1/challenges/{world['other'].id}/suggestions").status_code == 404


def test_api_suggestions_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/challenges/{thread_id}/suggestions"]["get"]
    assert "404" in operation["responses"]
    assert "SuggestedOrganization" in document["components"]["schemas"]
