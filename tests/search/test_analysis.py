"""The analyzers, the query language, and a smoke test of the pinned Whoosh-Reloaded."""

from __future__ import annotations

import pickle
import subprocess
import sys
from importlib.metadata import version

from search.analysis import (
    BigramAnalyzer,
    SudachiAnalyzer,
    bigram_pieces,
    fold,
    normalize,
    sudachi_pieces,
)
from search.query import parse
from tests.fixtures.database import ROOT


def test_whoosh_reloaded_is_the_pinned_version_and_imports_with_warnings_as_errors():
    assert version("whoosh-reloaded") == "2.7.5"
    code = "import whoosh, whoosh.index, whoosh.qparser, whoosh.highlight; print(whoosh.versionstring())"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2.7.5"


def test_whoosh_smoke_index_and_search(tmp_path):
    from whoosh import index
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.query import Phrase

    ix = index.create_in(
        str(tmp_path), Schema(id=ID(stored=True), body=TEXT(analyzer=SudachiAnalyzer()))
    )
    with ix.writer() as writer:
        writer.add_document(id="1", body="高齢者移動支援事業")
        writer.add_document(id="2", body="移動販売")
    with ix.searcher() as s:
        assert [h["id"] for h in s.search(Phrase("body", ["移動", "支援"]))] == ["1"]
    ix.close()


def test_normalisation_folds_widths_case_kana_and_long_vowels():
    assert normalize("ＮＰＯ ｺｰﾃﾞｨﾈｰﾀｰ") == "NPO コーディネーター"
    assert fold("NPO") == "npo"
    assert fold("みまもり") == "ミマモリ"
    assert fold("コーディネーター") == fold("コーディネータ")
    assert fold("ー") == "ー"


def test_sudachi_pieces_use_normalised_forms_and_skip_particles():
    texts = [p.text for p in sudachi_pieces("高齢者の買物支援")]
    assert texts == ["高齢", "者", fold("買い物"), "支援"]
    assert [p.pos for p in sudachi_pieces("高齢者の買物支援")] == [0, 1, 2, 3]


def test_sudachi_offsets_point_into_the_normalised_text():
    text = normalize("ＮＰＯと見守り")
    for piece in sudachi_pieces(text):
        assert text[piece.start : piece.end]


def test_bigrams_cover_single_characters_and_ascii_words():
    assert [p.text for p in bigram_pieces("田畑とDX")] == ["田畑", "畑ト", "ト", "dx"]
    assert [p.text for p in bigram_pieces("畑", for_query=True)] == ["畑"]
    assert [p.text for p in bigram_pieces("見守り", for_query=True)] == ["見守", "守リ"]


def test_very_long_text_is_analysed_in_pieces():
    text = "見守り活動を続けています。" * 2000  # far above Sudachi's input limit
    pieces = sudachi_pieces(text)
    assert len(pieces) == 2000 * len(sudachi_pieces("見守り活動を続けています。"))
    assert pieces[-1].end <= len(text)


def test_analyzers_pickle_by_import_path():
    for analyzer in (SudachiAnalyzer(), BigramAnalyzer()):
        data = pickle.dumps(analyzer)
        assert b"search.analysis" in data
        assert [t.text for t in pickle.loads(data)("見守り")]


def test_query_language_and_or_phrase_exclusion():
    parsed = parse('買い物 OR 配食 "地域 包括" -移動 －サロン')
    assert [[w.text for w in g] for g in parsed.groups] == [["買い物", "配食"], ["地域 包括"]]
    assert [w.text for w in parsed.excluded] == ["移動", "サロン"]


def test_query_language_has_no_field_wildcard_range_or_boost_syntax():
    parsed = parse("title:見守り a* [a TO z] x^3 body:(b)")
    assert [g[0].text for g in parsed.groups] == [
        "title:見守り",
        "a*",
        "[a",
        "TO",
        "z]",
        "x^3",
        "body:(b)",
    ]


def test_query_language_limits_length_and_terms():
    assert len(parse("あ " * 500).groups) <= 12
    assert parse("").is_empty and parse("OR OR").is_empty
