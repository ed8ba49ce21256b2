"""The OpenAPI 3.1 contract: valid, complete both ways, enums read from the code, served as JSON
and as a Japanese reference page. (Every API response of the test suite is checked against it by
the autouse ``api_contract`` fixture, tests/fixtures/api.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from werkzeug.test import TestResponse

from auth.permissions import KIND_PERMISSIONS
from core import openapi
from moderation.models import ITEM_STATES
from moderation.queue import ACTIONS
from notifications.models import TAG_LEVELS, TARGET_KINDS
from tests.support.contract import ContractBroken, check_response, document_for


@pytest.fixture
def doc(app) -> dict:
    return document_for(app)


def _operation(doc: dict, path: str, method: str) -> dict:
    return doc["paths"][path][method]


def test_openapi_document_validates(doc):
    validate(doc)
    assert doc["openapi"] == "3.1.0"


def test_openapi_covers_every_api_route_and_method(app, doc):
    assert openapi.undeclared(app, doc) == []
    routes = {
        (openapi.openapi_path(rule)[0], method.lower())
        for rule in openapi.api_rules(app)
        for method in openapi.rule_methods(rule)
    }
    documented = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert documented == routes
    assert ("/api/v1/moderation/items/{item_id}/decision", "post") in documented
    assert len(routes) >= 30


def test_openapi_operations_each_have_a_summary_a_success_and_unique_ids(doc):
    ids = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            ids.append(op["operationId"])
            assert op["summary"], (method, path)
            assert any(s.startswith("2") for s in op["responses"]), (method, path)
            if method != "get":
                assert {"400", "401", "413"} <= set(op["responses"]), (method, path)
            for name in re.findall(r"{(\w+)}", path):
                assert any(p["in"] == "path" and p["name"] == name for p in op["parameters"])
    assert len(ids) == len(set(ids))


def test_openapi_enums_come_from_the_code(doc):
    decide = _operation(doc, "/api/v1/moderation/items/{item_id}/decision", "post")
    body = decide["requestBody"]["content"]["application/json"]["schema"]
    actions = {a for per_kind in ACTIONS.values() for a in per_kind}
    assert set(body["properties"]["action"]["enum"]) == actions
    assert "agree_hide" in decide["description"] and "disagree" in decide["description"]
    start = _operation(doc, "/api/v1/boards/{slug}/threads", "post")
    start_body = start["requestBody"]["content"]["application/json"]["schema"]
    assert start_body["properties"]["type"]["enum"] == list(KIND_PERMISSIONS)
    schemas = doc["components"]["schemas"]
    assert schemas["ModerationItem"]["properties"]["status"]["enum"] == list(ITEM_STATES)
    assert schemas["Watch"]["properties"]["level"]["enum"] == list(TAG_LEVELS)
    assert schemas["Watch"]["properties"]["target_kind"]["enum"] == list(TARGET_KINDS)
    assert "EventFieldsInput" in schemas and "start_at" in schemas["EventFieldsInput"]["required"]


def test_openapi_error_responses_list_their_codes(doc):
    create = _operation(doc, "/api/v1/threads/{thread_id}/posts", "post")
    error = create["responses"]["422"]["content"]["application/json"]["schema"]
    codes = error["properties"]["error"]["properties"]["code"]["enum"]
    assert set(codes) == {"validation", "needs_confirmation", "refused"}
    assert "concerns" in error["properties"]["error"]["properties"]
    edit = _operation(doc, "/api/v1/posts/{post_id}", "patch")
    conflict = edit["responses"]["409"]["content"]["application/json"]["schema"]
    assert conflict["properties"]["error"]["properties"]["current"] == {
        "$ref": "#/components/schemas/Post"
    }


def test_openapi_json_is_served(client, doc):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == doc


def test_openapi_docs_page_lists_every_operation_in_japanese(client, doc):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="ja">' in html
    assert "<h1>APIリファレンス</h1>" in html
    for item in doc["paths"].values():
        for op in item.values():
            assert f'id="{op["operationId"]}"' in html
    assert '<th scope="col">必須</th>' in html and '<th scope="row">' in html
    assert "agree_hide" in html and "illegal_action" in html
    assert "<script" not in html.split("</header>", 1)[1]  # no renderer, nothing from a CDN
    assert not re.search(r'(src|href)="https?://', html)


def test_openapi_docs_page_follows_the_language(client):
    client.post_form("/lang", {"lang": "en", "next": "/"})
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert "<h1>API reference</h1>" in html


def _response(client, path: str, status: int, body: bytes, method: str = "GET"):
    """A made-up answer to a real request (whose own answer passed the check)."""
    real = client.open(path, method=method)
    return TestResponse(body, status, {"Content-Type": "application/json"}, request=real.request)


def test_openapi_check_refuses_an_undeclared_status(app, client):
    response = _response(client, "/api/v1/boards", 418, b'{"boards": []}')
    with pytest.raises(ContractBroken, match="status not in the contract"):
        check_response(app, response)


def test_openapi_check_refuses_a_drifted_body(app, client):
    response = _response(client, "/api/v1/boards", 200, b'{"boards": [{"slug": 1}]}')
    with pytest.raises(ContractBroken, match="does not match"):
        check_response(app, response)
    extra = _response(client, "/api/v1/boards", 200, b'{"boards": [], "extra": true}')
    with pytest.raises(ContractBroken, match="Additional properties"):
        check_response(app, extra)


def test_openapi_check_refuses_an_error_code_the_operation_does_not_declare(app, client):
    body = b'{"error": {"code": "teapot", "message": "x"}}'
    response = _response(client, "/api/v1/boards/nope/threads", 404, body)
    with pytest.raises(ContractBroken, match="is not one of"):
        check_response(app, response)


def test_openapi_check_wants_the_concerns_of_a_confirmation_and_no_stray_keys(app, client, thread):
    path = f"/api/v1/threads/{thread.id}/posts"
    bare = b'{"error": {"code": "needs_confirmation", "message": "x"}}'
    with pytest.raises(ContractBroken, match="'concerns' is a required property"):
        check_response(app, _response(client, path, 422, bare, "POST"))
    stray = b'{"error": {"code": "validation", "message": "x", "concerns": []}}'
    with pytest.raises(ContractBroken, match="should not be valid"):
        check_response(app, _response(client, path, 422, stray, "POST"))


def test_openapi_error_codes_each_exist_in_the_code(doc):
    """The reverse drift: a documented error code that no view can answer any more."""
    root = Path(__file__).resolve().parents[2]
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in root.glob("*/**/*.py")
        if p.parts[len(root.parts)] not in {"tests", "bench", "migrations", ".venv"}
        and not p.name.endswith("api_schema.py")
        and p.name != "openapi.py"
    )
    codes = set()
    for item in doc["paths"].values():
        for op in item.values():
            for response in op["responses"].values():
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                error = schema.get("properties", {}).get("error")
                if error:
                    codes |= set(error["properties"]["code"]["enum"])
    assert {"illegal_action", "needs_confirmation", "rate_limited"} <= codes
    assert sorted(c for c in codes if f'"{c}"' not in source) == []
