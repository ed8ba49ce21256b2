"""A database that goes away under the site: a dropped connection is replaced before use (the
pool pings it), and a request whose connection dies in its transaction answers 503 — a Japanese
page with what was typed, or JSON under /api/, with Retry-After — never a 500, and nothing of it
is saved. The faults are real: PostgreSQL backends terminated from another connection, a SQLite
table taken away."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from core.extensions import db
from forum.models import Post, Thread
from tests.fixtures.database import is_postgres

MESSAGE = "ただいま混み合っているか、保守中です。しばらくしてからもう一度お試しください。"
postgres_only = pytest.mark.skipif(not is_postgres(), reason="terminates PostgreSQL backends")


@pytest.fixture
def killer(database_url):
    """``kill()`` terminates every other backend of the test's database (waits until they are
    gone); ``kill(pid)`` one backend."""
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    name = make_url(database_url).database

    def kill(pid: int | None = None) -> int:
        with engine.connect() as conn:
            if pid is not None:
                return int(conn.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"),
                                       {"pid": pid}))  # fmt: skip
            return len(conn.execute(
                text("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                     "WHERE datname = :name AND pid <> pg_backend_pid()"),
                {"name": name},
            ).all())  # fmt: skip

    yield kill
    engine.dispose()


@contextmanager
def killed_at(statement_start: str, kill):
    """Terminate the request's own backend just before it sends ``statement_start…`` (once)."""
    fired = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not fired and statement.lstrip().upper().startswith(statement_start):
            fired.append(statement)
            kill(cursor.connection.info.backend_pid)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield fired
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _replies(thread_id: int) -> tuple[int, int]:
    db.session.rollback()
    count = db.session.scalar(select(func.count()).select_from(Post)
                              .where(Post.thread_id == thread_id))  # fmt: skip
    last = db.session.scalar(select(Thread.last_number).where(Thread.id == thread_id))
    db.session.rollback()
    return count, last


@pytest.fixture
def app_config() -> dict:
    return {"ANON_PAGE_CACHE_SECONDS": 0}  # every request here must reach the database


@postgres_only
def test_connections_dropped_between_requests_are_replaced(client, thread, killer):
    path = f"/t/{thread.id}"
    db.session.remove()  # the test's own session holds no connection either
    assert client.get(path).status_code == 200
    assert killer() >= 1  # every pooled connection of the app is now dead
    assert client.get(path).status_code == 200  # the pool's ping replaced them
    assert client.get("/healthz").status_code == 200


@postgres_only
def test_a_connection_lost_after_the_last_statement_keeps_the_response(app, client, thread,
                                                                       killer):  # fmt: skip
    """The page was built; the database restarts before the request's read-only transaction is
    ended: the reader still gets the page (the dead connection is dropped, not a 500)."""
    path = f"/t/{thread.id}"

    @app.after_request
    def kill_own_backend(response):
        killer(db.session.connection().connection.dbapi_connection.info.backend_pid)
        return response

    assert client.get(path).status_code == 200
    app.after_request_funcs[None].remove(kill_own_backend)
    assert client.get(path).status_code == 200


@postgres_only
def test_a_reply_whose_connection_dies_answers_503_and_saves_nothing(client, login, user, thread,
                                                                      killer):  # fmt: skip
    login(user)
    before = _replies(thread.id)
    body = "停電のあとの見守り訪問について"
    with killed_at("INSERT INTO POSTS", killer) as fired:
        response = client.post_form(f"/t/{thread.id}/reply", {"body": body})
    assert fired, "the reply never reached the database"
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    html = response.get_data(as_text=True)
    assert MESSAGE in html and body in html  # what was typed is shown again, not lost
    assert _replies(thread.id) == before  # nothing half-written
    # the next attempt gets a live connection and succeeds
    assert client.post_form(f"/t/{thread.id}/reply", {"body": body}).status_code == 302
    assert _replies(thread.id) == (before[0] + 1, before[1] + 1)


@postgres_only
def test_an_api_write_whose_connection_dies_answers_503_json(client, bearer, user, thread,
                                                              killer):  # fmt: skip
    headers = bearer(user)
    before = _replies(thread.id)
    with killed_at("INSERT INTO POSTS", killer) as fired:
        response = client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "返信"},
                               headers=headers)  # fmt: skip
    assert fired
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.get_json() == {"error": {"code": "unavailable", "message": MESSAGE}}
    assert _replies(thread.id) == before
    again = client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "返信"},
                        headers=headers)  # fmt: skip
    assert again.status_code == 201


@postgres_only
def test_a_page_whose_connection_dies_mid_read_answers_503(client, thread, killer):
    path = f"/t/{thread.id}"
    with killed_at("SELECT", killer) as fired:
        response = client.get(path)
    assert fired
    assert response.status_code == 503
    assert MESSAGE in response.get_data(as_text=True)
    assert client.get(path).status_code == 200


@pytest.mark.skipif(is_postgres(), reason="a SQLite file's table taken away")
def test_sqlite_operational_error_answers_503_not_500(client, database_url, thread):
    """SQLite reports a missing table (a schema being changed under the site) as an operational
    error: 503 while it lasts, the page again once it is back."""
    path = make_url(database_url).database
    assert client.get(f"/t/{thread.id}").status_code == 200
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE threads RENAME TO threads_away")
    try:
        response = client.get(f"/t/{thread.id}")
        assert response.status_code == 503
        assert MESSAGE in response.get_data(as_text=True)
        api = client.get(f"/api/v1/threads/{thread.id}")
        assert api.status_code == 503 and api.get_json()["error"]["code"] == "unavailable"
    finally:
        with sqlite3.connect(path) as conn:
            conn.execute("ALTER TABLE threads_away RENAME TO threads")
    assert client.get(f"/t/{thread.id}").status_code == 200
