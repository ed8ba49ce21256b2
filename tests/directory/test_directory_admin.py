"""Directory administration (directory.manage): organisations, member accounts, related links."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from audit.models import AuditEntry
from auth.models import User
from core.extensions import db
from directory.models import Organization, RelatedLink

VALID = {"name": "NPO法人 ささえあい西宮", "slug": "sasaeai-nishinomiya", "kind": "npo",
         "player_field_id": "", "prefecture_code": "28",
         "description": "団地の空き店舗で居場所を運営しています。",
         "website_url": "https://sasaeai.example.jp/", "publish_website": "y", "is_listed": "y"}  # fmt: skip


def _org(slug: str) -> Organization | None:
    db.session.expire_all()
    return db.session.scalar(select(Organization).where(Organization.slug == slug))


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


ADMIN_PAGES = ["/admin/directory", "/admin/directory/new", "/admin/directory/links",
               "/admin/directory/links/new"]  # fmt: skip


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_directory_admin_pages_per_role(client, login, user, moderator, admin, path):
    assert client.get(path).status_code == 302  # anonymous → the login page
    login(user)
    assert client.get(path).status_code == 403
    client.post_form("/logout")
    login(moderator)
    assert client.get(path).status_code == 403
    client.post_form("/logout")
    login(admin)
    assert client.get(path).status_code == 200


def test_directory_admin_writes_refused_to_members(client, login, user, org_factory, link_factory):
    org = org_factory()
    link = link_factory("地域包括ケアシステム")
    login(user)
    token = client.csrf_token()
    for path, data in [
        ("/admin/directory/new", VALID),
        (f"/admin/directory/{org.id}/edit", {**VALID, "slug": org.slug}),
        (f"/admin/directory/{org.id}/delete", {}),
        (f"/admin/directory/{org.id}/members", {"handle": user.handle}),
        (f"/admin/directory/links/{link.id}/delete", {}),
        (f"/admin/directory/links/{link.id}/move", {"direction": "down"}),
    ]:
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 403, path
    assert _org(org.slug) is not None and _org(VALID["slug"]) is None
    assert db.session.scalar(select(User.organization_id).where(User.id == user.id)) is None
    assert _actions() == []


def test_directory_admin_creates_an_organisation_and_audits_it(client, login, admin):
    login(admin)
    response = client.post_form("/admin/directory/new", VALID)
    assert response.status_code == 302
    org = _org("sasaeai-nishinomiya")
    assert (org.name, org.kind, org.prefecture_code, org.player_field_id) == (
        "NPO法人 ささえあい西宮", "npo", "28", None)  # fmt: skip
    assert org.publish_website and org.is_listed
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.actor_id, entry.target_id) == (
        "organization.create",
        admin.id,
        org.id,
    )
    assert entry.after["website_url"] == "https://sasaeai.example.jp/"
    html = client.get("/directory").get_data(as_text=True)
    assert 'href="https://sasaeai.example.jp/"' in html


def test_directory_admin_edits_keep_the_slug_and_record_before_and_after(
    client, login, admin, org_factory, field_id
):
    org = org_factory("旧名称", slug="kyu-meisho", website_url="https://a.example.jp/",
                      publish_website=True)  # fmt: skip
    login(admin)
    form = client.get(f"/admin/directory/{org.id}/edit").get_data(as_text=True)
    assert 'value="旧名称"' in form and "readonly" in form
    response = client.post_form(f"/admin/directory/{org.id}/edit", {
        **VALID, "name": "新名称", "slug": "changed-slug", "kind": "company",
        "player_field_id": str(field_id("chiiki-kotsu")), "publish_website": ""})  # fmt: skip
    assert response.status_code == 302
    org = _org("kyu-meisho")
    assert (org.name, org.kind, org.player_field_id) == (
        "新名称",
        "company",
        field_id("chiiki-kotsu"),
    )
    assert not org.publish_website and _org("changed-slug") is None
    entry = db.session.scalars(select(AuditEntry)).one()
    assert entry.action == "organization.edit"
    assert (entry.before["name"], entry.after["name"]) == ("旧名称", "新名称")
    assert "a.example.jp" not in client.get("/directory").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slug": "ささえあい"}, "半角小文字の英数字とハイフンで2〜60文字にしてください。"),
        ({"slug": "Sasaeai"}, "半角小文字の英数字とハイフンで2〜60文字にしてください。"),
        ({"slug": "-sasaeai"}, "半角小文字の英数字とハイフンで2〜60文字にしてください。"),
        ({"slug": "a" * 61}, "半角小文字の英数字とハイフンで2〜60文字にしてください。"),
        ({"name": ""}, "入力してください。"),
        ({"kind": "government"}, "選択肢が正しくありません。"),
        ({"prefecture_code": "48"}, "選択肢が正しくありません。"),
        ({"website_url": "javascript:alert(1)"}, "http:// または https:// で始まるURLを入力してください。"),
        ({"website_url": "ftp://files.example.jp/"}, "http:// または https:// で始まるURLを入力してください。"),
        ({"website_url": "https://"}, "http:// または https:// で始まるURLを入力してください。"),
        ({"website_url": "https://a.example.jp/ x"}, "http:// または https:// で始まるURLを入力してください。"),
        ({"website_url": "", "publish_website": "y"}, "公開するにはウェブサイトのURLを入力してください。"),
        ({"description": "あ" * 2001}, "2000文字以内で入力してください。"),
    ],
)  # fmt: skip
def test_directory_admin_refuses_invalid_organisations_and_keeps_the_input(
    client, login, admin, changes, message
):
    login(admin)
    response = client.post_form("/admin/directory/new", {**VALID, **changes})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert "入力内容を確認してください" in html
    if "name" not in changes:
        assert 'value="NPO法人 ささえあい西宮"' in html
    assert db.session.scalar(select(db.func.count(Organization.id))) == 0


def test_directory_admin_slug_must_be_unique(client, login, admin, org_factory):
    org_factory(slug="sasaeai-nishinomiya")
    login(admin)
    response = client.post_form("/admin/directory/new", VALID)
    assert response.status_code == 422
    assert "このURL名はすでに使われています。" in response.get_data(as_text=True)


def test_directory_admin_forms_need_a_csrf_token(client, login, admin, org_factory, link_factory):
    org = org_factory()
    link = link_factory("地域包括ケアシステム")
    login(admin)
    for path, data in [
        ("/admin/directory/new", VALID),
        (f"/admin/directory/{org.id}/delete", {}),
        (f"/admin/directory/{org.id}/members", {"handle": "boss"}),
        ("/admin/directory/links/new", {"category": "c", "title": "t", "url": "https://x.jp/",
                                        "position": "1"}),
        (f"/admin/directory/links/{link.id}/move", {"direction": "down"}),
    ]:  # fmt: skip
        assert client.post(path, data=data).status_code == 400, path
    assert _org(VALID["slug"]) is None and _org(org.slug) is not None
    assert _actions() == []


def test_directory_admin_deletes_an_organisation_and_keeps_its_members(
    client, login, admin, org_factory, user_factory
):
    org = org_factory("解散した団体")
    slug = org.slug
    member = user_factory(organization_id=org.id)
    login(admin)
    confirm = client.get(f"/admin/directory/{org.id}/delete")
    assert confirm.status_code == 200 and "解散した団体" in confirm.get_data(as_text=True)
    assert client.post_form(f"/admin/directory/{org.id}/delete").status_code == 302
    assert _org(slug) is None
    assert db.session.get(User, member.id).organization_id is None
    entry = db.session.scalars(select(AuditEntry)).one()
    assert entry.action == "organization.delete" and entry.before["members"] == [member.handle]
    assert client.get(f"/directory/{slug}").status_code == 404
    assert client.get("/admin/directory/999999/edit").status_code == 404


def test_directory_admin_assigns_and_unassigns_members_by_handle(
    client, login, admin, org_factory, user_factory
):
    org = org_factory("NPO法人 ささえあい西宮")
    other = org_factory("ほかの団体")
    staff = user_factory(handle="npo_hyogo", display_name="事務局長")
    mover = user_factory(handle="mover", organization_id=other.id)
    login(admin)
    url = f"/admin/directory/{org.id}/members"
    unknown = client.post_form(url, {"handle": "nobody_here"})
    assert unknown.status_code == 422
    html = unknown.get_data(as_text=True)
    assert "ハンドル名「nobody_here」のアカウントは見つかりません。" in html
    assert 'value="nobody_here"' in html and 'value="NPO法人 ささえあい西宮"' in html
    assert client.post_form(url, {"handle": "@NPO_Hyogo"}).status_code == 302
    assert db.session.get(User, staff.id).organization_id == org.id
    again = client.post_form(url, {"handle": "npo_hyogo"})
    assert again.status_code == 422 and "すでにこの団体のメンバーです" in again.get_data(
        as_text=True
    )
    moved = client.post_form(url, {"handle": "mover"}, follow_redirects=True)
    assert "以前の団体から移りました" in moved.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, mover.id).organization_id == org.id
    page = client.get(f"/admin/directory/{org.id}/edit").get_data(as_text=True)
    assert "@npo_hyogo" in page and "@mover" in page

    remove = f"/admin/directory/{org.id}/members/{staff.id}/remove"
    assert client.post_form(remove).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, staff.id).organization_id is None
    assert client.post_form(remove).status_code == 404  # no longer a member
    assert _actions() == ["organization.assign", "organization.assign", "organization.unassign"]
    first = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[1]
    assert (first.before, first.after) == (
        {"organization_id": other.id},
        {"organization_id": org.id},
    )


def test_directory_admin_manages_related_links(client, login, admin):
    login(admin)
    data = {"category": "厚生労働省の施策", "title": "地域包括ケアシステム", "position": "10",
            "url": "https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/hukushi_kaigo/kaigo_koureisha/chiiki-houkatsu/",
            "description": "仕組みの解説"}  # fmt: skip
    assert client.post_form("/admin/directory/links/new", data).status_code == 302
    bad = client.post_form("/admin/directory/links/new", {**data, "url": "javascript:alert(1)"})
    assert bad.status_code == 422
    assert "http:// または https:// で始まるURLを入力してください。" in bad.get_data(as_text=True)
    link = db.session.scalars(select(RelatedLink)).one()
    edit = client.post_form(
        f"/admin/directory/links/{link.id}/edit", {**data, "title": "地域包括ケア"}
    )
    assert edit.status_code == 302
    assert "地域包括ケア" in client.get("/links").get_data(as_text=True)
    assert client.get(f"/admin/directory/links/{link.id}/delete").status_code == 200
    assert client.post_form(f"/admin/directory/links/{link.id}/delete").status_code == 302
    assert db.session.scalar(select(db.func.count(RelatedLink.id))) == 0
    assert _actions() == ["related_link.create", "related_link.edit", "related_link.delete"]
    assert client.get(f"/admin/directory/links/{link.id}/edit").status_code == 404


def test_directory_admin_reorders_related_links(client, login, admin, link_factory):
    a = link_factory("A", position=5)
    b = link_factory("B", position=5)  # same position: the id decides, and moves still work
    c = link_factory("C", position=30)
    login(admin)

    def order() -> list[str]:
        db.session.expire_all()
        return list(db.session.scalars(
            select(RelatedLink.title).order_by(RelatedLink.position, RelatedLink.id)))  # fmt: skip

    assert (
        client.post_form(f"/admin/directory/links/{b.id}/move", {"direction": "up"}).status_code
        == 302
    )
    assert order() == ["B", "A", "C"]
    client.post_form(f"/admin/directory/links/{b.id}/move", {"direction": "down"})
    client.post_form(f"/admin/directory/links/{b.id}/move", {"direction": "down"})
    assert order() == ["A", "C", "B"]
    client.post_form(f"/admin/directory/links/{b.id}/move", {"direction": "down"})  # already last
    assert order() == ["A", "C", "B"]
    bad = client.post_form(f"/admin/directory/links/{c.id}/move", {"direction": "sideways"})
    assert bad.status_code == 400
    assert _actions() == ["related_link.move"] * 3
    html = client.get("/links").get_data(as_text=True)
    assert html.index(">A<") < html.index(">C<") < html.index(">B<")
    assert a.id  # (used)


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}], indirect=True
)
def test_directory_admin_writes_are_rate_limited(client, login, admin, link_factory):
    link = link_factory("A")
    login(admin)
    token = client.csrf_token()
    url = f"/admin/directory/links/{link.id}/move"
    statuses = [client.post(url, data={"csrf_token": token, "direction": "down"}).status_code
                for _ in range(21)]  # fmt: skip
    assert statuses[:20] == [302] * 20 and statuses[20] == 429
