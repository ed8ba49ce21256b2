"""Work bounds for the parsers that read user text (issue #13, class 2: CPU exhaustion).

Python-Markdown and bleach are linear on ordinary text but several of their scanners restart at
every candidate position, which is quadratic on pathological runs (a 10,000-character run of
``[`` took 24 s). ``bench/parser_cost.py`` measures each shape. What bounds each one here:

* Link syntax (``[``, ``![``, ``[a``, ``](``, nested brackets, unclosed parentheses or quotes):
  the bracket and parenthesis scanners of the link/reference/image processors share one budget
  of scanned characters per render (``LINK_SCAN_BUDGET``). An ordinary post scans each link a
  few times, far below it; once it is spent, the remaining candidates are scanned only up to
  what is left, so they stay literal text. Nothing the user typed is dropped.
* Tables: the table test looked at every remaining line of a block before each line another
  processor consumed (``"a\\n=\\n" * n``); it now reads the two lines it needs first.
* Code spans: the closing-run search walked character by character for every unmatched opener
  (`` "`a``a```a" ``); it now jumps from one backtick run to the next with a regular expression.
* Linkify: bleach's URL pattern starts with ``\\(*``, which re-reads every run of ``(`` from
  each position, and its ``([\\w-]+\\.)+`` host backtracks for minutes on ``"a-." * n``; here
  one optional parenthesis, and host labels bounded as DNS bounds them (63 characters, 16
  labels): the same links in linear time.
* Raw HTML: Python-Markdown's HTML block parser (the standard library's ``html.parser``) scans
  to the end of the text for every ``<a`` that never closes; more than ``MAX_TAG_STARTS`` such
  starts is treated as too complex (an ordinary post has none or a handful).
* Block structure: several block processors search the whole remaining block before each
  step, so a block of thousands of one-line headers (``"a\n=\n" * n``, ``"---\nx\n" * n``) is
  quadratic. The characters they are handed are counted (``BLOCK_WORK_LIMIT``); past the limit,
  and on nesting thousands deep (Python's recursion limit), the renderer raises ``TooComplex``
  and ``render_markdown`` shows the text as typed (escaped, line breaks kept): nothing is lost.
* Sanitizing: bleach (html5lib) costs about 30 µs per tag, and a table of one-letter cells
  makes eight times more HTML than text; past ``MAX_HTML_TAGS`` the same fallback applies.
"""

from __future__ import annotations

import re

import markdown
from bleach.linkifier import URL_RE
from markdown.extensions import Extension
from markdown.extensions.tables import PIPE_LEFT, PIPE_NONE, PIPE_RIGHT, TableProcessor
from markdown.inlinepatterns import BacktickInlineProcessor

#: characters the link scanners may read per render (an all-links 20,000-character post
#: reads about 80,000)
LINK_SCAN_BUDGET = 200_000

#: characters the block processors may be handed per render: a 20,000-character post with a
#: blank line between paragraphs uses well under 100,000; 1,000 one-line headings each with
#: one line of text and no blank lines about 10 million (≈0.15 s); ``"a\n=\n" * 5000`` 50
#: million (≈1.2 s)
BLOCK_WORK_LIMIT = 10_000_000

#: tags (``<`` in the HTML) the sanitizer may be handed: a 20,000-character list of links
#: makes about 5,000
MAX_HTML_TAGS = 6_000

_LINK_PROCESSORS = (
    "reference", "link", "image_link", "image_reference", "short_reference", "short_image_ref",
)  # fmt: skip

#: bleach's URL pattern without the quadratic ``\(*`` prefix (one optional parenthesis is
#: enough for its ``strip_non_url_bits`` to keep ``(http://…)`` out of the link)
_url = URL_RE.pattern.replace(r"\(*", r"\(?", 1).replace(
    r"([\w-]+\.)+", r"([\w-]{1,63}\.){1,16}", 1
)
assert _url.count(r"\(?") == 1 and r"{1,63}" in _url, "bleach changed its URL pattern"
LINKIFY_URL_RE = re.compile(_url, URL_RE.flags)

#: ``<`` + letter (a possible HTML start tag) allowed in one text
MAX_TAG_STARTS = 1_000
_TAG_START = re.compile(r"<[A-Za-z!?/]")
#: leading spaces or tabs on a line: each four columns may open one more nested list, and
#: Python-Markdown recurses per level (hitting the recursion limit takes seconds)
MAX_INDENT = 80
_DEEP_INDENT = re.compile(rf"^[ \t]{{{MAX_INDENT + 1}}}", re.MULTILINE)

_TICKS = re.compile(r"`+")


class TooComplex(Exception):
    """The text needs more parsing work than a post may cost (see ``render_markdown``)."""


class _Budget:
    def __init__(self, chars: int) -> None:
        self.left = chars


def _bounded_scanners(processor, budget: _Budget) -> None:
    """Make ``processor``'s getText/getLink read at most what is left of ``budget``."""
    get_text, get_link = processor.getText, processor.getLink

    def window(data: str, index: int) -> str:
        return data if len(data) - index <= budget.left else data[: index + budget.left]

    def bounded_get_text(data: str, index: int):
        text, end, handled = get_text(window(data, index), index)
        budget.left = max(0, budget.left - (end - index))
        return text, end, handled

    def bounded_get_link(data: str, index: int):
        data = window(data, index)
        href, title, end, handled = get_link(data, index)
        scanned = data[index:end]
        if not handled or (
            ("'" in scanned or '"' in scanned) and scanned[:-1].rstrip()[-1:] not in ("'", '"')
        ):
            scanned = data[index:]  # an unclosed title: it read to the end, then backed up
        budget.left = max(0, budget.left - len(scanned))
        return href, title, end, handled

    processor.getText, processor.getLink = bounded_get_text, bounded_get_link


class _LinearBacktickProcessor(BacktickInlineProcessor):
    """Python-Markdown's code spans, finding backtick runs with a regular expression (same
    result as the character loop it replaces, without re-walking text per opener)."""

    def find_code_spans(self, start: int, text: str) -> tuple[int, int | None]:
        opening = _TICKS.match(text, start)
        max_ticks = len(opening.group()) if opening else 0
        start += max_ticks
        longest_span, end = 0, 0
        for run in _TICKS.finditer(text, start):
            span_length = len(run.group())
            if span_length == max_ticks:
                return start, run.start()
            if span_length > longest_span:
                longest_span, end = span_length, run.end()
        if 0 < longest_span < max_ticks:
            return start - (max_ticks - longest_span), end - longest_span
        return start + max_ticks, None


def _has_pipe(row: str) -> bool:
    return row.startswith("|") or TableProcessor.RE_END_BORDER.search(row) is not None


class _LazyTableProcessor(TableProcessor):
    """The table test of Python-Markdown, reading the first two lines before the rest (same
    decision; the original split the whole remaining block on every call). Being asked first
    at every step of the block parser, it also counts the block work."""

    def __init__(self, parser, config, work: _Budget) -> None:
        super().__init__(parser, config)
        self.work = work

    def test(self, parent, block: str) -> bool:
        self.work.left -= len(block)
        if self.work.left < 0:
            raise TooComplex
        first, newline, rest = block.partition("\n")
        if not newline:
            return False
        header0 = first.strip(" ")
        second = rest.partition("\n")[0].strip(" ")
        self.border = PIPE_NONE
        if header0.startswith("|"):
            self.border |= PIPE_LEFT
        if self.RE_END_BORDER.search(header0) is not None:
            self.border |= PIPE_RIGHT
        row0_len = len(self._split_row(header0))
        separator = self._split_row(second)
        if len(separator) != row0_len or not set("".join(separator)) <= set("|:- "):
            return False
        if row0_len == 1:  # each row of a one-column table needs a pipe
            if not self.border or not all(_has_pipe(r.strip(" ")) for r in rest.split("\n")):
                return False
        elif row0_len < 1:
            return False
        self.separator = separator
        return True


def check_source(source: str) -> None:
    """Raise ``TooComplex`` for text whose parsing cost no bound inside the parser can cap, or
    that would surely make more than ``MAX_HTML_TAGS`` tags (each table cell boundary and each
    line break makes at least one: refuse before parsing rather than after)."""
    if (
        len(_TAG_START.findall(source)) > MAX_TAG_STARTS
        or _DEEP_INDENT.search(source)
        or source.count("|") > MAX_HTML_TAGS // 2
        or source.count("\n") > MAX_HTML_TAGS
    ):
        raise TooComplex


class BoundsExtension(Extension):
    """Registers the bounded processors on a Markdown instance (one instance per render)."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        budget = _Budget(LINK_SCAN_BUDGET)
        for name in _LINK_PROCESSORS:
            if name in md.inlinePatterns:
                _bounded_scanners(md.inlinePatterns[name], budget)
        backtick = md.inlinePatterns["backtick"]
        md.inlinePatterns.register(_LinearBacktickProcessor(backtick.pattern), "backtick", 190)
        if "table" in md.parser.blockprocessors:
            table = md.parser.blockprocessors["table"]
            lazy = _LazyTableProcessor(md.parser, table.config, _Budget(BLOCK_WORK_LIMIT))
            md.parser.blockprocessors.register(lazy, "table", 75)
