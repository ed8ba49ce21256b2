"""Video URLs: YouTube/Vimeo to privacy-enhanced embeds, strict ids, everything else a link."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from core.video import FRAME_ORIGINS, embed_for, http_url

YT = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
VIMEO = "https://player.vimeo.com/video/76979871?dnt=1"


@pytest.mark.parametrize(
    "url,embed_url",
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", YT),
        ("http://youtube.com/watch?v=dQw4w9WgXcQ&list=PL123&index=2", YT),
        ("https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ", YT),
        ("https://WWW.YouTube.com/watch?v=dQw4w9WgXcQ", YT),
        ("https://youtu.be/dQw4w9WgXcQ", YT),
        ("https://youtu.be/dQw4w9WgXcQ?si=AbCdEf", YT),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ", YT),
        ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", YT),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", YT),
        ("https://www.youtube.com/live/dQw4w9WgXcQ?feature=shared", YT),
        ("  https://youtu.be/dQw4w9WgXcQ  ", YT),
        ("https://youtu.be/dQw4w9WgXcQ?t=90", YT + "?start=90"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m30s", YT + "?start=90"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1h0m5s", YT + "?start=3605"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=soon", YT),
        ("https://vimeo.com/76979871", VIMEO),
        ("https://www.vimeo.com/76979871", VIMEO),
        ("https://vimeo.com/channels/staffpicks/76979871", VIMEO),
        ("https://player.vimeo.com/video/76979871", VIMEO),
        ("https://vimeo.com/76979871/1a2b3c4d5e", VIMEO + "&h=1a2b3c4d5e"),
        ("https://player.vimeo.com/video/76979871?h=1a2b3c4d5e", VIMEO + "&h=1a2b3c4d5e"),
    ],
)
def test_video_embed_for_recognises(url, embed_url):
    embed = embed_for(url)
    assert embed is not None and embed.embed_url == embed_url
    assert embed.embed_url.startswith(FRAME_ORIGINS)


def test_video_embed_for_gives_the_canonical_page():
    assert embed_for("https://youtu.be/dQw4w9WgXcQ?t=90").watch_url == (
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=90s"
    )
    embed = embed_for("https://player.vimeo.com/video/76979871")
    assert (embed.provider, embed.provider_name, embed.video_id) == ("vimeo", "Vimeo", "76979871")
    assert embed.watch_url == "https://vimeo.com/76979871"


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "dQw4w9WgXcQ",
        "youtube.com/watch?v=dQw4w9WgXcQ",  # no scheme
        "javascript:alert(1)//https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "JaVaScRiPt:alert(document.domain)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://youtube.com/watch?v=dQw4w9WgXcQ",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://evil.example/?https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://evilyoutube.com/watch?v=dQw4w9WgXcQ",
        "https://youtu.be.evil.example/dQw4w9WgXcQ",
        "https://www.youtube.com@evil.example/watch?v=dQw4w9WgXcQ",
        "https://user:pass@www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com\\@evil.example/watch?v=dQw4w9WgXcQ",
        "https://vimeo.com.evil.example/76979871",
        "https://player.vimeo.com.evil.example/video/76979871",
        "https://ｙｏｕｔｕｂｅ.com/watch?v=dQw4w9WgXcQ",  # full-width lookalike
        # bad ids
        "https://www.youtube.com/watch?v=dQw4w9WgXc",  # 10 characters
        "https://www.youtube.com/watch?v=dQw4w9WgXcQQ",  # 12
        "https://www.youtube.com/watch?v=dQw4w9W%22Q",
        'https://www.youtube.com/watch?v=dQw4"><script>',
        "https://www.youtube.com/watch",
        "https://www.youtube.com/embed/dQw4w9WgXcQ/extra",
        "https://youtu.be/",
        "https://youtu.be/../../dQw4w9WgXcQ",
        "https://www.youtube.com/channel/UC38IQsAvIsxxjztdMZQtwHA",
        "https://www.youtube.com/playlist?list=PL590L5WQmH8fJ54F369BLDSqIwcs-TCfs",
        "https://vimeo.com/",
        "https://vimeo.com/user12345",
        "https://vimeo.com/0123",
        "https://vimeo.com/76979871/NOTAHASH!",
        "https://vimeo.com/76979871/1a2b3c4d5e/extra",
        "https://player.vimeo.com/video/76979871?h=<script>",
        "https://vimeo.com/1234567890123",  # 13 digits
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ\n<script>",
        "https://www.youtube.com/watch?v=" + "a" * 3000,
    ],
)
def test_video_embed_for_refuses(url):
    assert embed_for(url) is None


@pytest.mark.parametrize(
    "url,expected",
    [
        ("https://example.jp/event/2024", "https://example.jp/event/2024"),
        ("http://www.city.example.lg.jp/", "http://www.city.example.lg.jp/"),
        ("javascript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html;base64,PHNjcmlwdD4=", None),
        ("vbscript:msgbox(1)", None),
        ("//evil.example/", None),
        ("/relative/path", None),
        ("https://", None),
        ("https://user@example.jp/", None),
    ],
)
def test_video_http_url_only_http_links(url, expected):
    assert http_url(url) == expected


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _render(app, url, title=None) -> tuple[str, list[tuple[str, dict]]]:
    with app.test_request_context("/"):
        template = app.jinja_env.from_string(
            '{% from "_video.html" import video %}{{ video(url, title=title) }}'
        )
        html = template.render(url=url, title=title)
    parser = _Tags()
    parser.feed(html)
    return html, parser.tags


def test_video_macro_renders_an_accessible_sandboxed_player(app):
    html, tags = _render(app, "https://youtu.be/dQw4w9WgXcQ", title="見守り活動の紹介動画")
    iframes = [attrs for tag, attrs in tags if tag == "iframe"]
    assert len(iframes) == 1
    frame = iframes[0]
    assert frame["src"] == YT
    assert frame["title"] == "見守り活動の紹介動画"
    assert frame["loading"] == "lazy"
    assert frame["referrerpolicy"] == "strict-origin-when-cross-origin"
    assert "allow-scripts" in frame["sandbox"] and "allow-top-navigation" not in frame["sandbox"]
    assert set(frame["allow"].replace(" ", "").split(";")) == {
        "fullscreen", "picture-in-picture", "encrypted-media"
    }  # fmt: skip
    links = [attrs["href"] for tag, attrs in tags if tag == "a"]
    assert links == ["https://www.youtube.com/watch?v=dQw4w9WgXcQ"]  # the fallback
    assert "YouTubeで見る" in html


def test_video_macro_default_title_names_the_provider(app):
    _html, tags = _render(app, "https://vimeo.com/76979871")
    (frame,) = [attrs for tag, attrs in tags if tag == "iframe"]
    assert frame["title"] == "Vimeoの動画" and frame["src"] == VIMEO


def test_video_macro_other_urls_are_plain_links(app):
    html, tags = _render(app, "https://www.city.example.lg.jp/douga?a=1&b=2")
    assert not any(tag == "iframe" for tag, _ in tags)
    (link,) = [attrs for tag, attrs in tags if tag == "a"]
    assert link["href"] == "https://www.city.example.lg.jp/douga?a=1&b=2"
    assert "nofollow" in link["rel"]


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", 'https://youtube.com.evil.example/watch?v="><script>alert(1)</script>'],
)
def test_video_macro_never_links_or_injects_unsafe_urls(app, url):
    html, tags = _render(app, url)
    assert "<script>" not in html
    assert not any(tag == "iframe" for tag, _ in tags)
    hrefs = [attrs["href"] for tag, attrs in tags if tag == "a"]
    assert hrefs == ([] if url.startswith("javascript:") else [url])  # a link, escaped


def test_video_macro_nothing_for_no_url(app):
    html, _tags = _render(app, None)
    assert html.strip() == ""


def test_video_csp_allows_frames_from_exactly_the_two_players(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    directives = dict(
        (d.split()[0], d.split()[1:]) for d in (p.strip() for p in csp.split(";")) if d
    )
    assert sorted(directives["frame-src"]) == sorted(FRAME_ORIGINS)
    assert "frame-ancestors" in directives and directives["frame-ancestors"] == ["'none'"]
    assert not re.search(r"frame-src[^;]*\*", csp)
