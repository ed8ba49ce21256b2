"""Issue #13, class 2: no text a member may post costs more than a bounded amount of parsing.

Each pathological shape is rendered at MAX_POST_LENGTH (20,000 characters) and must finish
within a generous bound (measured on two cores shared with other test runs, load 5–7: every
shape under ~1 s, most under 0.3 s; before the bounds several took from 5 to over 60 s). A seeded random fuzz mixes the same ingredients.
Ordinary Markdown must render exactly as the unbounded renderer does. The personal-information
guard gets the same treatment. Pure functions: no application or database.
"""

from __future__ import annotations

import gc
import random
import time
from functools import partial

import bleach
import markdown
import pytest
from bleach.linkifier import LinkifyFilter
from markdown.extensions.tables import TableExtension

from forum import markdown_bounds
from forum.rendering import (
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    _code_class_allowed,
    _set_rel,
    render_markdown,
)
from moderation import pii

MAX = 20_000  # config.MAX_POST_LENGTH
# CPU seconds per render: generous (on a quiet machine every shape takes under 0.2 s; before the
# bounds several took 5 to over 60 s)
BOUND = 2.0


def rep(unit: str, n: int = MAX) -> str:
    return (unit * (n // len(unit) + 1))[:n]


SHAPES = {
    # link syntax: quadratic scans in Python-Markdown's link/reference/image processors
    "brackets": rep("["), "star-bracket": rep("*["), "image": rep("!["), "bracket-a": rep("[a"),
    "empty-link": rep("[]("), "link-paren": "[x](" + "(" * (MAX - 4),
    "unclosed-title": rep('[a](b "c)'), "nested-brackets": "[" * (MAX // 2) + "]" * (MAX // 2),
    "nested-links": rep("[a]("),
    # emphasis, code, entities, html
    "stars": rep("**"), "star-a": rep("*a"), "star-a-star": rep("*a**"), "underscores": rep("_"),
    "underscore-a": rep("_a__"), "backticks": rep("`"), "backtick-a": rep("`a"),
    "growing-ticks": "".join("`" * k + "a" for k in range(1, 400))[:MAX],
    "lt": rep("<"), "lt-a": rep("<a"), "open-tags": rep("<a "), "open-attrs": rep('<a b="'),
    "div-lines": rep("\n<div "), "comments": rep("<!--"), "amp": rep("&"), "amp-hash": rep("&#"),
    "autolinks": rep("<http://a"), "backslashes": rep("\\"), "escaped-brackets": rep("\\["),
    # block structure
    "quote-run": rep(">"), "setext": rep("a\n=\n"), "rules": rep("---\ntext\n"),
    "headings": rep("## 見出し\n本文です。\n"), "fences": rep("```\n"), "tildes": rep("~~~\n"),
    "nested-quotes": "\n".join(">" * i + " x" for i in range(1, 300))[:MAX],
    "nested-lists": "\n".join("  " * i + "- x" for i in range(400))[:MAX],
    "nested-olists": "\n".join("   " * i + "1. x" for i in range(400))[:MAX],
    "table": "a|b\n-|-\n" + rep("x|y\n", MAX - 8),
    "wide-table": "|".join("a" * (MAX // 4)) + "\n" + "|".join("-" * (MAX // 4)),
    "one-letter-lines": rep("a\n"),
    "references": "".join(f"[l{i}]\n" for i in range(MAX // 24))
    + "".join(f"[l{i}]: /{i}\n" for i in range(MAX // 24)),
    # linkify (bleach)
    "parens": rep("("), "dash-dot": rep("a-."), "dots": rep("a."), "dashes": rep("a-"),
    "www": rep("www.a"), "urls": rep("http://a "),
    "mixed": rep("*_[`<&!("), "kanji": rep("あ"),
}  # fmt: skip

INGREDIENTS = [
    "[", "]", "(", ")", "![", "*", "**", "_", "`", "``", "<", ">", "&", "#", "\\", "\"", "'",
    "|", "-", "=", "\n", "\n\n", " ", "    ", "a", "あ", "http://", "www.", ".", "-.", "<a ",
    "1.", "> ", "- ", "~~~", "```", ":",
]  # fmt: skip


def cpu_seconds(work, *args):
    """(CPU seconds this process spent on work(*args), its result). Other processes on a shared
    CI machine, and the collector walking the rest of a long test session's heap, are not the
    parser's cost: a CI run under load once took 3.4 s of wall time for a shape that costs 0.13 s."""
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        result = work(*args)
        return time.process_time() - start, result
    finally:
        gc.enable()


def timed_render(text: str) -> tuple[float, str]:
    return cpu_seconds(render_markdown, text)


@pytest.mark.parametrize("shape", SHAPES)
def test_parser_cost_pathological_shape_renders_within_bound(shape):
    text = SHAPES[shape]
    assert len(text) <= MAX
    elapsed, html = timed_render(text)
    assert elapsed < BOUND, f"{shape}: {elapsed:.2f} s"
    assert html  # something is always shown


@pytest.mark.parametrize("seed", range(8))
def test_parser_cost_random_mixtures_render_within_bound(seed):
    rng = random.Random(seed)
    weights = [rng.random() ** 3 for _ in INGREDIENTS]  # each sample favours a few ingredients
    parts, size = [], 0
    while size < MAX:
        part = rng.choices(INGREDIENTS, weights)[0] * rng.choice((1, 1, 1, 2, 5, 50))
        parts.append(part)
        size += len(part)
    text = "".join(parts)[:MAX]
    elapsed, _ = timed_render(text)
    assert elapsed < BOUND, f"seed {seed}: {elapsed:.2f} s"


def test_parser_cost_too_complex_text_is_shown_as_typed():
    text = rep("<a ")
    html = render_markdown(rep("\n<div ", 12_000) + "田中 [x](http://example.jp)")
    assert "田中 [x](http://example.jp)" in html  # the text as typed, not lost
    assert html.startswith("<pre>")
    assert render_markdown(text).count("&lt;a") == text.count("<a")


def test_parser_cost_deep_nesting_is_not_an_error():
    text = "\n".join("  " * i + "- x" for i in range(1500))
    html = render_markdown(text)  # raised RecursionError (a 500) before
    assert html.count("x") == 1500


# --- ordinary Markdown renders exactly as before ------------------------------------------------

_unbounded_cleaner = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS, attributes=_code_class_allowed, protocols=ALLOWED_PROTOCOLS, strip=False,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_rel], skip_tags={"pre", "code"},
                     parse_email=False)],
)  # fmt: skip


def unbounded_render(source: str) -> str:
    """The renderer as it was before the bounds (same extensions, bleach's own URL pattern)."""
    md = markdown.Markdown(
        extensions=["fenced_code", TableExtension(use_align_attribute=True), "sane_lists", "nl2br"],
        output_format="html",
    )
    return _unbounded_cleaner.clean(md.convert(source))


ORDINARY = [
    '# 見出し\n\n本文です。**太字**と*斜体*、`code`、[リンク](https://example.jp "題")。',
    "- 項目1\n- 項目2\n  - 入れ子\n\n1. 一\n2. 二\n\n> 引用\n> 二行目",
    "| 列1 | 列2 |\n|:---|---:|\n| a | b |\n| c | d |",
    "```python\nprint('[x](y)')\n```\n\n    indented [code]\n",
    "詳細は https://example.jp/a?b=1&c=2 と www.example.com と city.yokote.lg.jp を参照。",
    "(http://a.jp/x_(y)) と ((https://example.jp)) と [a](http://x/(b)) ![画像](/a.png)",
    '参考 [資料][r1] と [r1]\n\n[r1]: https://example.jp/doc "資料"',
    "a\n=\n\nb\n-\n\n---\n\n見出し\n## 途中の見出し\n本文",
    "[未完のリンク と [入れ子 [リンク](https://a.jp)] と \\[エスケープ\\] と `[コード]`",
    '<b>太字</b> と <script>x</script> と <a title="[">タグ</a> と &amp; &copy; &#91;',
    "`` a`b `` と ```` ``` ```` と *a **b** c* と __d__ と ~~e~~",
]


@pytest.mark.parametrize("source", ORDINARY)
def test_parser_cost_ordinary_markdown_renders_as_before(source):
    assert render_markdown(source) == unbounded_render(source)


@pytest.mark.parametrize("seed", range(40))
def test_parser_cost_small_random_markdown_renders_as_before(seed):
    # short texts: the unbounded renderer is fast on them, and the bounds must not show
    rng = random.Random(1000 + seed)
    source = "".join(rng.choice(INGREDIENTS) for _ in range(rng.randint(5, 120)))
    assert render_markdown(source) == unbounded_render(source)


def test_parser_cost_link_budget_covers_a_post_of_links():
    source = rep('- [リンク](https://example.jp/page "題")\n')
    source = source[: source.rfind("\n")]
    assert render_markdown(source) == unbounded_render(source)
    assert render_markdown(source).count("<a ") == source.count("](")


def test_parser_cost_linkify_pattern_is_linear():
    elapsed, _ = cpu_seconds(list, markdown_bounds.LINKIFY_URL_RE.finditer(rep("a-.")))
    assert elapsed < BOUND  # bleach's own pattern: ~40 s


# --- the personal-information guard -------------------------------------------------------------

PII_SHAPES = {
    "digits": rep("0"), "dashes": rep("0-"), "spaces": rep("0 "), "parens": rep("(0"),
    "country": rep("+81-"), "honorifics": rep("田中さん"), "kanji": rep("田"),
    "ages": rep("田中(82歳)"), "chome": rep("3丁目"), "banchi": rep("1番地"), "aza": rep("字"),
    "at": rep("a@"), "dots": rep("a."), "diagnoses": rep("認知症田中さん"), "full-width": rep("０"),
    "choon": rep("0ー"), "urls": rep("http://a"), "postal": rep("〒"), "my-number": rep("1234 "),
    "org": rep("代表"), "org-number": rep("課0"), "combining": rep("\u3099"),
    "place-number": rep("田1-"), "zero-width": rep("0\u200b"),
    "spoken": rep("ゼロ、"), "spoken-mixed": rep("れいに"), "kanji-digits": rep("〇一"),
    "living": rep("独居田中一郎"), "names": rep("田中一郎さん生活保護"), "birth": rep("昭和1年生"),
    "insured": rep("被保険者番号"), "rooms": rep("荘101"), "office": rep("社協0182-32-1234"),
    "hiragana": rep("たけださん骨折"), "kana-full": rep("ヤマダ ハナコさん"),
    "family": rep("西田のおばあちゃん入院"), "houses": rep("鈴木家独居"),
    "residence": rep("緑町二丁目の家"), "towns": rep("緑町の"), "at-words": rep("aアットマーク"),
    "dot-words": rep("a(ドット)"), "my-number-word": rep("マイナンバー1234/"),
    "longevity": rep("米寿田中さん"),
    # round 3: public places, memo lines, loose My Number groups, insured labels, landmarks
    "public-places": rep("公民館1丁目2番地"), "places-after": rep("1番地の駅"),
    "memo-living": rep("高木様　日中は一人。"), "my-number-loose": rep("マイナンバー「1234」"),
    "insured-lines": rep("被保険者番号\n"), "symbol-lines": rep("保険証\n記号1番号"),
    "landmark-houses": rep("の裏の家"), "spaced-dots": rep("a . "),
    # round 4: family out of touch, quoted speech, visit headers, houses described, 在住, ages
    # without 歳, e-mail halves, free-mail names and accounts
    "kin": rep("息子とは"), "kin-far": rep("長男は遠く"), "quoted": rep("「膝が痛くて」とハルさん"),
    "visit-header": rep("ウメさん宅訪問。"), "alone-home": rep("自宅で一人"),
    "house-where": rep("のお宅は"), "zaijuu": rep("栄町在住"), "bare-age": rep("今年で90"),
    "age-kin": rep("93のおばあ"), "email-halves": rep("@の前はa"), "provider": rep("aアットgmail"),
    "account": rep("Gmail:a.b1 "), "account-paren": rep("a.b1(Gmail)"), "tld-spoken": rep("a ドット "),
    "place-kin": rep("宮下のおじいちゃん転倒"),
}  # fmt: skip


@pytest.mark.parametrize("shape", PII_SHAPES)
def test_parser_cost_pii_guard_within_bound(shape):
    elapsed, _ = cpu_seconds(pii.find_personal_info, PII_SHAPES[shape])
    assert elapsed < BOUND
