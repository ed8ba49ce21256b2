"""Japanese text analysis for the index and for queries.

Two analyzers, used on two fields each (title and body):

* :class:`SudachiAnalyzer` — SudachiPy (``sudachidict-core``) in split mode A, indexing each
  morpheme's *normalized form* (買物 → 買い物, コーディネータ → コーディネーター, ｺｰﾃﾞｨﾈｰﾀｰ →
  コーディネーター) and each pair of adjacent morphemes (移動_支援). Particles, auxiliary verbs and
  punctuation are dropped. A multi-morpheme word is searched through its pairs: as precise as a
  phrase query, and far cheaper in Whoosh (no positions are read).
* :class:`BigramAnalyzer` — overlapping character bigrams of every kana/kanji run (plus the
  run's last character on its own, so that a one-character query finds any occurrence), and ASCII
  words whole. It finds what a dictionary splits differently, at some cost in precision; a word
  is searched as the AND of its bigrams.

Both fold the text the same way at index and query time: NFKC (full-width ＮＰＯ = NPO, half-width
ｺｰﾃﾞｨﾈｰﾀｰ = コーディネーター), lower case, hiragana → katakana, and a trailing 長音 ー dropped from
katakana words. Character offsets refer to the NFKC text (:func:`normalize`), which is also the
text that snippets are cut from, so highlights line up.

Whoosh pickles a field's analyzer into the index: these classes keep this import path and hold no
unpicklable state (the Sudachi tokenizer is created lazily, per thread).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from whoosh.analysis import Token, Tokenizer

#: Parts of speech (first level) that carry no meaning on their own in a search.
STOP_POS = frozenset({"助詞", "助動詞", "補助記号", "空白"})
#: ... of which these also end a run of adjacent morphemes (no pair across 。 or a space)
BREAK_POS = frozenset({"補助記号", "空白"})
#: joins two adjacent morphemes into one indexed pair term
PAIR = "_"

#: Sudachi refuses very long input; text is cut at sentence ends into pieces below this size.
MAX_CHUNK = 4000

_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
_KATAKANA_WORD = re.compile(r"([\u30a1-\u30faー]{3,})ー(?![\u30a1-\u30fa])")
_CJK_RUN = re.compile(r"[\u3041-\u3096\u30a1-\u30faー々〆\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_ASCII_WORD = re.compile(r"[a-z0-9]+(?:[.\-_][a-z0-9]+)*")
_TOKEN = re.compile(f"{_CJK_RUN.pattern}|{_ASCII_WORD.pattern}")
_SENTENCE_END = re.compile(r"[。！？!?\n]")


def normalize(text: str) -> str:
    """NFKC: the form of every text that is indexed, searched or cut into a snippet."""
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=200_000)
def fold(term: str) -> str:
    """Lower case, hiragana → katakana, and a trailing ー dropped from katakana words."""
    term = term.lower().translate(_HIRAGANA_TO_KATAKANA)
    return _KATAKANA_WORD.sub(r"\1", term)


@dataclass(frozen=True, slots=True)
class Piece:
    """One analysed token: its indexed text, position and offsets in the NFKC text."""

    text: str
    pos: int
    start: int
    end: int


# --- Sudachi -----------------------------------------------------------------------------------

_local = threading.local()
_dictionary_lock = threading.Lock()
_dictionary = None


def _tokenizer():
    """A Sudachi tokenizer for this thread (tokenizers must not be shared between threads)."""
    global _dictionary
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        from sudachipy import Dictionary, SplitMode

        with _dictionary_lock:
            if _dictionary is None:
                _dictionary = Dictionary(dict="core")
        _local.tokenizer = tokenizer = _dictionary.tokenizer(mode=SplitMode.A)
        _local.pos_cache = {}
    return tokenizer


def _stop_kind(pos_id: int) -> int:
    """0: a meaningful morpheme; 1: skipped; 2: skipped and ends a run of adjacent ones."""
    cache = _local.pos_cache
    kind = cache.get(pos_id)
    if kind is None:
        first = _dictionary.pos_of(pos_id)[0]
        kind = cache[pos_id] = 2 if first in BREAK_POS else 1 if first in STOP_POS else 0
    return kind


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """(offset, piece) pieces of at most about MAX_CHUNK characters, cut after sentence ends."""
    start = 0
    while len(text) - start > MAX_CHUNK:
        cut = start + MAX_CHUNK
        for match in _SENTENCE_END.finditer(text, start + MAX_CHUNK // 2, cut):
            cut = match.end()
        yield start, text[start:cut]
        start = cut
    if start < len(text):
        yield start, text[start:]


def sudachi_pieces(text: str) -> list[Piece]:
    """Morphemes of already-normalised ``text`` as indexed terms (see the module docstring).

    Positions count the kept morphemes; punctuation and spaces leave a gap of one, so that
    :func:`morpheme_pairs` does not pair words across them (particles leave none)."""
    tokenizer = _tokenizer()
    pieces: list[Piece] = []
    pos = 0
    for offset, chunk in _chunks(text):
        for m in tokenizer.tokenize(chunk):
            kind = _stop_kind(m.part_of_speech_id())
            term = "" if kind else fold(m.normalized_form())
            if not term.strip():
                if kind == 2 and pieces and pieces[-1].pos == pos - 1:
                    pos += 1
                continue
            pieces.append(Piece(term, pos, offset + m.begin(), offset + m.end()))
            pos += 1
        pos += 1  # chunks end at sentence ends
    return pieces


def morpheme_pairs(pieces: list[Piece]) -> list[Piece]:
    """Adjacent morphemes as pair terms (移動_支援): a two-morpheme word is one term query, a
    longer one an AND of its pairs, instead of a slow positional phrase query."""
    return [
        Piece(f"{a.text}{PAIR}{b.text}", a.pos, a.start, b.end)
        for a, b in zip(pieces, pieces[1:], strict=False)
        if b.pos == a.pos + 1
    ]


# --- bigrams -----------------------------------------------------------------------------------


def bigram_pieces(text: str, *, for_query: bool = False) -> list[Piece]:
    """Character bigrams of kana/kanji runs and whole ASCII words of already-normalised ``text``.

    At index time each run also yields its last character alone, so a one-character query can be
    a prefix query; a query yields that unigram only for a one-character run.
    """
    pieces: list[Piece] = []
    pos = 0
    lowered = text.lower()
    for match in _TOKEN.finditer(lowered):
        run, start = match.group(), match.start()
        if run[0].isascii():
            pieces.append(Piece(run, pos, start, match.end()))
            pos += 1
            continue
        folded = fold(run)
        for i in range(len(folded) - 1):
            pieces.append(Piece(folded[i : i + 2], pos, start + i, start + i + 2))
            pos += 1
        if len(folded) == 1 or not for_query:
            last = len(folded) - 1
            pieces.append(Piece(folded[last], pos, start + last, start + last + 1))
            pos += 1
    return pieces


# --- Whoosh analyzers ------------------------------------------------------------------------


class _PieceAnalyzer(Tokenizer):
    """A Whoosh analyzer over one of the piece functions above. Picklable, stateless.
    Subclasses define ``pieces(text) -> list[Piece]``."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for piece in self.pieces(normalize(value)):
            token.text = piece.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = piece.text
            if positions:
                token.pos = start_pos + piece.pos
            if chars:
                token.startchar = start_char + piece.start
                token.endchar = start_char + piece.end
            yield token


class SudachiAnalyzer(_PieceAnalyzer):
    """Morphemes and their adjacent pairs."""

    def pieces(self, text: str) -> list[Piece]:
        pieces = sudachi_pieces(text)
        return pieces + morpheme_pairs(pieces)


class BigramAnalyzer(_PieceAnalyzer):
    def pieces(self, text: str) -> list[Piece]:
        return bigram_pieces(text)
