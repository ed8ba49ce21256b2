"""Files on disk under ``ATTACHMENTS_DIR`` (default ``<instance>/attachments``), named by random
keys: nothing a user sends ever becomes part of a path."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from flask import current_app

_KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{32}\.[a-z]{3,4}")


def root() -> Path:
    return Path(current_app.config["ATTACHMENTS_DIR"])


def new_key(extension: str) -> str:
    """``ab/ab3f…9c.pdf``: 128 random bits, fanned out over 256 folders."""
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}{extension}"


def path_of(key: str) -> Path:
    if not _KEY.fullmatch(key or ""):
        raise ValueError(f"not a storage key: {key!r}")
    return root() / key


def write(key: str, data: bytes) -> Path:
    """Write ``data`` under ``key`` atomically (a half-written file is never visible)."""
    path = path_of(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


def remove(key: str) -> None:
    path_of(key).unlink(missing_ok=True)
