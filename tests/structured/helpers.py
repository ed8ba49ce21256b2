"""Shared helpers for the structured-thread tests."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from structured.schema import specs_for

_JAPANESE = re.compile(r"[ぁ-んァ-ヶ一-龠]")
_ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")

#: a board where every kind may be posted from its own form
BOARDS = {
    "discussion": "zentai",
    "case": "jirei",
    "event": "events",
    "policy": "seisaku",
    "challenge": "chiiki-kadai",
}
SECTIONS = {"case": "cases", "event": "events", "policy": "policies", "challenge": "challenges"}
#: a local problem as the web form posts it
CHALLENGE_FORM = {
    "title": "北部地区の買い物の足がない", "body": "バスが減便になりました。",
    "prefecture": "28", "life_domains": ["kaimono"], "area": "豊岡市北部",
    "partner_sought": "移動販売をしてくださる事業者", "status": "open",
}  # fmt: skip


def assert_japanese(message: str) -> None:
    """A user-facing message is Japanese: kana/kanji, no English words (URL schemes aside)."""
    text = str(message).replace("https://", "").replace("URL", "")
    assert _JAPANESE.search(text), f"not Japanese: {message!r}"
    assert not _ENGLISH_WORD.search(text), f"English in a Japanese message: {message!r}"


def text_specs(kind: str, types=("text", "markdown")):
    return [s for s in specs_for(kind) if s.type in types]


def form_data(kind: str, fields: dict, title: str = "テストの登録", body: str = "本文です。"):
    """A web form submission from API-style field values (lists stay lists, None is left out)."""
    data: dict = {"title": title, "body": body}
    for name, value in fields.items():
        if value is None:
            continue
        if isinstance(value, list):
            data[name] = value
        else:
            value = str(value)
            if kind == "event" and name in ("start_at", "end_at"):
                value = value[:16]  # the browser's datetime-local form, read as Tokyo time
            data[name] = value
    return data


class _Executable(HTMLParser):
    """Collects what a browser would run: on* attributes, javascript: URLs, script bodies."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.handlers: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name, value or ""))
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                ("javascript:", "data:text/html")
            ):
                self.handlers.append((tag, name, value or ""))
        if tag == "script":
            kind = dict(attrs).get("type")
            self._in_script = kind in (None, "", "text/javascript", "module")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def assert_nothing_executable(page: str, marker: str = "alert(1)") -> None:
    """No element of ``page`` (HTML) would run the injected ``marker``."""
    parser = _Executable()
    parser.feed(page)
    parser.close()
    bad = [h for h in parser.handlers if marker in h[2] or h[1] == "onerror"]
    assert not bad, f"event handlers from user input: {bad}"
    assert not [s for s in parser.scripts if marker in s], "user input inside a <script>"
    assert "<script>alert" not in page.lower()


def next_link(page: str) -> str | None:
    match = re.search(r'<a rel="next" href="([^"]+)"', page)
    return html.unescape(match.group(1)) if match else None


def listed_ids(page: str) -> list[int]:
    """Thread ids in a listing page, in order."""
    items = re.findall(
        r'<li class="listing-item[^"]*">\s*<h2 class="item-title"><a href="/t/(\d+)"', page
    )
    return [int(i) for i in items]
