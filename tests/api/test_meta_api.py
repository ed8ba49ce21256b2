"""Health check and taxonomies: public JSON, no credentials."""


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json()["database"] == "ok"


def test_taxonomies_lists_every_code(client):
    response = client.get("/api/v1/taxonomies")
    assert response.status_code == 200
    data = response.get_json()
    assert len(data["prefectures"]) == 47
    assert len(data["regions"]) == 8
    assert len(data["player_fields"]) == 13
    assert len(data["life_domains"]) == 23


def test_taxonomies_prefectures_belong_to_listed_regions(client):
    data = client.get("/api/v1/taxonomies").get_json()
    regions = {r["code"] for r in data["regions"]}
    assert {p["region"] for p in data["prefectures"]} == regions
    assert len({p["code"] for p in data["prefectures"]}) == 47


def test_taxonomies_give_each_prefecture_its_block(client):
    data = client.get("/api/v1/taxonomies").get_json()
    hyogo = next(p for p in data["prefectures"] if p["code"] == "28")
    assert hyogo == {"code": "28", "name": "兵庫県", "name_en": hyogo["name_en"], "block": "近畿",
                     "block_code": "kinki", "region": "kinki"}  # fmt: skip
    assert [b["name"] for b in data["blocks"]][:2] == ["北海道", "東北"]
    assert len(data["blocks"]) == 8
