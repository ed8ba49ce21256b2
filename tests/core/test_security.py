import re


def test_security_headers_on_every_page(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp


def test_security_session_cookie_is_httponly_and_lax(client, login, user):
    login(user)
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_security_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_security_every_form_carries_a_csrf_token(client, login, user, thread, admin):
    login(admin)
    for path in ("/b/zentai/new", f"/t/{thread.id}", f"/t/{thread.id}/reply", "/settings/profile",
                 "/admin/boards/new"):  # fmt: skip
        html = client.get(path).get_data(as_text=True)
        post_forms = len(re.findall(r'<form[^>]*method="post"', html))
        assert post_forms >= 1 and post_forms == html.count('name="csrf_token"'), path


def test_security_secret_key_is_generated_and_persisted(tmp_path, database_url):
    from app import create_app

    config = {
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path / "inst"),
        "SECRET_KEY": None,
    }
    first = create_app(config).config["SECRET_KEY"]
    second = create_app(config).config["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "inst" / "secret_key").stat().st_mode & 0o077 == 0


def test_security_sqlite_pragmas(app):
    from sqlalchemy import text

    from core.extensions import db

    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000
