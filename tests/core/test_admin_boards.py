from sqlalchemy import select

from core.extensions import db
from forum.models import Board


def test_admin_boards_edit_and_create(client, login, admin):
    login(admin)
    board = db.session.scalar(select(Board).where(Board.slug == "zentai"))
    response = client.post_form(f"/admin/boards/{board.id}/edit", {
        "name": "全体交流ひろば", "slug": "zentai", "description": "説明", "kind": "cross", "position": "5"})  # fmt: skip
    assert response.status_code == 302
    response = client.post_form("/admin/boards/new", {
        "name": "防災と見守り", "slug": "bosai", "description": "", "kind": "cross", "position": "50"})  # fmt: skip
    assert response.status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "全体交流ひろば" in html and "防災と見守り" in html


def test_admin_boards_slug_must_be_unique_and_input_kept(client, login, admin):
    login(admin)
    response = client.post_form("/admin/boards/new", {
        "name": "重複する掲示板", "slug": "zentai", "kind": "cross", "position": "1"})  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "このURL名はすでに使われています。" in html and 'value="重複する掲示板"' in html


def test_admin_boards_forbidden_for_members_and_moderators(client, login, user, moderator):
    assert client.get("/admin/boards").status_code == 302  # anonymous → login
    login(user)
    assert client.get("/admin/boards").status_code == 403
    client.post_form("/logout")
    login(moderator)
    assert client.get("/admin/boards").status_code == 403


def test_admin_boards_changes_are_audited(client, login, admin):
    from audit.models import AuditEntry

    login(admin)
    client.post_form("/admin/boards/new", {
        "name": "見守りネット", "slug": "mimamori-net", "kind": "cross", "position": "70",
        "is_premoderated": "y"})  # fmt: skip
    entry = db.session.scalars(db.select(AuditEntry)).one()
    assert (entry.action, entry.actor_id, entry.after["is_premoderated"]) == (
        "board.create",
        admin.id,
        True,
    )
    board = db.session.scalar(select(Board).where(Board.slug == "mimamori-net"))
    assert board.is_premoderated


def test_admin_boards_assign_board_moderators(client, login, admin, user_factory, thread_factory):
    from auth.permissions import can

    sato = user_factory(handle="sato_akita")
    board = db.session.scalar(select(Board).where(Board.slug == "chiiki-kotsu"))
    login(admin)
    bad = client.post_form(f"/admin/boards/{board.id}/edit", {
        "name": board.name, "slug": board.slug, "kind": "field", "position": "5",
        "moderators": "sato_akita, nobody_here"})  # fmt: skip
    assert bad.status_code == 422 and "nobody_here" in bad.get_data(as_text=True)
    ok = client.post_form(f"/admin/boards/{board.id}/edit", {
        "name": board.name, "slug": board.slug, "kind": "field", "position": "5",
        "moderators": "@Sato_Akita"})  # fmt: skip
    assert ok.status_code == 302
    db.session.expire_all()
    assert sato.moderated_board_ids == {board.id}
    assert can(sato, "thread.moderate", thread_factory(board=board))
    assert not can(sato, "thread.moderate", thread_factory())
    assert "sato_akita" in client.get(f"/admin/boards/{board.id}/edit").get_data(as_text=True)
