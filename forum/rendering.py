"""Markdown → HTML → bleach allow-list. Runs once, on write; templates print the stored HTML.

Bump ``RENDERER_VERSION`` whenever the output of :func:`render_markdown` changes, then run
``flask --app app render-posts`` to re-render every stored post.
"""

from __future__ import annotations

from functools import partial
from html import escape
from urllib.parse import urlparse

import bleach
import markdown
from bleach.linkifier import LinkifyFilter
from markdown.extensions.tables import TableExtension

from forum.markdown_bounds import (
    LINKIFY_URL_RE,
    MAX_HTML_TAGS,
    BoundsExtension,
    TooComplex,
    check_source,
)

RENDERER_VERSION = 3  # 3: parsing work bounded (forum.markdown_bounds)

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "b", "i", "del", "s", "code", "pre", "blockquote",
        "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr",
        "th", "td", "sup", "sub", "dl", "dt", "dd", "abbr",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "abbr": ["title"],
    "th": ["align"],
    "td": ["align"],
    "ol": ["start"],
    "code": ["class"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

_MARKDOWN_EXTENSIONS = [
    "fenced_code",
    TableExtension(use_align_attribute=True),  # align="…" instead of style="…" (styles are cut)
    "sane_lists",
    "nl2br",
    BoundsExtension(),  # after tables: replaces its test with a linear one
]


def _code_class_allowed(tag: str, name: str, value: str) -> bool:
    if tag == "code" and name == "class":
        return value.startswith("language-") and value[9:].replace("-", "").isalnum()
    return name in ALLOWED_ATTRIBUTES.get(tag, ())


def _set_rel(attrs: dict, new: bool = False) -> dict | None:
    href = attrs.get((None, "href"), "")
    scheme = urlparse(href).scheme.lower()
    if scheme and scheme not in ALLOWED_PROTOCOLS:
        return None
    attrs[(None, "rel")] = LINK_REL
    attrs.pop((None, "target"), None)
    return attrs


_cleaner = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_code_class_allowed,
    protocols=ALLOWED_PROTOCOLS,
    strip=False,
    strip_comments=True,
    # Linkify inside the same pass: a separate Linker after clean() would re-escape code blocks
    # and let bare URLs swallow the escaped text that follows them.
    filters=[
        partial(
            LinkifyFilter,
            callbacks=[_set_rel],
            skip_tags={"pre", "code"},
            parse_email=False,
            url_re=LINKIFY_URL_RE,
        )
    ],
)


def render_markdown(source: str) -> str:
    """Render user Markdown to sanitized HTML (the only way user HTML is produced)."""
    md = markdown.Markdown(extensions=_MARKDOWN_EXTENSIONS, output_format="html")
    try:
        check_source(source)
        html = md.convert(source)
        if html.count("<") > MAX_HTML_TAGS:  # the sanitizer's cost grows with the tags
            raise TooComplex
    except (TooComplex, RecursionError):  # too costly or nested too deep: the text as typed
        html = f"<pre>{escape(source, quote=False)}</pre>"
    return _cleaner.clean(html)
