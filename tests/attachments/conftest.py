"""Real files made here with Pillow (images with EXIF and GPS, a PDF) and structured threads."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from core.extensions import db
from tests.fixtures.app import CSRF_RE

CAMERA = "KyosoTestCam"
#: 35°41'22"N 139°41'30"E (Tokyo)
GPS = {1: "N", 2: (35.0, 41.0, 22.0), 3: "E", 4: (139.0, 41.0, 30.0)}


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = CAMERA  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0112] = orientation
    exif[0x8825] = GPS  # GPSInfo IFD
    return exif


def make_image(fmt: str, size=(40, 30), *, exif: Image.Exif | None = None, mode="RGB") -> bytes:
    image = Image.new(mode, size, "red" if mode != "L" else 128)
    for x in range(size[0] // 2):  # a marker in the top-left quarter, to check the rotation
        for y in range(size[1] // 2):
            image.putpixel((x, y), (0, 0, 255) if mode == "RGB" else 0)
    out = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    image.save(out, fmt, **options)
    return out.getvalue()


def make_pdf(pages: int = 1) -> bytes:
    out = io.BytesIO()
    first, *rest = [Image.new("RGB", (200, 280), "white") for _ in range(pages)]
    first.save(out, "PDF", save_all=True, append_images=rest, title="イベントのチラシ")
    return out.getvalue()


@pytest.fixture
def case_thread(thread_factory, user_factory):
    """A case (取組事例) by its own author; ``case_thread.author`` may attach."""

    def make(kind: str = "case", **kwargs):
        thread = thread_factory(author=kwargs.pop("author", None) or user_factory(), **kwargs)
        thread.kind = kind
        db.session.commit()
        return thread

    return make


@pytest.fixture
def upload(client):
    """``upload(thread, data, filename)``: the upload form posted like a browser (multipart,
    CSRF token from the page)."""

    def _upload(thread, data: bytes, filename: str = "file.bin", *, token: str | None = None):
        if token is None:
            html = client.get(f"/t/{thread.id}/attachments").get_data(as_text=True)
            match = CSRF_RE.search(html)
            token = match.group(1) if match else client.csrf_token()
        response = client.post(
            f"/t/{thread.id}/attachments",
            data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
            content_type="multipart/form-data",
        )
        # Werkzeug's test client spools bodies over 500 KB to a temporary file it never closes
        response.request.environ["wsgi.input"].close()
        return response

    return _upload
