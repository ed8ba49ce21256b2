"""Quality of the matching suggestions on a blind labelled set: precision@5 and recall@10.

    .venv/bin/python bench/matching_quality.py [--file PATH] [--verbose] 2>/dev/null

The set (``problems.json``, 39 local problems graded against the demo directory, cases and local
problems) was written by another session that had not seen the scoring; by default it is read
from ``bench/matching_sets/problems.json`` when that exists, else from the helper's worktree
(``/work/wt/matchset/bench/matching_sets/problems.json``). Its README says how it was labelled.

Loads the demo content (``flask seed-demo``) into a fresh SQLite file in a temporary directory,
posts every labelled problem as a ``challenge`` thread through the real services (the local-problem
form's fields as given), builds the search index with the real indexer, then asks
``matching.service.for_challenge`` for each problem as an anonymous reader, with room for 10 of
each kind. The other labelled problems are left out of a problem's 「似た課題」 (they are not demo
content). Grade ≥ 1 counts as relevant; the grade-2-only figures are beside them.

* precision@5 = relevant among the first 5 / 5, averaged over the problems with any relevant item
  of that kind (the ceiling — a perfect ranking — is printed beside it: the demo is small);
* shown-precision@5 = relevant among the first 5 / how many were shown (what a reader meets);
* recall@10 = relevant among the first 10 / relevant, over the same problems;
* on the problems with nothing relevant of that kind: how many suggestions were still made.

The engine suggests only open problems (募集中 / 調整中), so labels of problems marked 連携成立 are
dropped (their count is printed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

LOCAL_SET = ROOT / "bench" / "matching_sets" / "problems.json"
HELPER_SET = Path("/work/wt/matchset/bench/matching_sets/problems.json")
FIELDS = ("prefecture", "municipality_code", "municipality_name", "player_fields", "life_domains",
          "area", "partner_sought")  # fmt: skip
KINDS = {"organizations": "relevant_organizations", "cases": "relevant_cases",
         "challenges": "relevant_challenges"}  # fmt: skip


def run(problems: list[dict], tmp: Path) -> dict[str, dict[str, list]]:
    """problem id → kind → the suggested identifiers (slug or title), best first (≤ 10)."""
    from flask_login import AnonymousUserMixin
    from flask_migrate import upgrade

    from app import create_app
    from auth import accounts
    from core import background
    from core.extensions import db
    from forum import posting
    from forum.models import Board
    from matching import service
    from search import indexer
    from structured.details import save_details

    app = create_app({
        "DATABASE_URL": f"sqlite:///{tmp / 'demo.sqlite3'}", "SECRET_KEY": "matching-quality",
        "INSTANCE_PATH": str(tmp / "instance"), "MAIL_OUTBOX_DIR": str(tmp / "outbox"),
        "SITE_URL": "http://127.0.0.1", "SERVER_NAME": None, "RATELIMIT_ENABLED": False,
        "SEARCH_INDEXER": "off", "NOTIFICATION_WORKER": "off", "PRIVACY_PURGE_EVERY_MINUTES": 0,
        "SOCKETIO_EMIT_IN_BACKGROUND": False, "SEARCH_INDEX_DIR": str(tmp / "search"),
    })  # fmt: skip
    found: dict[str, dict[str, list]] = {}
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        if "demo content loaded" not in result.output:
            raise SystemExit(f"seed-demo failed: {result.output}{result.exception!r}")
        author = accounts.register_user(
            email="quality@example.jp", handle="quality_bench", display_name="評価用",
            password="matching-quality-1", role="municipal_staff", email_confirmed=True,
            terms_version=app.config["TERMS_VERSION"],
        )  # fmt: skip
        board = db.session.scalar(select(Board).where(Board.slug == "chiiki-kadai"))
        posted = {}
        for p in problems:
            thread = posting.create_thread(board=board, author=author, title=p["title"],
                                           body=p["body"], kind="challenge")  # fmt: skip
            fields = {k: p.get(k) for k in FIELDS} | {"status": "open"}
            save_details(thread=thread, kind="challenge", fields=fields, editor=author)
            db.session.commit()
            posted[p["id"]] = thread.id
        indexer.rebuild(Path(app.config["SEARCH_INDEX_DIR"]))
        ours = set(posted.values())
        from forum.models import Thread

        for p in problems:
            with app.test_request_context("/"):
                thread = db.session.get(Thread, posted[p["id"]])
                got = service.for_challenge(
                    thread, viewer=AnonymousUserMixin(),
                    limits={"organization": 10, "case": 10, "challenge": 10 + len(ours)},
                )  # fmt: skip
                found[p["id"]] = {
                    "organizations": [(s.slug, s.reasons) for s in got.organizations][:10],
                    "cases": [(s.title, s.reasons) for s in got.cases][:10],
                    "challenges": [(s.title, s.reasons) for s in got.challenges
                                   if s.id not in ours][:10],  # fmt: skip
                }
        partnered = set(
            db.session.scalars(
                select(Thread.title)
                .join(Thread.board)
                .where(Thread.kind == "challenge", Thread.id.not_in(ours))
                .where(Thread.id.in_(_partnered_ids()))
            )
        )
        found["_partnered"] = sorted(partnered)  # type: ignore[assignment]
        background.stop_all()
        db.session.remove()
        db.engine.dispose()
    return found


def _partnered_ids():
    from structured.models import ThreadDetail

    return select(ThreadDetail.thread_id).where(
        ThreadDetail.kind == "challenge", ThreadDetail.status.not_in(("open", "negotiating"))
    )


def measure(problems: list[dict], found: dict, kind: str, min_grade: int, dropped: set[str]):
    key = KINDS[kind]
    precision, shown_precision, recall, noise = [], [], [], []
    ceiling = []
    for p in problems:
        relevant = {k for k, g in p[key].items() if g >= min_grade and k not in dropped}
        got = [ident for ident, _reasons in found[p["id"]][kind]]
        if not relevant:
            noise.append(len(got[:5]))
            continue
        top5, top10 = got[:5], got[:10]
        hits5 = sum(1 for g in top5 if g in relevant)
        precision.append(hits5 / 5)
        shown_precision.append(hits5 / len(top5) if top5 else 0.0)
        recall.append(sum(1 for g in top10 if g in relevant) / len(relevant))
        ceiling.append(min(len(relevant), 5) / 5)
    mean = statistics.mean
    return {
        "problems": len(precision), "p@5": mean(precision) if precision else 0.0,
        "ceiling": mean(ceiling) if ceiling else 0.0,
        "shown_p@5": mean(shown_precision) if shown_precision else 0.0,
        "r@10": mean(recall) if recall else 0.0,
        "noise": (len(noise), mean(noise) if noise else 0.0),
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = LOCAL_SET if LOCAL_SET.exists() else HELPER_SET
    parser.add_argument("--file", type=Path, default=default)
    parser.add_argument("--verbose", action="store_true", help="each problem's suggestions")
    args = parser.parse_args()
    problems = json.loads(args.file.read_text(encoding="utf-8"))["problems"]
    with tempfile.TemporaryDirectory(prefix="matchquality-") as tmp:
        found = run(problems, Path(tmp))
    dropped = set(found.pop("_partnered"))
    n_dropped = sum(1 for p in problems for t in p["relevant_challenges"] if t in dropped)
    print(f"set: {args.file} ({len(problems)} problems)")
    print(f"dropped {n_dropped} labels of problems no longer open: {sorted(dropped)}")
    print(f"{'kind':<14}{'grades':>8}{'problems':>9}{'P@5':>7}{'(ceiling)':>10}"
          f"{'shown P@5':>10}{'R@10':>7}   nothing relevant: problems, suggested (mean of top 5)")  # fmt: skip
    for kind in KINDS:
        for min_grade, label in ((1, "≥1"), (2, "2")):
            m = measure(problems, found, kind, min_grade, dropped)
            print(f"{kind:<14}{label:>8}{m['problems']:>9}{m['p@5']:>7.3f}{m['ceiling']:>10.3f}"
                  f"{m['shown_p@5']:>10.3f}{m['r@10']:>7.3f}   {m['noise'][0]}, {m['noise'][1]:.2f}")  # fmt: skip
    if args.verbose:
        for p in problems:
            print(f"\n{p['id']} {p['title']}")
            for kind in KINDS:
                labels = p[KINDS[kind]]
                for ident, reasons in found[p["id"]][kind][:5]:
                    mark = {2: "◎", 1: "○"}.get(labels.get(ident, 0), "×")
                    print(f"  {mark} {kind[:4]} {ident} — {'／'.join(reasons)}")
                missed = [k for k in labels if k not in [i for i, _ in found[p["id"]][kind][:10]]]
                for ident in missed:
                    print(f"  … missed {kind[:4]} {ident} ({labels[ident]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
