"""``GET /api/v1/organizations``: the directory as JSON."""

from __future__ import annotations

import pytest

from tests.api.helpers import api_error

KEYS = {"slug", "name", "kind", "player_field", "prefecture", "description", "website", "url"}


def _get(client, **args) -> dict:
    response = client.get("/api/v1/organizations", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def test_organizations_api_shape_and_website_only_when_published(client, org_factory):
    org_factory("NPO法人 ささえあい西宮", slug="sasaeai", kind="npo", field="jumin-katsudo",
                prefecture_code="28", description="<b>居場所</b>づくり",
                website_url="https://sasaeai.example.jp/", publish_website=True)  # fmt: skip
    org_factory("非公開サイトの団体", slug="quiet", field=None, prefecture_code=None,
                website_url="https://quiet.example.jp/", publish_website=False)  # fmt: skip
    org_factory("非掲載の団体", is_listed=False)
    body = _get(client)
    assert set(body) == {"organizations", "next_cursor"} and body["next_cursor"] is None
    by_slug = {o["slug"]: o for o in body["organizations"]}
    assert set(by_slug) == {"sasaeai", "quiet"}
    assert all(set(o) == KEYS for o in body["organizations"])
    assert by_slug["sasaeai"] == {
        "slug": "sasaeai", "name": "NPO法人 ささえあい西宮", "kind": "npo",
        "player_field": "jumin-katsudo", "prefecture": "28", "description": "<b>居場所</b>づくり",
        "website": "https://sasaeai.example.jp/", "url": "http://localhost/directory/sasaeai",
    }  # fmt: skip
    assert by_slug["quiet"]["website"] is None
    assert (by_slug["quiet"]["player_field"], by_slug["quiet"]["prefecture"]) == (None, None)
    assert "quiet.example.jp" not in client.get("/api/v1/organizations").get_data(as_text=True)


def test_organizations_api_filters_combine(client, org_factory):
    org_factory("交通の会社", slug="a", kind="company", field="chiiki-kotsu")
    org_factory("交通のNPO", slug="b", kind="npo", field="chiiki-kotsu")
    org_factory("福祉のNPO", slug="c", kind="npo", field="iryo-kaigo-fukushi")

    def slugs(**args):
        return sorted(o["slug"] for o in _get(client, **args)["organizations"])

    assert slugs(field="chiiki-kotsu") == ["a", "b"]
    assert slugs(kind="npo") == ["b", "c"]
    assert slugs(field="chiiki-kotsu", kind="npo") == ["b"]
    assert slugs(kind="ministry") == []


def test_organizations_api_paginates_with_a_cursor(client, org_factory):
    for name in ("え", "あ", "う", "い", "お"):
        org_factory(name + "団体", kind="npo")
    org_factory("か会社", kind="company")
    seen, cursor = [], None
    while True:
        body = _get(client, kind="npo", limit=2, **({"cursor": cursor} if cursor else {}))
        assert len(body["organizations"]) <= 2
        seen += [o["name"] for o in body["organizations"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ["あ団体", "い団体", "う団体", "え団体", "お団体"]


@pytest.mark.parametrize(
    ("args", "code", "field"),
    [({"kind": "government"}, "invalid_filter", "kind"),
     ({"field": "nope"}, "invalid_filter", "field"),
     ({"cursor": "%%%"}, "bad_cursor", None),
     ({"cursor": "WyJhIiwgLTFd"}, "bad_cursor", None)],  # ["a", -1]
)  # fmt: skip
def test_organizations_api_bad_filters_are_json_400(client, args, code, field):
    error = api_error(client.get("/api/v1/organizations", query_string=args), 400, code)
    if field:
        assert set(error["fields"]) == {field}


def test_organizations_api_is_read_only(client):
    response = client.post("/api/v1/organizations", json={"name": "x"})
    api_error(response, 405)


def test_organizations_api_query_count_is_independent_of_size(client, org_factory, count_queries):
    org_factory()
    with count_queries() as few:
        assert len(_get(client)["organizations"]) == 1
    for i in range(15):
        org_factory(field=("chiiki-kotsu", None)[i % 2])
    with count_queries() as many:
        assert len(_get(client, field="chiiki-kotsu")["organizations"]) == 8
    assert few.count == 1 and many.count == 2, str(many)  # + looking up the field's slug
