"""The users' query language, and its translation into Whoosh queries.

Deliberately small: words are AND-ed, ``OR`` between two words makes either one enough,
``"…"`` is a phrase, ``-word`` or ``-"…"`` excludes. There is no field, wildcard, range or boost
syntax: the text is never given to Whoosh's query parser, so ``title:x``, ``a*`` or ``x^3`` are
just text. The query is NFKC-normalised first (ＯＲ, full-width quotes and minus signs work).

Each word is searched as a phrase of its morphemes (移動支援 → the pair term 移動_支援), in the
title and the body; a word of three or more characters with kanji or hiragana in it also as the
AND of its bigrams (the dictionary does not always cut such a word the same way in every
sentence). A word some of whose
morphemes the index has never seen is searched as bigrams only (it may be written inside a longer
word that the dictionary cut differently); a one-character word is searched as a character (any
bigram starting with it); and when the whole query finds nothing, it is tried again with bigrams
only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.reading import IndexReader

from search.analysis import Piece, bigram_pieces, fold, morpheme_pairs, normalize, sudachi_pieces
from search.matching import has_term
from search.schema import BODY_FIELDS, TITLE_FIELDS

HYBRID, BIGRAMS, MORPHEMES = "hybrid", "bigrams", "morphemes"
MAX_TERMS = 12
MAX_QUERY_LENGTH = 200
_KANJI_OR_HIRAGANA = re.compile(r"[\u3041-\u3096\u3400-\u4dbf\u4e00-\u9fff]")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "−": "-"})


@dataclass(frozen=True)
class Word:
    text: str
    quoted: bool = False


@dataclass
class ParsedQuery:
    #: AND of groups; a group is an OR of words
    groups: list[list[Word]] = field(default_factory=list)
    excluded: list[Word] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.excluded


def parse(text: str) -> ParsedQuery:
    text = normalize(text or "")[:MAX_QUERY_LENGTH].translate(_QUOTES)
    parsed = ParsedQuery()
    join_next = False
    count = 0
    for match in _TOKEN.finditer(text):
        minus, phrase, bare = match.groups()
        if bare is not None:
            if bare == "OR":
                join_next = bool(parsed.groups)
                continue
            minus, content = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
            quoted = False
        else:
            content, quoted = phrase, True
        content = content.strip()
        if not content or count >= MAX_TERMS:
            join_next = False
            continue
        count += 1
        word = Word(content, quoted)
        if minus:
            parsed.excluded.append(word)
        elif join_next:
            parsed.groups[-1].append(word)
        else:
            parsed.groups.append([word])
        join_next = False
    return parsed


@dataclass
class Highlight:
    """What the snippet marks: morpheme terms, bigram terms, single characters."""

    morphemes: set[str] = field(default_factory=set)
    bigrams: set[str] = field(default_factory=set)
    chars: set[str] = field(default_factory=set)


@dataclass
class Compiled:
    query: wq.Query
    highlight: Highlight
    used_morphemes: bool


def _all(fieldname: str, terms: list[str]) -> wq.Query:
    if len(terms) == 1:
        return wq.Term(fieldname, terms[0])
    return wq.And([wq.Term(fieldname, t) for t in terms])


def _title_or_body(terms: list[str], *, which: int) -> wq.Query:
    """All ``terms`` in the title, or all in the body (``which``: 0 morphemes, 1 bigrams)."""
    return wq.Or([_all(TITLE_FIELDS[which], terms), _all(BODY_FIELDS[which], terms)])


def _morpheme_terms(pieces: list[Piece]) -> list[str]:
    """One morpheme, or the adjacent pairs of several (a phrase, without positions)."""
    if len(pieces) == 1:
        return [pieces[0].text]
    pairs = morpheme_pairs(pieces)
    return [p.text for p in pairs] or [p.text for p in pieces]


def _known(reader: IndexReader, words: list[str]) -> bool:
    return all(
        has_term(reader, TITLE_FIELDS[0], w) or has_term(reader, BODY_FIELDS[0], w) for w in words
    )


def _word_query(word: Word, reader: IndexReader, hl: Highlight, *, mode: str):
    """The query for one word, or None when it has nothing searchable (e.g. only particles)."""
    text = word.text
    grams = [p.text for p in bigram_pieces(text, for_query=True)]
    single = len(grams) == 1 and len(fold(text.strip())) == 1 and not text.isascii()
    if single and mode != MORPHEMES:
        char = grams[0]
        hl.chars.add(char)
        return wq.Or([wq.Prefix(TITLE_FIELDS[1], char), wq.Prefix(BODY_FIELDS[1], char)]), False
    pieces = [] if mode == BIGRAMS else sudachi_pieces(text)
    morphemes = [p.text for p in pieces]
    if morphemes and (mode == MORPHEMES or _known(reader, morphemes)):
        hl.morphemes.update(morphemes)
        query = _title_or_body(_morpheme_terms(pieces), which=0)
        if mode == HYBRID and len(grams) >= 2 and _KANJI_OR_HIRAGANA.search(text):
            # The dictionary cuts some words differently in other sentences (見守り as 見る+守る
            # here, 見る+守り there; 郵便局 but 郵便+局員): a word of three or more characters with
            # kanji or hiragana also matches as its bigrams. Two-character words do not (京都 is
            # in 東京都), nor katakana words, which the dictionary cuts consistently.
            hl.bigrams.update(grams)
            query = wq.Or([query, _title_or_body(grams, which=1)])
        return query, True
    if not grams or mode == MORPHEMES:
        return None, False
    hl.bigrams.update(grams)
    return _title_or_body(grams, which=1), False


def compile_query(parsed: ParsedQuery, reader: IndexReader, *, mode: str = HYBRID) -> Compiled:
    """The Whoosh query for ``parsed`` (``Every`` for an empty one: search as a filter).

    ``mode``: HYBRID (what search uses), or BIGRAMS / MORPHEMES alone (the fallback, and the
    comparisons in ``bench/search_quality.py``)."""
    hl = Highlight()
    used = False
    positives: list[wq.Query] = []
    for group in parsed.groups:
        alternatives = []
        for word in group:
            q, morph = _word_query(word, reader, hl, mode=mode)
            if q is not None:
                alternatives.append(q)
                used = used or morph
        if alternatives:
            positives.append(alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives))
    negatives = []
    for word in parsed.excluded:
        q, _morph = _word_query(word, reader, Highlight(), mode=mode)
        if q is not None:
            negatives.append(q)
    if not positives:
        query: wq.Query = wq.Every()
    else:
        query = positives[0] if len(positives) == 1 else wq.And(positives)
    if negatives:
        query = wq.AndNot(query, wq.Or(negatives))
    return Compiled(query, hl, used)
