"""Serving files: who may read them, and the headers that keep them inert."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import quote

from attachments import attaching
from core.extensions import db
from tests.attachments.conftest import make_image, make_pdf


def _attach(thread, data: bytes, filename: str):
    attachment = attaching.add_attachment(
        thread=thread, uploader=thread.author, filename=filename, data=data
    )
    db.session.commit()
    return attachment


def _get(client, url: str, **kwargs):
    """GET, read the whole body and close the file the response streams from."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def _url(attachment) -> str:
    return f"/files/{attachment.id}/{quote(attachment.filename)}"


def test_download_pdf_headers(client, case_thread):
    pdf = make_pdf()
    attachment = _attach(case_thread(), pdf, "令和6年度 募集要項.pdf")
    response = _get(client, _url(attachment))
    assert response.status_code == 200 and response.data == pdf
    headers = response.headers
    assert headers["Content-Type"] == "application/pdf"
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('令和6年度 募集要項.pdf')}" in disposition  # RFC 5987
    assert headers["X-Content-Type-Options"] == "nosniff"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "private, no-cache"
    assert headers["ETag"].strip('"') == hashlib.sha256(pdf).hexdigest()
    assert "Cookie" in headers["Vary"]


def test_download_image_is_inline_and_revalidates(client, case_thread):
    attachment = _attach(case_thread(kind="event"), make_image("JPEG"), "チラシ.jpg")
    response = _get(client, _url(attachment))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Content-Disposition"].startswith("inline;")
    etag = response.headers["ETag"]
    again = _get(client, _url(attachment), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_download_content_type_is_the_detected_one(client, case_thread):
    attachment = _attach(case_thread(), make_image("PNG"), "report.pdf")
    response = _get(client, _url(attachment))
    assert response.headers["Content-Type"] == "image/png"
    assert "report.png" in response.headers["Content-Disposition"]


def test_download_other_filename_redirects_to_the_real_one(client, case_thread):
    attachment = _attach(case_thread(), make_pdf(), "要綱.pdf")
    response = _get(client, f"/files/{attachment.id}/evil.html")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(_url(attachment))


def test_download_removed_file_is_404(app, client, login, case_thread):
    thread = case_thread()
    attachment = _attach(thread, make_pdf(), "要綱.pdf")
    path = Path(app.config["ATTACHMENTS_DIR"]) / attachment.storage_key
    attaching.remove_attachment(attachment=attachment, actor=thread.author)
    assert path.exists()  # not before the removal commits
    db.session.commit()
    assert not path.exists()
    assert _get(client, _url(attachment)).status_code == 404
    login(thread.author)
    assert _get(client, _url(attachment)).status_code == 404


def test_download_follows_who_may_view_the_thread(client, login, case_thread, user_factory):
    thread = case_thread()
    attachment = _attach(thread, make_pdf(), "要綱.pdf")
    assert _get(client, _url(attachment)).status_code == 200  # public thread: anyone
    thread.is_hidden = True
    db.session.commit()
    assert _get(client, _url(attachment)).status_code == 404
    login(user_factory())
    assert _get(client, _url(attachment)).status_code == 404
    client.post_form("/logout")
    login(thread.author)
    assert _get(client, _url(attachment)).status_code == 200
    client.post_form("/logout")
    login(user_factory(role="moderator"))
    assert _get(client, _url(attachment)).status_code == 200


def test_download_deleted_thread_is_404(client, case_thread):
    thread = case_thread()
    attachment = _attach(thread, make_pdf(), "要綱.pdf")
    thread.is_deleted = True
    db.session.commit()
    assert _get(client, _url(attachment)).status_code == 404


def test_download_unknown_id_is_404(client):
    assert _get(client, "/files/999999/x.pdf").status_code == 404


def test_download_missing_file_on_disk_is_404_not_500(app, client, case_thread):
    attachment = _attach(case_thread(), make_pdf(), "要綱.pdf")
    (Path(app.config["ATTACHMENTS_DIR"]) / attachment.storage_key).unlink()
    assert _get(client, _url(attachment)).status_code == 404
