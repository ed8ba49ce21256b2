"""Snippets with the matched words marked, cut from the post's current text in the database.

The text is the NFKC form that was indexed (``search.documents.html_to_text``), analysed again
with the same analyzers, so the marks fall exactly on the matched words. Output is escaped HTML
with ``<mark>`` elements and nothing else.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from search.analysis import bigram_pieces, sudachi_pieces
from search.query import Highlight

SNIPPET_CHARS = 140
#: only this much of a long post is analysed for marks (its opening is shown if they are later)
MARK_CHARS = 3000


def _spans(text: str, hl: Highlight) -> list[tuple[int, int]]:
    text = text[:MARK_CHARS]
    spans: list[tuple[int, int]] = []
    if hl.morphemes:
        spans += [(p.start, p.end) for p in sudachi_pieces(text) if p.text in hl.morphemes]
    if hl.bigrams or hl.chars:
        for p in bigram_pieces(text):
            if p.text in hl.bigrams:
                spans.append((p.start, p.end))
            elif p.text[:1] in hl.chars:
                spans.append((p.start, p.start + 1))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _window(text: str, spans: list[tuple[int, int]], size: int) -> tuple[int, int]:
    """The ``size``-character window holding the most marked spans (text start if none)."""
    if not spans or len(text) <= size:
        return 0, min(len(text), size)
    best, best_count = spans[0][0], 0
    j = 0
    for i, (start, _end) in enumerate(spans):
        j = max(j, i)
        while j + 1 < len(spans) and spans[j + 1][1] <= start + size:
            j += 1
        if j - i + 1 > best_count:
            best, best_count = start, j - i + 1
    begin = max(0, min(best - size // 5, len(text) - size))
    return begin, begin + size


def mark(text: str, hl: Highlight, *, size: int | None = SNIPPET_CHARS) -> Markup:
    """``text`` (or its best window of ``size`` characters) as HTML with matches in ``<mark>``."""
    spans = _spans(text, hl)
    begin, end = (0, len(text)) if size is None else _window(text, spans, size)
    out: list[str] = ["…"] if begin > 0 else []
    cursor = begin
    for start, stop in spans:
        if stop <= begin or start >= end:
            continue
        start, stop = max(start, begin), min(stop, end)
        out.append(escape(text[cursor:start]))
        out.append(Markup("<mark>") + escape(text[start:stop]) + Markup("</mark>"))
        cursor = stop
    out.append(escape(text[cursor:end]))
    if end < len(text):
        out.append("…")
    return Markup("").join(out)
