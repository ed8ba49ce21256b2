"""Uploading through the attachments page: content checks, limits, storage on disk."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from attachments import attaching, queries
from attachments.models import Attachment
from core.extensions import db
from tests.attachments.conftest import CAMERA, exif_with_gps, make_image, make_pdf


def _stored(app, attachment: Attachment) -> Path:
    return Path(app.config["ATTACHMENTS_DIR"]) / attachment.storage_key


def _only(thread) -> Attachment:
    (attachment,) = queries.list_for_thread(thread.id)
    return attachment


def test_upload_pdf_is_stored_under_the_instance_folder(app, client, login, case_thread, upload):
    thread = case_thread()
    login(thread.author)
    pdf = make_pdf()
    response = upload(thread, pdf, "令和6年度 事業概要.pdf")
    assert response.status_code == 302
    attachment = _only(thread)
    assert attachment.filename == "令和6年度 事業概要.pdf"
    assert attachment.content_type == "application/pdf" and attachment.size == len(pdf)
    assert attachment.sha256 == hashlib.sha256(pdf).hexdigest()
    assert attachment.uploader_id == thread.author_id
    path = _stored(app, attachment)
    assert path.read_bytes() == pdf
    assert path.is_relative_to(Path(app.instance_path) / "attachments")
    assert "令和6年度" not in attachment.storage_key and len(path.stem) == 32
    page = client.get(f"/t/{thread.id}/attachments").get_data(as_text=True)
    assert "ファイルを添付しました。" in page and "令和6年度 事業概要.pdf" in page


def test_upload_jpeg_with_gps_is_stored_without_it(app, client, login, case_thread, upload):
    thread = case_thread()
    login(thread.author)
    photo = make_image("JPEG", size=(64, 48), exif=exif_with_gps(orientation=6))
    assert upload(thread, photo, "会場の写真.jpg").status_code == 302
    attachment = _only(thread)
    stored = _stored(app, attachment).read_bytes()
    assert CAMERA.encode() not in stored and b"Exif" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and len(image.getexif()) == 0
    assert image.size == (48, 64) == (attachment.width, attachment.height)  # upright
    assert attachment.sha256 == hashlib.sha256(stored).hexdigest()
    assert attachment.size == len(stored)


def test_upload_png_with_exif_is_re_encoded(app, client, login, case_thread, upload):
    thread = case_thread(kind="event")
    login(thread.author)
    assert upload(thread, make_image("PNG", exif=exif_with_gps()), "flyer.png").status_code == 302
    stored = _stored(app, _only(thread)).read_bytes()
    assert b"eXIf" not in stored and CAMERA.encode() not in stored


def test_upload_html_renamed_png_is_refused(app, client, login, case_thread, upload):
    thread = case_thread()
    login(thread.author)
    response = upload(thread, b"<!DOCTYPE html><script>alert(document.cookie)</script>", "x.png")
    assert response.status_code == 422
    assert "添付できるのはPDF・PNG・JPEG・WebPのファイルだけです。" in response.get_data(
        as_text=True
    )
    assert queries.list_for_thread(thread.id) == []
    assert not any(Path(app.config["ATTACHMENTS_DIR"]).rglob("*.*"))


def test_upload_png_renamed_pdf_is_judged_by_content(app, client, login, case_thread, upload):
    thread = case_thread(kind="policy")
    login(thread.author)
    assert upload(thread, make_image("PNG"), "募集要項.pdf").status_code == 302
    attachment = _only(thread)
    assert attachment.content_type == "image/png"
    assert attachment.filename == "募集要項.png" and attachment.storage_key.endswith(".png")


def test_upload_path_traversal_name_stays_a_label(
    app, client, login, case_thread, upload, tmp_path
):
    thread = case_thread()
    login(thread.author)
    before = set(tmp_path.rglob("*"))
    assert upload(thread, make_pdf(), "../../../../tmp/evil.pdf").status_code == 302
    attachment = _only(thread)
    assert attachment.filename == "evil.pdf"
    created = {p for p in set(tmp_path.rglob("*")) - before if p.is_file()}
    root = Path(app.config["ATTACHMENTS_DIR"])
    assert created and all(p.is_relative_to(root) for p in created), created
    assert not Path("/tmp/evil.pdf").exists()


def test_upload_without_a_file_says_so(client, login, case_thread, upload):
    thread = case_thread()
    login(thread.author)
    html = client.get(f"/t/{thread.id}/attachments").get_data(as_text=True)
    from tests.fixtures.app import CSRF_RE

    token = CSRF_RE.search(html).group(1)
    response = client.post(f"/t/{thread.id}/attachments", data={"csrf_token": token},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 422
    assert "ファイルを選んでください。" in response.get_data(as_text=True)


def test_upload_without_csrf_token_is_refused(client, login, case_thread, upload):
    thread = case_thread()
    login(thread.author)
    response = upload(thread, make_pdf(), "a.pdf", token="forged")
    assert response.status_code == 400
    assert "フォームの有効期限が切れたか" in response.get_data(as_text=True)
    assert queries.list_for_thread(thread.id) == []


def test_upload_larger_than_the_site_wide_request_limit_is_accepted(
    app, client, login, case_thread, upload
):
    assert app.config["MAX_CONTENT_LENGTH"] < 5 * 1024 * 1024 < app.config["ATTACHMENT_MAX_BYTES"]
    thread = case_thread()
    login(thread.author)
    big_pdf = make_pdf() + b"%" + b"0" * (5 * 1024 * 1024)
    assert upload(thread, big_pdf, "manual.pdf").status_code == 302
    assert _only(thread).size == len(big_pdf)


@pytest.mark.parametrize("app_config", [{"ATTACHMENT_MAX_BYTES": 50_000}], indirect=True)
def test_upload_over_the_limit_gets_a_japanese_message(client, login, case_thread, upload):
    thread = case_thread()
    login(thread.author)
    # just over the limit (inside the request allowance): refused after reading
    response = upload(thread, make_pdf() + b"0" * 50_000, "a.pdf")
    assert response.status_code == 422
    assert "ファイルが大きすぎます。49 KB以下のファイルを選んでください。" in response.get_data(
        as_text=True
    )
    # far over: the request itself is too large; the page still explains, in Japanese
    response = upload(thread, make_pdf() + b"0" * 500_000, "b.pdf")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "ファイルが大きすぎます。" in html and 'type="file"' in html
    assert queries.list_for_thread(thread.id) == []


@pytest.mark.parametrize("app_config", [{"ATTACHMENTS_PER_THREAD": 2}], indirect=True)
def test_upload_too_many_files_per_thread(client, login, case_thread, upload):
    thread = case_thread()
    login(thread.author)
    assert upload(thread, make_pdf(), "1.pdf").status_code == 302
    assert upload(thread, make_image("PNG"), "2.png").status_code == 302
    response = upload(thread, make_pdf(), "3.pdf")
    assert response.status_code == 422
    assert "2件まで" in response.get_data(as_text=True)
    assert len(queries.list_for_thread(thread.id)) == 2


def test_upload_rolled_back_leaves_no_file(app, case_thread):
    thread = case_thread()
    attaching.add_attachment(thread=thread, uploader=thread.author, filename="a.pdf",
                             data=make_pdf())  # fmt: skip
    written = list(Path(app.config["ATTACHMENTS_DIR"]).rglob("*.pdf"))
    assert len(written) == 1
    db.session.rollback()
    assert not written[0].exists()
    assert db.session.scalar(select(Attachment)) is None


@pytest.mark.parametrize(
    "app_config",
    [{"RATELIMIT_ENABLED": True, "ATTACHMENT_UPLOAD_LIMIT": "2 per minute"}],
    indirect=True,
)
def test_upload_is_rate_limited(client, login, case_thread, upload):
    thread = case_thread()
    login(thread.author)
    statuses = [upload(thread, make_pdf(), f"{i}.pdf").status_code for i in range(3)]
    assert statuses == [302, 302, 429]


def test_upload_refused_cleanly_when_the_disk_is_full(
    app, client, login, case_thread, upload, monkeypatch
):
    """A full disk (ENOSPC at the file's fsync: the write path's last step) refuses the upload
    with a Japanese message, keeps no row and leaves no partial file (it was a 500). The real
    fault, a tmpfs filled up under the running site, is bench/faults.py's ``disk``."""
    import errno
    import os

    from attachments import storage

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    thread = case_thread()
    login(thread.author)
    monkeypatch.setattr(storage.os, "fsync", full)
    response = upload(thread, make_pdf(), "チラシ.pdf")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "保存先の空き容量が足りないため、ファイルを保存できませんでした。" in html
    assert queries.list_for_thread(thread.id) == []
    root = Path(app.config["ATTACHMENTS_DIR"])
    assert not [p for p in root.rglob("*") if p.is_file()]
