"""Full names of people in Japanese text, found by SudachiPy (``sudachidict-core``).

Used by :mod:`moderation.pii` only for the few sentences where a person's age, birth date,
health or living situation is written, to find names that carry no honorific (氏名　田中一郎,
野村 カツ、生年月日…). A name is a morpheme tagged 名詞,固有名詞,人名,姓 followed (after at most
one space) by one tagged 人名,名, or by a katakana word of 2-4 characters (工藤 ミチ, 林 ミネ: Sudachi
does not know every old given name, or files it as a surname). A surname alone is not a name
here: the regular expressions in ``pii`` find 田中さん, and a bare surname is too often a place or
a word; ``analyse`` also returns the surnames, for ``pii`` to confirm 西田のおばあちゃん, 鈴木家.

The tokenizer is created lazily, one per thread (a Sudachi tokenizer must not be shared between
threads), as in ``search.analysis``. Without SudachiPy installed, no names are found and the
guard falls back to its regular expressions. Input is cut to ``MAX_CHARS`` per call, so the cost
is bounded whatever the caller passes.
"""

from __future__ import annotations

import re
import threading

MAX_CHARS = 2000  # characters analysed per call (the caller passes only sentences that matter)

_local = threading.local()
_dictionary_lock = threading.Lock()
_dictionary = None
_unavailable = False

_SURNAME, _GIVEN, _PROPER, _NOUN, _SPACE, _OTHER, _PLACE = range(7)
_KATAKANA_GIVEN = re.compile(r"[\u30a1-\u30fa]{2,4}")


def _tokenizer():
    """This thread's Sudachi tokenizer, or None when SudachiPy or its dictionary is missing."""
    global _dictionary, _unavailable
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None and not _unavailable:
        try:
            from sudachipy import Dictionary, SplitMode

            with _dictionary_lock:
                if _dictionary is None:
                    _dictionary = Dictionary(dict="core")
            _local.tokenizer = tokenizer = _dictionary.tokenizer(mode=SplitMode.C)
            _local.pos_cache = {}
        except (ImportError, OSError, RuntimeError):
            _unavailable = True
    return tokenizer


def _pos_kind(pos_id: int) -> int:
    cache = _local.pos_cache
    kind = cache.get(pos_id)
    if kind is None:
        pos = _dictionary.pos_of(pos_id)
        if pos[:3] == ("名詞", "固有名詞", "人名"):
            kind = _SURNAME if pos[3] == "姓" else _GIVEN if pos[3] == "名" else _NOUN
        elif pos[:3] == ("名詞", "固有名詞", "一般"):
            kind = _PROPER  # 野村: a surname Sudachi files as a proper noun
        elif pos[:3] == ("名詞", "固有名詞", "地名"):
            kind = _PLACE  # 宮下: many surnames are also place names
        else:
            kind = _NOUN if pos[0] == "名詞" else _SPACE if pos[0] == "空白" else _OTHER
        cache[pos_id] = kind
    return kind


def full_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of each surname + given name in ``text`` (offsets into ``text``)."""
    return analyse(text)[0]


def analyse(
    text: str,
) -> tuple[list[tuple[int, int]], list[tuple[int, int]], list[tuple[int, int]]]:
    """The full names in ``text`` and, apart, every surname morpheme (start, end) -- or proper
    noun that is no place (野村) -- with which the caller confirms that 西田 in 西田のおばあちゃん or
    鈴木 in 鈴木家 is a surname (近所, 田舎, 専門 are not); and, third, the place names of two
    characters or more (宮下, 横手), which the caller accepts in a family reference only."""
    tokenizer = _tokenizer()
    if tokenizer is None or not text:
        return [], [], []
    morphemes = [
        (_pos_kind(m.part_of_speech_id()), m.begin(), m.end(), m.surface())
        for m in tokenizer.tokenize(text[:MAX_CHARS])
    ]
    names, surnames, places = [], [], []
    for i, (kind, begin, end, surface) in enumerate(morphemes):
        if kind == _PLACE and len(surface) >= 2:
            places.append((begin, end))
        if kind == _PROPER:
            surnames.append((begin, end))
        if kind != _SURNAME:
            continue
        surnames.append((begin, end))
        j = i + 1
        if j < len(morphemes) and morphemes[j][0] == _SPACE and len(morphemes[j][3]) == 1:
            j += 1  # 野村 カツ: one space between surname and given name
        if j >= len(morphemes):
            continue
        given_kind, _b, given_end, given = morphemes[j]
        if given_kind == _GIVEN or (
            # 工藤 ミチ, 林 ミネ: an old given name Sudachi does not know, or files as a surname
            given_kind in (_NOUN, _SURNAME, _PROPER) and _KATAKANA_GIVEN.fullmatch(given)
        ):
            names.append((begin, given_end))
    return names, surnames, places
