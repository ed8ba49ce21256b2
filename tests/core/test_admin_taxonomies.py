from sqlalchemy import select

from core.extensions import db
from taxonomy.models import LifeDomain, PlayerField, Prefecture


def test_admin_taxonomies_rename_reorder_and_add(client, login, admin):
    login(admin)
    assert "医療・介護・福祉" in client.get("/admin/taxonomies").get_data(as_text=True)
    field = db.session.scalar(select(PlayerField).where(PlayerField.slug == "chiiki-kotsu"))
    response = client.post_form(f"/admin/taxonomies/player-fields/{field.id}/edit",
                                {"name": "地域交通・移動", "slug": "hacked", "position": "0"})  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert (field.name, field.slug, field.position) == ("地域交通・移動", "chiiki-kotsu", 0)
    response = client.post_form("/admin/taxonomies/life-domains/new",
                                {"name": "買い物代行", "slug": "kaimono-daiko", "position": "99"})  # fmt: skip
    assert response.status_code == 302
    assert (
        db.session.scalar(select(LifeDomain).where(LifeDomain.slug == "kaimono-daiko")).name
        == "買い物代行"
    )


def test_admin_taxonomies_duplicate_slug_keeps_input(client, login, admin):
    login(admin)
    response = client.post_form("/admin/taxonomies/life-domains/new",
                                {"name": "重複の領域", "slug": "kaimono", "position": "1"})  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "このURL名はすでに使われています。" in html and 'value="重複の領域"' in html


def test_admin_taxonomies_move_prefecture_to_other_block(client, login, admin):
    login(admin)
    response = client.post_form("/admin/taxonomies/prefectures/24/edit", {"region_code": "chubu"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Prefecture, "24").region_code == "chubu"
    bad = client.post_form("/admin/taxonomies/prefectures/24/edit", {"region_code": "atlantis"})
    assert bad.status_code == 422


def test_admin_taxonomies_forbidden_for_non_admins(client, login, moderator):
    login(moderator)
    assert client.get("/admin/taxonomies").status_code == 403
    assert client.get("/admin/taxonomies/unknown/new").status_code == 403
