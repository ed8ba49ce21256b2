"""Judging uploads by content: magic bytes, Pillow decoding, metadata stripped on re-encode."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from attachments.filenames import display_name
from attachments.inspection import JPEG, PDF, PNG, WEBP, RejectedFile, inspect, sniff
from tests.attachments.conftest import CAMERA, exif_with_gps, make_image, make_pdf

MAX_PIXELS = 40_000_000


def _no_metadata(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert len(image.getexif()) == 0
    assert "exif" not in image.info and "icc_profile" not in image.info
    assert CAMERA.encode() not in data and b"Exif" not in data and b"eXIf" not in data
    return image


@pytest.mark.parametrize("fmt,content_type", [("JPEG", JPEG), ("PNG", PNG), ("WEBP", WEBP)])
def test_inspection_images_lose_exif_and_gps(fmt, content_type):
    original = make_image(fmt, exif=exif_with_gps())
    assert CAMERA.encode() in original  # the test file really carries the metadata
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    checked = inspect(original, max_pixels=MAX_PIXELS)
    assert checked.content_type == content_type
    image = _no_metadata(checked.data)
    assert image.format == fmt and (checked.width, checked.height) == (40, 30)


def test_inspection_jpeg_is_turned_upright_before_the_orientation_goes():
    # orientation 6: the camera held sideways; viewers rotate 90° clockwise
    checked = inspect(make_image("JPEG", exif=exif_with_gps(orientation=6)), max_pixels=MAX_PIXELS)
    image = _no_metadata(checked.data)
    assert image.size == (30, 40) == (checked.width, checked.height)
    # the blue marker was top-left; after a clockwise turn it is top-right
    r, g, b = image.convert("RGB").getpixel((25, 5))
    assert b > 200 and r < 60


def test_inspection_png_text_chunks_are_dropped():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "撮影場所: 東京都千代田区")
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, "PNG", pnginfo=info, transparency=0)
    assert "撮影場所".encode() in out.getvalue() or b"Comment" in out.getvalue()
    checked = inspect(out.getvalue(), max_pixels=MAX_PIXELS)
    assert (
        b"Comment" not in checked.data
        and b"tEXt" not in checked.data
        and b"iTXt" not in checked.data
    )
    assert Image.open(io.BytesIO(checked.data)).mode == "RGBA"  # transparency kept


def test_inspection_pdf_is_kept_as_sent():
    pdf = make_pdf(pages=2)
    checked = inspect(pdf, max_pixels=MAX_PIXELS)
    assert checked.content_type == PDF and checked.data == pdf and checked.width is None


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        b"PK\x03\x04 a zip file (docx, xlsx)",
        b"  %PDF-1.4 not at the start",
        b"MZ\x90\x00 an executable",
    ],
)
def test_inspection_refuses_other_content(data):
    with pytest.raises(RejectedFile) as caught:
        inspect(data, max_pixels=MAX_PIXELS)
    assert "PDF・PNG・JPEG・WebP" in str(caught.value.message)


def test_inspection_refuses_an_image_that_does_not_decode():
    truncated = make_image("PNG")[:60]  # the signature and header, no pixels
    assert sniff(truncated) == PNG
    with pytest.raises(RejectedFile) as caught:
        inspect(truncated, max_pixels=MAX_PIXELS)
    assert "画像を読み込めませんでした" in str(caught.value.message)


def test_inspection_refuses_html_behind_a_png_signature():
    with pytest.raises(RejectedFile):
        inspect(b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script>", max_pixels=MAX_PIXELS)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that *claims* width×height (a decompression bomb's header) with one empty IDAT."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [7_000, 10_000, 20_000])  # our limit, Pillow's warning, its error
def test_inspection_refuses_decompression_bombs(side):
    with pytest.raises(RejectedFile) as caught:
        inspect(_png_header_only(side, side), max_pixels=MAX_PIXELS)
    assert "画素数が多すぎます" in str(caught.value.message)


def test_inspection_pillow_warning_is_an_error_even_above_our_limit():
    """With our own limit set higher than Pillow's, Pillow's bomb *warning* still refuses."""
    with pytest.raises(RejectedFile) as caught:
        inspect(_png_header_only(10_000, 10_000), max_pixels=10**10)
    assert "画素数が多すぎます" in str(caught.value.message)


def test_inspection_refuses_animated_images():
    frames = [Image.new("RGB", (8, 8), c) for c in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:])
    with pytest.raises(RejectedFile) as caught:
        inspect(out.getvalue(), max_pixels=MAX_PIXELS)
    assert "アニメーション" in str(caught.value.message)


@pytest.mark.parametrize(
    "raw,content_type,expected",
    [
        ("令和6年度 事業概要.pdf", PDF, "令和6年度 事業概要.pdf"),
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ("..\\..\\Windows\\win.ini.pdf", PDF, "win.ini.pdf"),
        ("C:\\Users\\田中\\チラシ.PNG", PNG, "チラシ.png"),
        ("チラシ.pdf", PNG, "チラシ.png"),  # judged by content: a PNG is offered as .png
        ("photo.jpeg", JPEG, "photo.jpeg"),
        ("報告書.v2", PDF, "報告書.v2.pdf"),
        ("invoice\u202egpj.exe", PDF, "invoicegpj.exe.pdf"),  # right-to-left override gone
        ("a\x00b\r\nc\t.pdf", PDF, "abc.pdf"),
        ('<script>"x".pdf', PDF, "_script__x_.pdf"),
        ("   ...   ", PDF, "file.pdf"),
        ("", WEBP, "file.webp"),
        (None, PDF, "file.pdf"),
        ("ｶﾀｶﾅ.pdf", PDF, "ｶﾀｶﾅ.pdf"),
    ],
)
def test_filenames_display_name(raw, content_type, expected):
    assert display_name(raw, content_type) == expected


def test_filenames_display_name_is_cut_to_the_column_and_keeps_the_extension():
    name = display_name("共" * 500 + ".pdf", PDF)
    assert len(name) == 200 and name.endswith("共.pdf")


def test_inspection_jpeg_icc_profile_and_comment_are_dropped():
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(
        out, "JPEG", icc_profile=icc, comment="撮影者: 山田".encode(), exif=exif_with_gps()
    )
    original = out.getvalue()
    assert Image.open(io.BytesIO(original)).info.get("icc_profile") == icc
    checked = inspect(original, max_pixels=MAX_PIXELS)
    image = _no_metadata(checked.data)
    assert "comment" not in image.info and "撮影者".encode() not in checked.data
