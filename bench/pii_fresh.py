"""The personal-information guard on a *fresh* labelled set, written by someone who had not seen
its rules (issue #15: "measure on data written by someone who has not seen the code").

    .venv/bin/python bench/pii_fresh.py bench/pii_sets/fresh_2026-12-06.tsv [--misses]

The file has ``label``, ``category`` and ``text`` columns (tab-separated): label 1 when the text
reveals a private person's information, 0 when not; the category names the kind
(``name_health``, ``phone`` …) or, for negatives, ``negative_<kind>``. A text counts as flagged
when the guard finds anything in it. Prints sentence-level precision and recall, recall per
positive category and the false-positive rate per negative kind.
"""

from __future__ import annotations

import argparse
import csv
import sys
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
    args = parser.parse_args()
    with args.path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
