"""Class 11 (accounts) of issue #13: /register must not reveal registered addresses, a new
account confirms its e-mail address before it may post or flag, and display names cannot hide
bidi/format characters or copy a staff member's name."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from auth import accounts
from auth.models import User
from core.extensions import db
from forum.models import Post
from tests.fixtures.app import PASSWORD

CONFIRM = re.compile(r"http://localhost(/confirm-email/\S+)")


def _form(email: str, handle: str, display_name: str = "山田 花子") -> dict:
    return {"display_name": display_name, "handle": handle, "email": email,
            "password": PASSWORD, "password_confirm": PASSWORD}  # fmt: skip


def _same(page: str, email: str) -> str:
    """The page without what differs by nature: the typed address and the CSRF token."""
    return re.sub(r'name="csrf_token"[^>]*>', "", page.replace(email, "X"))


def _count_users() -> int:
    return db.session.scalar(select(db.func.count(User.id)))


# --- /register does not tell whether an address is registered -------------------------------


def test_register_answer_is_the_same_for_a_registered_address(client, outbox, user_factory):
    owner = user_factory(email="taken@example.jp")
    fresh = client.post_form("/register", _form("new@example.jp", "newcomer"))
    fresh_page = client.get(fresh.headers["Location"]).get_data(as_text=True)
    taken = client.post_form("/register", _form("taken@example.jp", "intruder"))
    taken_page = client.get(taken.headers["Location"]).get_data(as_text=True)
    assert (fresh.status_code, fresh.headers["Location"]) == (302, "/login")
    assert (taken.status_code, taken.headers["Location"]) == (302, "/login")
    assert _same(fresh_page, "new@example.jp") == _same(taken_page, "taken@example.jp")
    assert "すでに登録" not in taken_page
    assert _count_users() == 2 and accounts.find_user_by_handle("intruder") is None
    # the owner learns that someone tried; no link, nothing changed
    mail = outbox()[-1]
    assert mail["To"] == owner.email and "新規登録の申し込みがありました" in mail.get_content()
    assert "/confirm-email/" not in mail.get_content()


def test_register_does_not_log_in_before_the_address_is_confirmed(client, user_factory):
    user_factory(email="taken@example.jp")
    for data in (_form("new@example.jp", "newcomer"), _form("taken@example.jp", "other")):
        client.post_form("/register", data)
        assert client.get("/settings/security").status_code == 302


# --- confirming the address -------------------------------------------------------------------


def test_unconfirmed_member_reads_but_cannot_post_or_flag(
    client, login, user_factory, thread_factory
):
    newcomer = user_factory(email_confirmed=False)
    thread = thread_factory()
    post = db.session.scalars(select(Post).where(Post.thread_id == thread.id)).one()
    login(newcomer)
    page = client.get(f"/t/{thread.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "メールアドレスの確認が済んでいません" in html and "確認メールを再送" in html
    assert client.post_form(f"/t/{thread.id}/reply", {"body": "返信します"}).status_code == 403
    assert client.get("/b/zentai/new").status_code == 403
    assert client.post_form(f"/p/{post.id}/flag", {"reason": "spam"}).status_code == 403


def test_unconfirmed_member_cannot_post_through_the_api(client, user_factory, thread):
    newcomer = user_factory(email_confirmed=False)
    token = accounts.create_api_token(newcomer)
    db.session.commit()
    response = client.post(
        f"/api/v1/threads/{thread.id}/posts", json={"body": "APIから返信"},
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert response.status_code == 403


def test_confirmation_link_enables_posting(client, outbox, thread):
    client.post_form("/register", _form("new@example.jp", "newcomer"))
    path = CONFIRM.search(outbox()[-1].get_content()).group(1)
    assert client.get(path).status_code == 200  # shows a button; a GET never writes
    assert accounts.find_user_by_handle("newcomer").email_confirmed_at is None
    client.post_form(path)
    client.post_form("/login", {"email": "new@example.jp", "password": PASSWORD})
    response = client.post_form(f"/t/{thread.id}/reply", {"body": "よろしくお願いします"})
    assert response.status_code == 302


@pytest.mark.parametrize("tamper", [lambda t: t + "x", lambda t: t[:-4]])
def test_confirmation_link_tampered_is_refused(client, outbox, tamper):
    client.post_form("/register", _form("new@example.jp", "newcomer"))
    path = CONFIRM.search(outbox()[-1].get_content()).group(1)
    response = client.post_form(tamper(path))
    assert response.status_code == 302
    assert accounts.find_user_by_handle("newcomer").email_confirmed_at is None


def test_confirmation_mail_can_be_sent_again(client, login, outbox, user_factory):
    newcomer = user_factory(email_confirmed=False)
    login(newcomer)
    assert client.post_form("/settings/confirm-email/resend").status_code == 302
    (mail,) = outbox()
    assert mail["To"] == newcomer.email and "/confirm-email/" in mail.get_content()


def test_factories_and_demo_accounts_are_confirmed(app, user):
    from forum.demo import seed_demo_content

    assert user.email_confirmed_at is not None
    seed_demo_content()
    db.session.commit()
    demo = list(db.session.scalars(select(User).where(User.id != user.id)))
    assert demo and all(u.email_confirmed_at is not None for u in demo)


def _revision_module():
    path = next(Path(__file__).resolve().parents[2].glob(
        "migrations/versions/*_sessions_and_email_confirmation.py"))  # fmt: skip
    spec = importlib.util.spec_from_file_location("confirm_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_migration_confirms_existing_accounts(tmp_path):
    """Accounts that existed before e-mail confirmation keep posting: the migration confirms
    them (at their creation time)."""
    from flask_migrate import upgrade

    from app import create_app

    migration = _revision_module()
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "m", "INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        upgrade(revision=migration.down_revision)
        engine = create_engine(url)
        with engine.begin() as conn:
            role_id = conn.scalar(text("SELECT id FROM roles WHERE slug = 'member'"))
            conn.execute(text(
                "INSERT INTO users (handle, email, display_name, password_hash, role_id,"
                " affiliation, role_title, municipality, bio, is_suspended, sanction_reason,"
                " created_at, password_changed_at) VALUES ('old', 'old@example.jp', '古参',"
                " 'x', :role, '', '', '', '', 0, '', '2025-04-01 00:00:00',"
                " '2025-04-01 00:00:00')"), {"role": role_id})  # fmt: skip
        upgrade(revision=migration.revision)
        with engine.connect() as conn:
            confirmed = conn.scalar(text("SELECT email_confirmed_at FROM users"))
        engine.dispose()
        db.engine.dispose()
    assert str(confirmed).startswith("2025-04-01")


# --- display names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "copy",
    [
        "事務局 田中",
        "事務局田中",
        "事務局　田中",
        "ｼﾞﾑｷｮｸ 田中",
        "事務局\u200b田中",
        "\u202e事務局 田中",
    ],
)
def test_display_name_of_staff_cannot_be_taken_at_registration(client, user_factory, copy):
    user_factory(
        role="moderator", display_name="事務局 田中" if "ｼﾞﾑ" not in copy else "ジムキョク 田中"
    )
    response = client.post_form("/register", _form("new@example.jp", "newcomer", copy))
    assert response.status_code == 422
    assert "この表示名は" in response.get_data(as_text=True)
    assert accounts.find_user_by_handle("newcomer") is None


def test_display_name_case_folded_and_verified_members_are_protected(client, login, user_factory):
    user_factory(role="admin", display_name="Kyoso Admin")
    user_factory(role="municipal_staff", display_name="横手市 佐藤")
    member = user_factory()
    login(member)
    for copy in ("kyoso admin", "ＫＹＯＳＯ　ＡＤＭＩＮ", "横手市佐藤"):
        response = client.post_form("/settings/profile", {"display_name": copy})
        assert response.status_code == 422, copy
        assert "この表示名は事務局・モデレーター・認証済みの方が使っている" in response.get_data(
            as_text=True
        )
    db.session.expire_all()
    assert member.display_name.startswith("利用者")


def test_display_name_staff_keep_their_own_name(client, login, moderator):
    login(moderator)
    response = client.post_form("/settings/profile", {"display_name": moderator.display_name})
    assert response.status_code == 302


@pytest.mark.parametrize("mark", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066",
                                  "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u200b",
                                  "\u200d", "\ufeff", "\u2060"])  # fmt: skip
def test_display_name_bidi_and_format_characters_are_stripped(client, login, user, mark):
    login(user)
    client.post_form("/settings/profile", {"display_name": f"山田{mark}花子"})
    db.session.expire_all()
    assert user.display_name == "山田花子"


def test_display_name_of_only_invisible_characters_is_refused(client):
    response = client.post_form("/register", _form("new@example.jp", "newcomer", "\u202e\u200b"))
    assert response.status_code == 422
    assert accounts.find_user_by_handle("newcomer") is None


def test_handle_with_format_characters_is_refused(app):
    with pytest.raises(accounts.AccountError):
        accounts.register_user(
            email="x@example.jp", handle="abc\u202edef", display_name="x", password=PASSWORD
        )
