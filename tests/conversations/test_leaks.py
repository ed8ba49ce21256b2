"""Nothing of a conversation leaks: its unique words appear on no read surface for anyone
outside it — search (page and API), feeds, listings, the problem it is about, profiles, the
thread and board API, notifications, Socket.IO, and other members' personal-data exports.
The participant's own export holds their messages."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from core.extensions import db
from tests.fixtures.app import PASSWORD
from tests.fixtures.realtime import events

SUBJECT = "極秘件名ヌバタマ"
WORD = "秘匿語カラスウリ"
REPLY = "返信秘語ミズヒキ"
WORDS = (SUBJECT, WORD, REPLY)


def _clean(text: str, where: str) -> None:
    for word in WORDS:
        if f"q={word}" in where:  # a search page echoes its own query: the API counts hits
            text = text.replace(word, "")
        assert word not in text, f"{word} leaked on {where}"


def _text(response) -> str:
    """A response's text; an archive (the personal-data export) as all its files' text."""
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return data.decode()


def _export_json(response) -> dict:
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        return json.loads(archive.read("kyoso-data.json"))


def _no_hits(client, **kw) -> None:
    for word in WORDS:
        body = client.get(f"/api/v1/search?q={word}", **kw).get_json()
        assert body["total"] == 0 and body["results"] == [], word


@pytest.fixture
def secret(member, talk, structured_factory, sync_index, app, socket_client, process):
    sato, suzuki, outsider = member("sato"), member("suzuki"), member("outsider")
    problem = structured_factory("challenge", title="買い物の足がない", author=sato)
    browser = app.test_client()
    browser.post_form("/login", {"email": outsider.email, "password": PASSWORD})
    outsider_socket = socket_client(flask_client=browser)
    events(outsider_socket)
    convo = talk(sato, suzuki, body=f"{WORD}について **相談** です", subject=SUBJECT,
                 challenge=problem)  # fmt: skip
    from conversations import service

    service.send_message(conversation=convo, author=suzuki, body=REPLY)
    db.session.commit()
    process()
    sync_index()
    return {"sato": sato, "suzuki": suzuki, "outsider": outsider, "problem": problem,
            "convo": convo, "socket": outsider_socket}  # fmt: skip


def _surfaces(s) -> list[str]:
    problem, sato = s["problem"], s["sato"]
    pages = [
        "/", "/b/zentai", f"/b/{problem.board.slug}", f"/t/{problem.id}", "/challenges",
        f"/u/{sato.handle}", f"/u/{s['suzuki'].handle}", "/feeds/cases.atom", "/feeds/events.atom",
        "/feeds/policies.atom", "/events.ics", "/events.csv",
    ]  # fmt: skip
    for word in WORDS:
        pages += [f"/search?q={word}", f"/api/v1/search?q={word}"]
    pages += [f"/api/v1/threads/{problem.id}", f"/api/v1/boards/{problem.board.slug}/threads"]
    return pages


def test_leaks_nowhere_for_visitors(client, secret):
    for url in _surfaces(secret):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        _clean(_text(response), url)
    _no_hits(client)


def test_leaks_nowhere_for_an_outsider(client, login, secret, bearer):
    outsider = secret["outsider"]
    login(outsider)
    for url in _surfaces(secret) + ["/messages/", "/notifications", "/settings/privacy/export"]:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        _clean(_text(response), url)
    convo = secret["convo"]
    assert client.get(f"/messages/{convo.id}").status_code == 404
    headers = bearer(outsider)
    for url in ("/api/v1/conversations", "/api/v1/notifications", "/api/v1/me/export",
                f"/api/v1/conversations/{convo.id}/messages"):  # fmt: skip
        _clean(_text(client.get(url, headers=headers)), url)
    assert events(secret["socket"]) == []
    _no_hits(client, headers=headers)


def test_leaks_notifications_carry_no_words(client, login, secret):
    """Even the participants' notifications name the sender, not the words."""
    login(secret["suzuki"])
    _clean(client.get("/notifications").get_data(as_text=True).replace(SUBJECT, ""), "centre")
    for url in ("/api/v1/notifications",):
        body = client.get(url).get_data(as_text=True)
        assert WORD not in body and REPLY not in body


def test_leaks_own_export_has_own_messages_only(client, login, secret):
    login(secret["sato"])
    _no_hits(client)  # not even for the participants: conversations are never indexed
    archive = _text(client.get("/api/v1/me/export"))
    assert WORD in archive and REPLY not in archive
    document = _export_json(client.get("/api/v1/me/export"))
    section = document["conversations"]
    assert [c["subject"] for c in section["conversations"]] == [SUBJECT]
    sent = [m["body"] for m in section["messages_sent"]]
    assert sent == [f"{WORD}について **相談** です"]  # not the other participant's reply
    assert REPLY not in json.dumps(document, ensure_ascii=False)
