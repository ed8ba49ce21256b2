"""How good and how fast is the personal-information guard? Precision and recall on the labelled set.

    .venv/bin/python bench/pii_quality.py [--repeat N] [--misses]

Reads ``tests/moderation/pii_labelled.tsv`` (label, kinds, sentence) and runs
``moderation.pii.find_personal_info`` on every sentence. Prints:

* sentence-level precision and recall (a sentence is flagged when anything is found);
* per kind, precision and recall of that kind (a sentence counts for a kind when the kind is
  expected, found, or both);
* speed: sentences per second over ``--repeat`` passes, and characters per second on one long post
  made of every sentence;
* with ``--misses``, the sentences where the found kinds differ from the expected ones.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from moderation.pii import KINDS, find_personal_info  # noqa: E402

LABELLED = ROOT / "tests" / "moderation" / "pii_labelled.tsv"


def load() -> list[tuple[set[str], str]]:
    with LABELLED.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(set(filter(None, r["kinds"].split(","))), r["sentence"]) for r in rows]


def ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "  -  "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="passes for the speed figure")
    parser.add_argument("--misses", action="store_true", help="list the sentences it gets wrong")
    args = parser.parse_args()

    rows = load()
    results = [(expected, {m.kind for m in find_personal_info(s)}, s) for expected, s in rows]
    tp = sum(1 for e, g, _ in results if e and g)
    fp = sum(1 for e, g, _ in results if g and not e)
    fn = sum(1 for e, g, _ in results if e and not g)
    pii = sum(1 for e, _, _ in results if e)
    print(f"labelled set: {len(rows)} sentences ({pii} with personal information)")
    print(f"sentence level: precision {ratio(tp, tp + fp)}  recall {ratio(tp, tp + fn)}")
    print(f"  ({tp} caught, {fn} missed, {fp} false alarms)")
    print()
    print(f"{'kind':<16} {'expected':>8} {'found':>6} {'precision':>9} {'recall':>7}")
    for kind in KINDS:
        k_tp = sum(1 for e, g, _ in results if kind in e and kind in g)
        k_exp = sum(1 for e, _, _ in results if kind in e)
        k_found = sum(1 for _, g, _ in results if kind in g)
        print(
            f"{kind:<16} {k_exp:>8} {k_found:>6} {ratio(k_tp, k_found):>9} {ratio(k_tp, k_exp):>7}"
        )

    sentences = [s for _, s in rows]
    begin = time.perf_counter()
    for _ in range(args.repeat):
        for sentence in sentences:
            find_personal_info(sentence)
    elapsed = time.perf_counter() - begin
    long_post = "\n".join(sentences)
    begin = time.perf_counter()
    found = find_personal_info(long_post)
    long_elapsed = time.perf_counter() - begin
    print()
    print(
        f"speed: {args.repeat * len(sentences) / elapsed:,.0f} sentences/s "
        f"({elapsed / (args.repeat * len(sentences)) * 1e6:,.0f} µs each)"
    )
    print(
        f"one long post of {len(long_post):,} characters: {long_elapsed * 1e3:,.1f} ms "
        f"({len(long_post) / long_elapsed:,.0f} characters/s, {len(found)} matches)"
    )

    if args.misses:
        print()
        for expected, got, sentence in results:
            if expected != got:
                print(f"expected {sorted(expected)} found {sorted(got)}: {sentence}")


if __name__ == "__main__":
    main()
