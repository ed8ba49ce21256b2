"""Unit tests of :func:`forum.rendering.render_markdown`: the XSS payload corpus, then behaviour.

Pure functions only: no application, database or fixtures.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from forum.rendering import ALLOWED_TAGS, LINK_REL, RENDERER_VERSION, render_markdown

PAYLOAD_FILE = Path(__file__).with_name("xss_payloads.txt")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "0": "\0"}

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
FORBIDDEN_TAGS = frozenset({"script", "iframe", "object", "embed", "svg", "math"})
URL_ATTRIBUTES = frozenset({"href", "src"})
# Browsers drop ASCII tab/newline anywhere in a URL and C0 controls/space around it; drop them
# everywhere (and DEL), which is stricter, before looking for a scheme.
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")


def load_payloads() -> list[str]:
    payloads = []
    for line in PAYLOAD_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("# "):
            continue
        payloads.append(re.sub(r"\\([tnr0])", lambda m: _ESCAPES[m.group(1)], line))
    return payloads


PAYLOADS = load_payloads()


class Element:
    def __init__(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tag = tag
        self.attrs = {name: value or "" for name, value in attrs}

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"


class Collector(HTMLParser):
    """Records every element (with its entity-decoded attributes), comment and declaration."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.others: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append(Element(tag, attrs))

    def handle_comment(self, data):
        self.others.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.others.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.others.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.others.append(f"<![{data}]>")


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector


def elements(html: str, tag: str) -> list[Element]:
    return [element for element in parse(html).elements if element.tag == tag]


def url_scheme(url: str) -> str | None:
    match = _SCHEME.match(_URL_IGNORED.sub("", url).lower())
    return match.group(1) if match else None


def unsafe_parts(html: str) -> list[str]:
    """Everything in ``html`` that the allow-list should have made impossible."""
    collector = parse(html)
    problems = list(collector.others)
    for element in collector.elements:
        if element.tag not in ALLOWED_TAGS or element.tag in FORBIDDEN_TAGS:
            problems.append(f"element {element!r}")
        for name, value in element.attrs.items():
            if name.startswith("on") or name == "style":
                problems.append(f"attribute {name}= on {element!r}")
            elif name in URL_ATTRIBUTES and url_scheme(value) not in (None, *SAFE_SCHEMES):
                problems.append(f"URL {name}={value!r} on {element!r}")
    return problems


# --- the XSS corpus ---------------------------------------------------------------------------


def test_rendering_payload_corpus_is_large_enough():
    assert len(PAYLOADS) >= 40
    assert len(set(PAYLOADS)) == len(PAYLOADS), "duplicate payloads in xss_payloads.txt"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rendering_neutralises_xss_payload(payload):
    html = render_markdown(payload)
    assert unsafe_parts(html) == [], html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rendering_is_stable_for_xss_payload(payload):
    assert render_markdown(payload) == render_markdown(payload)


def test_rendering_checker_rejects_unsafe_html():
    """Guard against a checker that passes everything."""
    assert unsafe_parts('<script>alert(1)</script><p onclick="x" style="y">z</p>')
    assert unsafe_parts('<a href="jav&#x09;ascript:alert(1)">x</a>')
    assert unsafe_parts('<a href=" VBScript:x">x</a>')
    assert unsafe_parts("<!-- comment -->")
    assert (
        unsafe_parts('<p><a href="/relative">a</a> <a href="mailto:a@example.jp">b</a></p>') == []
    )


# --- Markdown basics --------------------------------------------------------------------------


def test_rendering_bold_and_emphasis():
    assert render_markdown("**太字** と *強調*") == "<p><strong>太字</strong> と <em>強調</em></p>"


def test_rendering_unordered_list():
    html = render_markdown("- 買い物\n- 見守り")
    assert html == "<ul>\n<li>買い物</li>\n<li>見守り</li>\n</ul>"


def test_rendering_ordered_list_keeps_start():
    html = render_markdown("3. 三\n4. 四")
    assert [e.attrs for e in elements(html, "ol")] == [{"start": "3"}]
    assert len(elements(html, "li")) == 2


def test_rendering_fenced_code_keeps_language_class():
    html = render_markdown("```python\nprint('こんにちは')\n```")
    assert html.startswith('<pre><code class="language-python">')
    assert [e.attrs for e in elements(html, "code")] == [{"class": "language-python"}]


def test_rendering_fenced_code_drops_unsafe_class():
    html = render_markdown('<code class="language-x y">a</code><code class="evil">b</code>')
    assert [e.attrs for e in elements(html, "code")] == [{}, {}]


def test_rendering_fenced_code_is_not_autolinked():
    html = render_markdown("```\nhttps://example.jp/\n```\n\n`https://example.jp/`")
    assert elements(html, "a") == []
    assert html.count("https://example.jp/") == 2


def test_rendering_code_is_escaped_exactly_once():
    html = render_markdown('```\nif a < b && c > "d":\n```\n\n`x <y> & z`')
    assert "&amp;lt;" not in html and "&amp;amp;" not in html
    assert "if a &lt; b &amp;&amp; c &gt;" in html
    assert "<code>x &lt;y&gt; &amp; z</code>" in html


def test_rendering_table():
    html = render_markdown("| 地域 | 件数 |\n|---|---|\n| 東京 | 3 |")
    tags = [e.tag for e in parse(html).elements]
    assert tags == ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]
    assert "<td>東京</td>" in html


def test_rendering_table_alignment_survives():
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert [e.attrs.get("align") for e in elements(html, "td")] == ["left", "right"]


def test_rendering_blockquote():
    assert render_markdown("> 引用です") == "<blockquote>\n<p>引用です</p>\n</blockquote>"


def test_rendering_single_newline_becomes_line_break():
    assert render_markdown("一行目\n二行目") == "<p>一行目<br>\n二行目</p>"


def test_rendering_japanese_text_untouched():
    text = "生活支援共創プラットフォーム「共創」へようこそ！　全角スペース、句読点。～①②"
    assert render_markdown(text) == f"<p>{text}</p>"


# --- links ------------------------------------------------------------------------------------


def test_rendering_markdown_link_gets_rel():
    html = render_markdown('[共創](https://example.jp/kyoso "タイトル")')
    assert [e.attrs for e in elements(html, "a")] == [
        {"href": "https://example.jp/kyoso", "title": "タイトル", "rel": LINK_REL}
    ]
    assert LINK_REL == "nofollow ugc noopener"


def test_rendering_bare_urls_are_autolinked_with_rel():
    html = render_markdown("詳細は https://example.jp/a?b=1&c=2 と www.example.com を参照")
    assert [e.attrs for e in elements(html, "a")] == [
        {"href": "https://example.jp/a?b=1&c=2", "rel": LINK_REL},
        {"href": "http://www.example.com", "rel": LINK_REL},
    ]


def test_rendering_angle_bracket_autolink_gets_rel():
    html = render_markdown("<https://example.jp/>")
    assert [e.attrs for e in elements(html, "a")] == [
        {"href": "https://example.jp/", "rel": LINK_REL}
    ]


def test_rendering_raw_link_target_is_replaced_by_rel():
    html = render_markdown('<a href="https://example.jp" target="_blank" rel="opener">x</a>')
    assert [e.attrs for e in elements(html, "a")] == [
        {"href": "https://example.jp", "rel": LINK_REL}
    ]


def test_rendering_mailto_allowed():
    html = render_markdown("[連絡先](mailto:info@example.jp) と <info@example.jp>")
    links = elements(html, "a")
    assert [e.attrs["href"] for e in links] == ["mailto:info@example.jp"] * 2
    assert all(e.attrs["rel"] == LINK_REL for e in links)


def test_rendering_relative_link_allowed():
    html = render_markdown("[スレッド](/t/1#p2)")
    assert [e.attrs["href"] for e in elements(html, "a")] == ["/t/1#p2"]


def test_rendering_javascript_link_loses_href():
    html = render_markdown("[押して](javascript:alert(1))")
    assert [e.attrs for e in elements(html, "a")] == [{"rel": LINK_REL}]
    assert "押して" in html and "javascript" not in html


def test_rendering_bare_url_stops_before_escaped_html():
    html = render_markdown("https://example.jp/<tag>")
    assert [e.attrs["href"] for e in elements(html, "a")] == ["https://example.jp/"]


def test_rendering_unlisted_scheme_is_not_autolinked():
    html = render_markdown("ftp://example.com/file と feed://example.com/rss")
    assert elements(html, "a") == []
    assert "ftp://example.com/file" in html


# --- raw HTML ---------------------------------------------------------------------------------


def test_rendering_event_handler_on_allowed_tag_is_stripped():
    html = render_markdown("<b onclick=alert(1)>太字</b>")
    assert html == "<p><b>太字</b></p>"


def test_rendering_disallowed_tags_are_escaped_not_executed():
    html = render_markdown("前<script>alert(1)</script>後")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert [e.tag for e in parse(html).elements] == ["p"]


def test_rendering_image_is_escaped():
    html = render_markdown("![写真](https://example.jp/a.png)")
    assert elements(html, "img") == []
    assert "&lt;img" in html


def test_rendering_comments_are_removed():
    assert render_markdown("前<!-- 秘密 -->後") == "<p>前後</p>"


# --- stability and versioning -----------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "**太字** https://example.jp/ [x](mailto:a@example.jp)\n改行",
        "```js\nconst a = 1 < 2 && '\"';\n```",
        "| a | b |\n|:-:|---|\n| 1 | 2 |",
        "<a@example.jp> <https://example.jp/?a=1&b=2>",
    ],
)
def test_rendering_is_stable(source):
    assert render_markdown(source) == render_markdown(source)


def test_rendering_renderer_version_is_int():
    assert type(RENDERER_VERSION) is int
    assert RENDERER_VERSION >= 1
