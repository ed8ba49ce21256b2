"""Check the labelled matching set against the demo content, and print its counts.

    .venv/bin/python bench/matching_sets/check.py [--file PATH]

Loads the demo content (``flask seed-demo``) into a fresh SQLite database in a temporary
directory, then checks ``problems.json``:

* every labelled organisation is a demo ``Organization.slug``; every labelled case or local
  problem is the exact title of exactly one demo thread of kind ``case`` / ``challenge``;
* grades are 1 or 2; problem ids and titles are unique;
* every problem passes the real local-problem form (``structured.forms.details_form``), so the
  scoring bench can post it as a ``challenge`` thread as it is; its municipality code and name
  agree with ``taxonomy/data/municipalities.csv``.

Prints the counts (problems, labels by kind and grade, regions, domains) and which demo items no
problem labels. Exits 1 on any error.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

DEFAULT_FILE = Path(__file__).with_name("problems.json")
FORM_FIELDS = (
    "prefecture", "municipality_code", "municipality_name", "player_fields", "life_domains",
    "area", "partner_sought",
)  # fmt: skip
KINDS = {"relevant_cases": "case", "relevant_challenges": "challenge"}
LISTS = ("relevant_organizations", *KINDS)


def load_demo(tmp: Path, problems: list[dict]) -> dict:
    """Seed the demo into ``tmp`` and return what the labels may point at, read back from the
    database: organisation slugs, thread titles by kind (with each title's count), taxonomy
    slugs. The form check needs the application context, so it runs in here too."""
    from flask_migrate import upgrade

    from app import create_app
    from core import background
    from core.extensions import db

    app = create_app({
        "DATABASE_URL": f"sqlite:///{tmp / 'demo.sqlite3'}", "SECRET_KEY": "matching-set",
        "INSTANCE_PATH": str(tmp / "instance"), "MAIL_OUTBOX_DIR": str(tmp / "outbox"),
        "SITE_URL": "http://127.0.0.1", "SERVER_NAME": None, "RATELIMIT_ENABLED": False,
        "SEARCH_INDEXER": "off", "NOTIFICATION_WORKER": "off", "PRIVACY_PURGE_EVERY_MINUTES": 0,
        "SOCKETIO_EMIT_IN_BACKGROUND": False,
    })  # fmt: skip
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        if "demo content loaded" not in result.output:
            raise SystemExit(f"seed-demo failed: {result.output}{result.exception!r}")
        from directory.models import Organization
        from forum.models import Thread
        from structured.forms import details_form
        from taxonomy.models import LifeDomain, PlayerField

        demo = {
            "organizations": set(db.session.scalars(select(Organization.slug))),
            "threads": Counter(db.session.execute(select(Thread.kind, Thread.title)).all()),
            "domains": set(db.session.scalars(select(LifeDomain.slug))),
            "fields": set(db.session.scalars(select(PlayerField.slug))),
            "form_errors": {},
        }
        for problem in problems:
            payload = {k: problem.get(k) for k in FORM_FIELDS} | {"status": "open"}
            form = details_form("challenge", json=payload)
            if not form.validate():
                demo["form_errors"][problem.get("id")] = {
                    name: [str(m) for m in messages] for name, messages in form.errors.items()
                }
        background.stop_all()
        db.session.remove()
        db.engine.dispose()
    return demo


def municipalities() -> dict[str, tuple[str, str]]:
    import csv

    with (ROOT / "taxonomy/data/municipalities.csv").open(encoding="utf-8") as f:
        return {r["code"]: (r["prefecture_code"], r["name"]) for r in csv.DictReader(f)}


def check(problems: list[dict], demo: dict) -> list[str]:
    errors: list[str] = []
    towns = municipalities()
    ids = Counter(p.get("id") for p in problems)
    titles = Counter(p.get("title") for p in problems)
    errors += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    errors += [f"duplicate title {t}" for t, n in titles.items() if n > 1]
    for p in problems:
        pid = p.get("id")
        for key in ("title", "body", "prefecture", "municipality_name", "life_domains"):
            if not p.get(key):
                errors.append(f"{pid}: no {key}")
        sentences = p.get("body", "").count("。")
        if not 2 <= sentences <= 5:
            errors.append(f"{pid}: body has {sentences} sentences (want 2-5)")
        town = towns.get(p.get("municipality_code", ""))
        if town != (p.get("prefecture"), p.get("municipality_name")):
            errors.append(f"{pid}: municipality {p.get('municipality_code')} is {town}")
        errors += [f"{pid}: unknown domain {d}" for d in p.get("life_domains", [])
                   if d not in demo["domains"]]  # fmt: skip
        errors += [f"{pid}: unknown field {f}" for f in p.get("player_fields", [])
                   if f not in demo["fields"]]  # fmt: skip
        if pid in demo["form_errors"]:
            errors.append(f"{pid}: the local-problem form says {demo['form_errors'][pid]}")
        for slug, grade in p.get("relevant_organizations", {}).items():
            if slug not in demo["organizations"]:
                errors.append(f"{pid}: no demo organisation {slug!r}")
            if grade not in (1, 2):
                errors.append(f"{pid}: grade {grade!r} for {slug}")
        for key, kind in KINDS.items():
            for title, grade in p.get(key, {}).items():
                found = demo["threads"][(kind, title)]
                if found != 1:
                    errors.append(f"{pid}: {found} demo threads of kind {kind} titled {title!r}")
                if grade not in (1, 2):
                    errors.append(f"{pid}: grade {grade!r} for {title}")
    return errors


def report(problems: list[dict], demo: dict) -> None:
    print(f"problems: {len(problems)} in {len({p['prefecture'] for p in problems})} prefectures")
    print(f"demo content: {len(demo['organizations'])} organisations, "
          f"{sum(n for (k, _), n in demo['threads'].items() if k == 'case')} cases, "
          f"{sum(n for (k, _), n in demo['threads'].items() if k == 'challenge')} local problems")  # fmt: skip
    print(f"{'labels':<24}{'grade 2':>8}{'grade 1':>8}{'total':>7}{'problems with any':>19}")
    for key in LISTS:
        grades = Counter(g for p in problems for g in p[key].values())
        with_any = sum(1 for p in problems if p[key])
        print(f"{key:<24}{grades[2]:>8}{grades[1]:>8}{grades[1] + grades[2]:>7}{with_any:>19}")
    # with so few demo items, a perfect ranking cannot fill 5 places with relevant ones
    for key in LISTS:
        sizes = [len(p[key]) for p in problems if p[key]]
        ceiling = sum(min(n, 5) / 5 for n in sizes) / len(sizes)
        print(
            f"  {key}: best possible precision@5 {ceiling:.3f} (mean over the {len(sizes)}"
            f" problems with any; relevant per problem: max {max(sizes)})"
        )
    empty = [p["id"] for p in problems if not any(p[k] for k in LISTS)]
    print(f"problems with no relevant item at all: {len(empty)} ({', '.join(empty)})")
    print(f"online-solvable problems: {sum(1 for p in problems if p.get('online_solvable'))}")
    domains = Counter(d for p in problems for d in p["life_domains"])
    print("life domains: " + ", ".join(f"{d} {n}" for d, n in domains.most_common()))
    labelled = {k for p in problems for key in LISTS for k in p[key]}
    never = sorted(demo["organizations"] - labelled) + sorted(
        t for (kind, t) in demo["threads"] if kind in KINDS.values() and t not in labelled
    )
    print(f"demo items no problem labels: {never or 'none'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    problems = json.loads(parser.parse_args().file.read_text(encoding="utf-8"))["problems"]
    with tempfile.TemporaryDirectory(prefix="matchset-") as tmp:
        demo = load_demo(Path(tmp), problems)
    errors = check(problems, demo)
    report(problems, demo)
    for error in errors:
        print("ERROR", error)
    print("OK" if not errors else f"{len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
