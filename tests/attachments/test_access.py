"""Who may add and remove files, per role, through the real routes."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from attachments import attaching, queries
from attachments.models import Attachment
from audit.models import AuditEntry
from auth.models import BoardModerator
from core.extensions import db
from core.types import utcnow
from tests.attachments.conftest import make_pdf


def _attach(thread, uploader=None) -> Attachment:
    attachment = attaching.add_attachment(
        thread=thread, uploader=uploader or thread.author, filename="要綱.pdf", data=make_pdf()
    )
    db.session.commit()
    return attachment


def _board_moderator(user_factory, thread):
    user = user_factory()
    db.session.add(BoardModerator(user_id=user.id, board_id=thread.board_id))
    db.session.commit()
    return user


@pytest.mark.parametrize(
    "who,status",
    [("anonymous", 403), ("member", 403), ("author", 302), ("moderator", 302),
     ("board_moderator", 302), ("silenced_author", 403)],
)  # fmt: skip
def test_access_upload_per_role(who, status, client, login, case_thread, user_factory, upload):
    thread = case_thread()
    people = {
        "member": lambda: user_factory(),
        "author": lambda: thread.author,
        "moderator": lambda: user_factory(role="moderator"),
        "board_moderator": lambda: _board_moderator(user_factory, thread),
        "silenced_author": lambda: thread.author,
    }
    if who == "silenced_author":
        thread.author.silenced_until = utcnow() + timedelta(days=1)
        db.session.commit()
    if who != "anonymous":
        login(people[who]())
    token = client.csrf_token()
    response = upload(thread, make_pdf(), "a.pdf", token=token)
    assert response.status_code == status
    assert len(queries.list_for_thread(thread.id)) == (1 if status == 302 else 0)


def test_access_upload_form_only_for_those_who_may_add(client, login, case_thread, user_factory):
    thread = case_thread()
    url = f"/t/{thread.id}/attachments"
    assert 'type="file"' not in client.get(url).get_data(as_text=True)  # anonymous: list only
    login(user_factory())
    assert 'type="file"' not in client.get(url).get_data(as_text=True)
    client.post_form("/logout")
    login(thread.author)
    html = client.get(url).get_data(as_text=True)
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    post_forms = len(re.findall(r'<form[^>]*method="post"', html))
    assert post_forms == html.count('name="csrf_token"')


@pytest.mark.parametrize("kind", ["discussion", "challenge"])
def test_access_no_attachments_on_other_kinds(kind, client, login, case_thread, upload):
    thread = case_thread(kind=kind)
    login(thread.author)
    assert client.get(f"/t/{thread.id}/attachments").status_code == 404
    assert upload(thread, make_pdf(), "a.pdf", token=client.csrf_token()).status_code == 404


def test_access_hidden_thread_attachments_page_is_404_for_others(
    client, login, case_thread, user_factory
):
    thread = case_thread()
    thread.is_hidden = True
    db.session.commit()
    assert client.get(f"/t/{thread.id}/attachments").status_code == 404
    login(thread.author)
    assert client.get(f"/t/{thread.id}/attachments").status_code == 200


def _remove(client, attachment):
    url = f"/attachments/{attachment.id}/remove"
    return client.post(url, data={"csrf_token": client.csrf_token()})


@pytest.mark.parametrize(
    "who,status",
    [("member", 403), ("author", 302), ("moderator", 302), ("board_moderator", 302)],
)
def test_access_remove_per_role(who, status, app, client, login, case_thread, user_factory):
    thread = case_thread()
    attachment = _attach(thread)
    path = Path(app.config["ATTACHMENTS_DIR"]) / attachment.storage_key
    person = {
        "member": user_factory,
        "author": lambda: thread.author,
        "moderator": lambda: user_factory(role="moderator"),
        "board_moderator": lambda: _board_moderator(user_factory, thread),
    }[who]()
    login(person)
    assert "要綱.pdf" in client.get(f"/attachments/{attachment.id}/remove").get_data(as_text=True) \
        if status == 302 else True  # fmt: skip
    assert _remove(client, attachment).status_code == status
    db.session.expire_all()
    removed = db.session.get(Attachment, attachment.id)
    assert (removed.deleted_at is not None) == (status == 302)
    assert path.exists() == (status != 302)
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "attachment.remove"))
    entries = list(audit)
    if who in ("moderator", "board_moderator"):  # somebody else's file: on the record
        (entry,) = entries
        assert entry.actor_id == person.id and entry.target_id == attachment.id
        assert entry.before["filename"] == "要綱.pdf"
    else:
        assert entries == []


def test_access_remove_anonymous_goes_to_login(client, case_thread):
    attachment = _attach(case_thread())
    response = _remove(client, attachment)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.get(Attachment, attachment.id).deleted_at is None


def test_access_remove_needs_the_csrf_token(client, login, case_thread):
    thread = case_thread()
    attachment = _attach(thread)
    login(thread.author)
    response = client.post(f"/attachments/{attachment.id}/remove", data={"csrf_token": "x"})
    assert response.status_code == 400
    assert db.session.get(Attachment, attachment.id).deleted_at is None


def test_access_thread_author_removes_a_file_a_moderator_added(
    client, login, case_thread, user_factory
):
    thread = case_thread()
    moderator = user_factory(role="moderator")
    attachment = _attach(thread, uploader=moderator)
    login(thread.author)
    assert _remove(client, attachment).status_code == 302
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attachment.remove"))


def test_access_removed_file_cannot_be_removed_again(client, login, case_thread):
    thread = case_thread()
    attachment = _attach(thread)
    login(thread.author)
    assert _remove(client, attachment).status_code == 302
    assert _remove(client, attachment).status_code == 404
