"""The personal-information guard on a *fresh* labelled set, written by someone who had not seen
its rules (issue #15: "measure on data written by someone who has not seen the code").

    .venv/bin/python bench/pii_fresh.py bench/pii_sets/fresh_2026-12-06.tsv [--misses]

The file has ``label``, ``category`` and ``text`` columns (tab-separated; a line break inside a
text is written ``\\n``): label 1 when the text reveals a private person's information, 0 when
not; the category names the kind
(``name_health``, ``phone`` …) or, for negatives, ``negative_<kind>``. A text counts as flagged
when the guard finds anything in it. Prints sentence-level precision and recall, recall per
positive category and the false-positive rate per negative kind, then the speed: texts per
second over the whole set, and the mean time per post of about 200 characters (texts of the set
joined into posts of that size), after one warm-up pass (the analyser loads once per process).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from moderation.pii import find_personal_info  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--misses", action="store_true", help="print the misclassified texts")
    parser.add_argument("--repeat", type=int, default=5, help="passes for the speed figure")
    args = parser.parse_args()
    with args.path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:  # a line break inside a text is written \n (memo layouts, bullet lines)
        row["text"] = row["text"].replace("\\n", "\n")
    tp = fp = fn = tn = 0
    seen, hit = Counter(), Counter()
    misses = []
    for row in rows:
        expected = row["label"].strip() == "1"
        found = bool(find_personal_info(row["text"]))
        seen[row["category"]] += 1
        hit[row["category"]] += found
        tp += expected and found
        fn += expected and not found
        fp += found and not expected
        tn += not found and not expected
        if found != expected:
            misses.append((row["category"], row["text"]))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    print(f"{args.path.name}: {len(rows)} texts ({tp + fn} with personal information)")
    print(f"precision {precision:.3f}  recall {recall:.3f}  (tp {tp}, fp {fp}, fn {fn}, tn {tn})")
    print("recall per category / false positives per negative kind:")
    for category in sorted(seen):
        kind = "false positives" if category.startswith("negative_") else "recall"
        print(f"  {category:28} {hit[category]:3d}/{seen[category]:3d}  {kind} "
              f"{hit[category] / seen[category]:.2f}")  # fmt: skip
    if args.misses:
        for category, text in misses:
            print(f"MISS {category}\t{text}")
    speed([row["text"] for row in rows], args.repeat)
    return 0


def speed(texts: list[str], repeat: int) -> None:
    """Texts per second, and the mean time per post of ~200 characters."""
    posts, post = [], ""
    for text in texts:
        post += text
        if len(post) >= 200:
            posts.append(post)
            post = ""
    for text in texts:  # warm-up: the analyser's dictionary loads on first use
        find_personal_info(text)
    begin = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            find_personal_info(text)
    per_text = (time.perf_counter() - begin) / (repeat * len(texts))
    begin = time.perf_counter()
    for _ in range(repeat):
        for post in posts:
            find_personal_info(post)
    per_post = (time.perf_counter() - begin) / (repeat * len(posts))
    mean_chars = sum(map(len, posts)) / len(posts)
    print(f"speed: {1 / per_text:,.0f} texts/s ({per_text * 1e6:.0f} µs each); "
          f"{len(posts)} posts of ~{mean_chars:.0f} characters: {per_post * 1e3:.3f} ms each")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
