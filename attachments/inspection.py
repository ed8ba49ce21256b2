"""What an uploaded file really is: judged by its bytes, never by its name or the browser's
Content-Type. Images are decoded and re-encoded by Pillow, which drops EXIF (GPS included), XMP,
ICC profiles and comments; a file that does not decode is refused."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"

#: content type -> (Pillow format, file extension)
IMAGE_FORMATS = {PNG: ("PNG", ".png"), JPEG: ("JPEG", ".jpg"), WEBP: ("WEBP", ".webp")}
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", WEBP: ".webp"}
#: extensions a user's file name may keep for each type
ACCEPTED_EXTENSIONS = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    WEBP: (".webp",),
}


class RejectedFile(Exception):
    """The file is not one we accept; ``message`` is for the person who sent it."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Inspected:
    content_type: str
    #: the bytes to store: the upload itself for a PDF, the re-encoded image otherwise
    data: bytes
    width: int | None = None
    height: int | None = None


def sniff(data: bytes) -> str | None:
    """The content type the first bytes announce (PDF, PNG, JPEG or WebP), else None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None


def inspect(data: bytes, *, max_pixels: int) -> Inspected:
    """Check ``data`` and return what to store, or raise :class:`RejectedFile`."""
    content_type = sniff(data)
    if content_type is None:
        raise RejectedFile(_l("添付できるのはPDF・PNG・JPEG・WebPのファイルだけです。"))
    if content_type == PDF:
        return Inspected(PDF, data)
    return _reencode(data, content_type, max_pixels=max_pixels)


def _reencode(data: bytes, content_type: str, *, max_pixels: int) -> Inspected:
    pil_format, _ext = IMAGE_FORMATS[content_type]
    unreadable = _l("画像を読み込めませんでした。壊れていないファイルを選んでください。")
    too_big = _l(
        "画像の画素数が多すぎます（%(limit)s画素まで）。縮小してから添付してください。",
        limit=f"{max_pixels:,}",
    )
    with warnings.catch_warnings():
        # Pillow only *warns* between MAX_IMAGE_PIXELS and twice that: refuse those too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[pil_format]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise RejectedFile(too_big)
                # (a camera's multi-picture JPEG keeps its first picture, the photo itself)
                if content_type != JPEG and getattr(image, "n_frames", 1) > 1:
                    raise RejectedFile(_l("アニメーション画像は添付できません。"))
                image.load()
                clean = _without_metadata(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise RejectedFile(too_big) from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise RejectedFile(unreadable) from exc
    out = io.BytesIO()
    if content_type == JPEG:
        clean.save(out, "JPEG", quality=90, optimize=True)
    elif content_type == WEBP:
        clean.save(out, "WEBP", quality=90)
    else:
        clean.save(out, "PNG", compress_level=3)  # level 6: 3x the time for photos, no smaller
    return Inspected(content_type, out.getvalue(), clean.width, clean.height)


def _without_metadata(image: Image.Image) -> Image.Image:
    """The pixels only, turned upright first (EXIF orientation), in a mode every target format
    can write: a fresh image carries no EXIF, XMP, ICC profile, text chunks or comments. At most
    three copies of the pixels are alive at once (decoded, converted, fresh)."""
    fmt = image.format
    ImageOps.exif_transpose(image, in_place=True)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if has_alpha else "RGB")
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean
