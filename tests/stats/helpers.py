"""Reading the prefecture map and its table out of a listing page, as a browser would get them."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

SVG = "{http://www.w3.org/2000/svg}"
_LABEL = re.compile(r"^(?P<name>\S+) (?P<count>[\d,]+)件$")


def map_svg(page: str) -> ET.Element:
    """The map's SVG, parsed as XML (it must be well-formed: no HTML entities, all closed)."""
    start = page.index('<svg xmlns="http://www.w3.org/2000/svg" class="map-svg"')
    end = page.index("</svg>", start) + len("</svg>")
    return ET.fromstring(page[start:end])


def map_links(page: str) -> dict[str, tuple[int, str, ET.Element]]:
    """Prefecture name → (count, href, the ``<a>`` element), from the tiles' accessible names."""
    found = {}
    for link in map_svg(page).iter(f"{SVG}a"):
        label = link.get("aria-label")
        title = link.find(f"{SVG}title")
        assert title is not None and title.text == label, f"title and aria-label differ: {label}"
        match = _LABEL.match(label)
        assert match, f"accessible name not 「都道府県 N件」: {label!r}"
        count = int(match["count"].replace(",", ""))
        assert match["name"] not in found
        found[match["name"]] = (count, link.get("href"), link)
    return found


def map_counts(page: str) -> dict[str, int]:
    return {name: count for name, (count, _href, _a) in map_links(page).items()}


def unplaced(page: str) -> int:
    match = re.search(r'class="map-unplaced">(?:全国・地域指定なし|全国（オンライン）)：([\d,]+)件<', page)
    assert match, "no 全国・地域指定なし line"
    return int(match.group(1).replace(",", ""))


class _Table(HTMLParser):
    """Rows of the count table: (地方, 都道府県, 件数, link of the 都道府県), and the footer's
    rows by their heading."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[str, str, int, str | None]] = []
        self.footer: dict[str, int] = {}
        self.region_links: dict[str, str] = {}
        self._in_table = self._in_foot = self._is_region = self._skip = False
        self._cells: list[str] = []
        self._text: list[str] | None = None
        self._href: str | None = None
        self._region = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "count-table" in (attrs.get("class") or ""):
            self._in_table = True
        if not self._in_table:
            return
        if tag == "tfoot":
            self._in_foot = True
        elif tag == "tr":
            self._cells, self._href = [], None
        elif tag in ("td", "th"):
            self._text = []
            self._is_region = tag == "th" and attrs.get("scope") == "rowgroup"
        elif tag == "a" and self._text is not None:
            if self._is_region:
                self._region_href = attrs.get("href")
            else:
                self._href = attrs.get("href")
        elif tag == "span" and "region-total" in (attrs.get("class") or ""):
            self._skip = True  # the 地方's subtotal is not its name

    def handle_endtag(self, tag):
        if not self._in_table:
            return
        if tag == "span":
            self._skip = False
        elif tag in ("td", "th") and self._text is not None:
            text = "".join(self._text).strip()
            if self._is_region:
                self._region = text
                self.region_links[text] = self._region_href
            else:
                self._cells.append(text)
            self._text, self._is_region = None, False
        elif tag == "tr" and self._cells and self._cells[0] != "地方":
            if self._in_foot:
                self.footer[self._cells[0]] = int(self._cells[-1].replace(",", ""))
            else:
                name, count = self._cells
                self.rows.append((self._region, name, int(count.replace(",", "")), self._href))
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data):
        if self._text is not None and not self._skip:
            self._text.append(data)


def table(page: str) -> _Table:
    parser = _Table()
    parser.feed(page)
    parser.close()
    return parser


def table_counts(page: str) -> dict[str, int]:
    return {name: count for _region, name, count, _href in table(page).rows}


def query_of(href: str) -> dict[str, list[str]]:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(html.unescape(href)).query)
