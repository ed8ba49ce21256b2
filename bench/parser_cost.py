"""Time the Markdown renderer, the PII guard and watched words on pathological input.

Run: python bench/parser_cost.py [length]  (default: MAX_POST_LENGTH = 20000)
"""

from __future__ import annotations

import sys
import time

SHAPES = {
    "[": lambda n: "[" * n,
    "*[": lambda n: ("*[" * n)[:n],
    "![": lambda n: ("![" * n)[:n],
    "[a": lambda n: ("[a" * n)[:n],
    "[]": lambda n: ("[]" * n)[:n],
    "[](": lambda n: ("[](" * n)[:n],
    "](": lambda n: ("](" * n)[:n],
    "**": lambda n: "**" * (n // 2),
    "*a": lambda n: ("*a" * n)[:n],
    "**a": lambda n: ("**a" * n)[:n],
    "_": lambda n: "_" * n,
    "_a": lambda n: ("_a" * n)[:n],
    "<": lambda n: "<" * n,
    "<a": lambda n: ("<a" * n)[:n],
    "`": lambda n: "`" * n,
    "`a": lambda n: ("`a" * n)[:n],
    "&": lambda n: "&" * n,
    "&#": lambda n: ("&#" * n)[:n],
    ">": lambda n: ">" * n,
    "> nested": lambda n: "\n".join(">" * i + " x" for i in range(1, n // 60)),
    "- nested": lambda n: "\n".join("  " * i + "- x" for i in range(n // 60)),
    "1. nested": lambda n: "\n".join("   " * i + "1. x" for i in range(n // 60)),
    "table": lambda n: "a|b\n-|-\n" + "x|y\n" * ((n - 8) // 4),
    "wide table": lambda n: (
        "|".join("a" * 1 for _ in range(n // 4)) + "\n" + "|".join("-" for _ in range(n // 4))
    ),
    "reflinks": lambda n: (
        "".join(f"[l{i}]\n" for i in range(n // 16))
        + "".join(f"[l{i}]: /{i}\n" for i in range(n // 16))
    ),
    "http": lambda n: ("http://a " * n)[:n],
    "www.": lambda n: ("www.a" * n)[:n],
    "mixed": lambda n: ("*_[`<&!(" * n)[:n],
    "\\": lambda n: "\\" * n,
    "\\[": lambda n: ("\\[" * n)[:n],
    "```": lambda n: "```\n" * (n // 4),
    "~~~": lambda n: "~~~\n" * (n // 4),
    "    ": lambda n: ("    x\n" * n)[:n],
    "newlines": lambda n: "\n" * n,
    "spaces": lambda n: " " * n,
    "#": lambda n: "#" * n,
    "-": lambda n: "-" * n,
    "= setext": lambda n: ("a\n=\n" * n)[:n],
    "(": lambda n: "(" * n,
    "[x](": lambda n: "[x](" + "(" * (n - 4),
    "[x](<": lambda n: "[x](<" + "a" * (n - 5),
    "<http": lambda n: ("<http://a" * n)[:n],
    "*a*": lambda n: ("*a*" * n)[:n],
    "a*": lambda n: ("a*" * n)[:n],
    "kanji": lambda n: "あ" * n,
}


def timed(fn, text):
    t = time.perf_counter()
    try:
        fn(text)
    except Exception as exc:  # noqa: BLE001 - a crash is a finding too
        print(f"  {type(exc).__name__}", end="")
    return time.perf_counter() - t


def main() -> None:
    sys.path.insert(0, ".")
    from forum.rendering import render_markdown
    from moderation import pii

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    only = sys.argv[2:] or SHAPES
    for name in only:
        text = SHAPES[name](n)
        md = timed(render_markdown, text)
        guard = timed(pii.find_personal_info, text)
        print(f"{name!r:14} md {md:7.3f}s  pii {guard:6.3f}s", flush=True)


SHAPES.update(
    {
        "<a ": lambda n: ("<a " * n)[:n],
        "<a b=": lambda n: ("<a b=" * n)[:n],
        '<a b="': lambda n: ('<a b="' * n)[:n],
        "<!--": lambda n: ("<!--" * n)[:n],
        "<?": lambda n: ("<?" * n)[:n],
        "<![CDATA[": lambda n: ("<![CDATA[" * n)[:n],
        "</a": lambda n: ("</a" * n)[:n],
        "<div>": lambda n: ("<div>" * n)[:n],
        "\n<div ": lambda n: ("\n<div " * n)[:n],
        "`k": lambda n: "".join("`" * k + "a" for k in range(1, 400))[:n],
        "a.": lambda n: ("a." * n)[:n],
        "a-.": lambda n: ("a-." * n)[:n],
        "h2 body": lambda n: ("## 見出し\n本文です。\n" * n)[:n],
        "a\\n": lambda n: ("a\n" * n)[:n],
        "*a**": lambda n: ("*a**" * n)[:n],
        "_a__": lambda n: ("_a__" * n)[:n],
        '[a](b "c)': lambda n: ('[a](b "c)' * n)[:n],
    }
)
if __name__ == "__main__":
    main()
