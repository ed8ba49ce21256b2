"""Video links: a YouTube or Vimeo URL becomes a privacy-enhanced embed (youtube-nocookie,
Vimeo with ``dnt=1``); any other URL stays a plain link, and only http(s) URLs become links.

The embed is rebuilt from a strictly validated video id, never from the URL as given, so a
lookalike host or a crafted path can only ever produce "no embed". The site's
Content-Security-Policy (``core.setup``) allows frames from exactly these two players.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

YOUTUBE_HOSTS = frozenset(
    {"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com",
     "www.youtube-nocookie.com"}
)  # fmt: skip
YOUTU_BE = "youtu.be"
VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com"})
VIMEO_PLAYER = "player.vimeo.com"
#: the players' origins, for the Content-Security-Policy frame-src
FRAME_ORIGINS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")

_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_VIMEO_ID = re.compile(r"[1-9][0-9]{0,11}")
_VIMEO_HASH = re.compile(r"[0-9a-f]{6,20}")
_START = re.compile(r"(?:(\d{1,2})h)?(?:(\d{1,4})m)?(?:(\d{1,6})s?)?")
_YOUTUBE_PATHS = ("embed", "shorts", "live", "v")
_MAX_URL = 2048


@dataclass(frozen=True)
class Embed:
    provider: str  # "youtube" | "vimeo"
    provider_name: str  # "YouTube" | "Vimeo"
    video_id: str
    #: the iframe's src: https://www.youtube-nocookie.com/embed/… or https://player.vimeo.com/…
    embed_url: str
    #: the video's own page, for the plain link below the player
    watch_url: str


def http_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL that is safe as a link target, else None
    (``javascript:``, ``data:``, relative or malformed URLs are shown as text, not linked)."""
    parts = _split(url)
    return url.strip() if parts is not None else None


def embed_for(url: str | None) -> Embed | None:
    """The privacy-enhanced embed for a YouTube or Vimeo video URL, else None."""
    parts = _split(url)
    if parts is None:
        return None
    host = (parts.hostname or "").rstrip(".")
    segments = [s for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)
    if host in YOUTUBE_HOSTS:
        if segments == ["watch"]:
            return _youtube((query.get("v") or [""])[0], query)
        if len(segments) == 2 and segments[0] in _YOUTUBE_PATHS:
            return _youtube(segments[1], query)
        return None
    if host == YOUTU_BE:
        return _youtube(segments[0], query) if len(segments) == 1 else None
    if host in VIMEO_HOSTS:
        if len(segments) in (1, 2):  # vimeo.com/123456789 or /123456789/<unlisted hash>
            return _vimeo(*segments)
        if len(segments) == 3 and segments[0] == "channels":
            return _vimeo(segments[2])
        return None
    if host == VIMEO_PLAYER and len(segments) == 2 and segments[0] == "video":
        return _vimeo(segments[1], (query.get("h") or [None])[0])
    return None


def _split(url: str | None):
    if not url or not isinstance(url, str) or len(url) > _MAX_URL:
        return None
    url = url.strip()
    if any(ord(ch) <= 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.username is not None or parts.password is not None:
        return None
    if port not in (None, 80, 443):
        return None
    return parts


def _youtube(video_id: str, query: dict[str, list[str]]) -> Embed | None:
    if not _YOUTUBE_ID.fullmatch(video_id):
        return None
    start = _start_seconds((query.get("t") or query.get("start") or [""])[0])
    return Embed(
        provider="youtube",
        provider_name="YouTube",
        video_id=video_id,
        embed_url=f"https://www.youtube-nocookie.com/embed/{video_id}"
        + (f"?start={start}" if start else ""),
        watch_url=f"https://www.youtube.com/watch?v={video_id}" + (f"&t={start}s" if start else ""),
    )


def _vimeo(video_id: str, unlisted_hash: str | None = None) -> Embed | None:
    if not _VIMEO_ID.fullmatch(video_id):
        return None
    if unlisted_hash is not None and not _VIMEO_HASH.fullmatch(unlisted_hash):
        return None
    return Embed(
        provider="vimeo",
        provider_name="Vimeo",
        video_id=video_id,
        embed_url=f"https://player.vimeo.com/video/{video_id}?dnt=1"
        + (f"&h={unlisted_hash}" if unlisted_hash else ""),
        watch_url=f"https://vimeo.com/{video_id}" + (f"/{unlisted_hash}" if unlisted_hash else ""),
    )


def _start_seconds(value: str) -> int:
    """YouTube's ``t``/``start``: ``90``, ``90s``, ``1m30s``, ``1h2m3s``; 0 if not one of those."""
    match = _START.fullmatch(value) if value else None
    if not match:
        return 0
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds
