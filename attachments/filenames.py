"""Names and sizes as people see them.

The name a file is shown and downloaded under It is only ever a label (files are stored
under random keys): Japanese names stay as typed; folders, control and bidirectional-override
characters and characters that some systems refuse in file names go; the extension follows the
content."""

from __future__ import annotations

import re
import unicodedata

from attachments.inspection import ACCEPTED_EXTENSIONS, EXTENSIONS

MAX_LENGTH = 200  # attachments.filename
_FORBIDDEN = re.compile(r'[<>:"|?*\\/]')
_SPACES = re.compile(r"\s+")
_KNOWN = frozenset(ext for exts in ACCEPTED_EXTENSIONS.values() for ext in exts)


def display_name(raw: str | None, content_type: str) -> str:
    """A safe display name for an upload called ``raw`` whose content is ``content_type``."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]  # "C:\\Users\\…\\a.pdf", "../../etc/passwd"
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # Cc, Cf (U+202E), …
    name = _SPACES.sub(" ", _FORBIDDEN.sub("_", name)).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem = name
    ext = f".{ext.lower()}" if dot else ""
    if ext in ACCEPTED_EXTENSIONS[content_type]:
        suffix = ext
    else:  # a PNG called flyer.pdf is offered as flyer.png, never as a PDF
        suffix = EXTENSIONS[content_type]
        if ext not in _KNOWN:
            stem = name  # "報告書.v2" -> "報告書.v2.pdf"
    stem = stem.strip(" .")[: MAX_LENGTH - len(suffix)].rstrip(" .") or "file"
    return stem + suffix


def filesize(size: int) -> str:
    """As file managers show it (1 KB = 1,024 bytes): 999 B, 49 KB, 1.4 MB, 10 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{round(size / (1024 * 1024), 1):g} MB"
