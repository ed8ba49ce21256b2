"""Who may post which kind: the role table (role_permissions rows), the web forms and the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from auth.accounts import create_api_token
from auth.models import Role
from auth.permissions import KIND_PERMISSIONS
from core.extensions import db
from forum.models import Thread
from tests.fixtures.structured import valid_fields
from tests.structured.helpers import BOARDS, form_data

EVERYONE = {"discussion", "challenge"}
ORGANISATION = EVERYONE | {"case", "event"}
GOVERNMENT = ORGANISATION | {"policy"}
EVERYTHING = set(KIND_PERMISSIONS)
EXPECTED = {
    "member": EVERYONE,
    "org_staff": ORGANISATION,
    "coordinator": ORGANISATION,
    "municipal_staff": GOVERNMENT,
    "prefectural_staff": GOVERNMENT,
    "ministry_staff": GOVERNMENT,
    "moderator": EVERYTHING,
    "admin": EVERYTHING,
}
ROLES = list(EXPECTED)
KINDS = list(KIND_PERMISSIONS)


def test_the_table_is_data_in_role_permissions(app):
    assert {"discussion", "case", "event", "policy", "challenge"} == EVERYTHING
    for slug, kinds in EXPECTED.items():
        role = db.session.scalar(select(Role).where(Role.slug == slug))
        granted = {k for k, perm in KIND_PERMISSIONS.items() if perm in role.permission_names}
        assert granted == kinds, slug


def _new_form_url(kind: str) -> str:
    if kind == "discussion":
        return f"/b/{BOARDS[kind]}/new?type=discussion"
    return f"/b/{BOARDS[kind]}/new/{kind}"


@pytest.mark.parametrize("kind", KINDS)
def test_anonymous_visitors_are_shown_the_way_to_sign_in(client, kind):
    """A plain topic's form sends them to log in; a structured kind's form explains who may post
    it and links to log in (and back) or register (issue #14)."""
    response = client.get(_new_form_url(kind))
    if kind == "discussion":
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
        return
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "を登録するには" in page and "この操作を行う権限がありません" not in page
    assert f'href="/login?next=/b/{BOARDS[kind]}/new/{kind}"' in page.replace("%2F", "/")
    assert 'href="/register"' in page


@pytest.mark.parametrize("kind", KINDS)
def test_anonymous_api_writes_are_refused(client, kind):
    payload = {"title": "匿名の投稿", "body": "本文", "type": kind}
    if kind != "discussion":
        payload["fields"] = valid_fields(kind)
    response = client.post(f"/api/v1/boards/{BOARDS[kind]}/threads", json=payload)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("role", ROLES)
def test_the_form_of_each_kind_per_role(client, login, user_factory, role):
    login(user_factory(role=role))
    for kind in KINDS:
        response = client.get(_new_form_url(kind))
        expected = 200 if kind in EXPECTED[role] else 403
        assert response.status_code == expected, (role, kind)


@pytest.mark.parametrize("role", [None, *ROLES])
def test_the_listing_offers_the_register_button_to_everyone(client, login, user_factory, role):
    """Everyone sees 「…を登録」 (signed out too); behind it, the form for those allowed and the
    page saying who may post and the one step for everyone else (issue #14)."""
    if role is not None:
        login(user_factory(role=role))
    for kind, section in (("case", "cases"), ("event", "events"), ("policy", "policies"),
                          ("challenge", "challenges")):  # fmt: skip
        page = client.get(f"/{section}").get_data(as_text=True)
        assert f'href="/b/{BOARDS[kind]}/new/{kind}"' in page, (role, kind)
        form = client.get(f"/b/{BOARDS[kind]}/new/{kind}")
        allowed = role is not None and kind in EXPECTED[role]
        assert form.status_code == (200 if allowed else 403), (role, kind)
        assert ("を登録するには" in form.get_data(as_text=True)) == (not allowed), (role, kind)


@pytest.mark.parametrize("role", ROLES)
def test_posting_through_the_web_form_per_role(client, login, user_factory, role):
    login(user_factory(role=role))
    for kind in KINDS:
        if kind == "discussion":
            continue
        fields = valid_fields(kind)
        response = client.post_form(
            _new_form_url(kind), form_data(kind, fields, title=f"{kind}の登録")
        )
        if kind in EXPECTED[role]:
            assert response.status_code == 302, (role, kind, response.get_data(as_text=True)[:500])
        else:
            assert response.status_code == 403, (role, kind)
    created = set(db.session.scalars(select(Thread.kind)))
    assert created == EXPECTED[role] - {"discussion"}


@pytest.mark.parametrize("role", ROLES)
def test_posting_through_the_api_per_role(client, user_factory, role):
    token = create_api_token(user_factory(role=role))
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    for kind in KINDS:
        payload = {"title": f"{kind}をAPIで", "body": "本文です。", "type": kind}
        if kind != "discussion":
            payload["fields"] = valid_fields(kind)
        response = client.post(f"/api/v1/boards/{BOARDS[kind]}/threads", json=payload,
                               headers=headers)  # fmt: skip
        if kind in EXPECTED[role]:
            assert response.status_code == 201, (role, kind, response.get_json())
        else:
            assert response.status_code == 403, (role, kind)
            assert response.get_json()["error"]["code"] == "forbidden"
    assert db.session.scalar(select(func.count(Thread.id))) == len(EXPECTED[role])
    assert set(db.session.scalars(select(Thread.kind))) == EXPECTED[role]


def test_a_revoked_permission_takes_effect_without_code(client, login, user_factory):
    """Roles are data: removing the row removes the ability."""
    from auth.models import RolePermission

    role = db.session.scalar(select(Role).where(Role.slug == "org_staff"))
    db.session.execute(
        RolePermission.__table__.delete().where(
            RolePermission.role_id == role.id,
            RolePermission.permission == KIND_PERMISSIONS["event"],
        )
    )
    db.session.commit()
    login(user_factory(role="org_staff"))
    assert client.get("/b/events/new/event").status_code == 403
    assert client.get("/b/jirei/new/case").status_code == 200


def test_a_silenced_member_may_not_post_a_challenge(client, login, user_factory):
    user = user_factory()
    user.silenced_until = datetime.now(UTC) + timedelta(days=1)
    db.session.commit()
    login(user)
    assert client.get("/b/chiiki-kadai/new/challenge").status_code == 403


def test_editing_details_is_for_the_author_and_moderators(
    client, login, user_factory, structured_factory
):
    author = user_factory(role="org_staff")
    thread = structured_factory("event", author=author)
    login(user_factory(role="org_staff"))
    assert client.get(f"/t/{thread.id}/edit-details").status_code == 403
    client.post_form("/logout")
    login(user_factory(role="moderator"))
    assert client.get(f"/t/{thread.id}/edit-details").status_code == 200
