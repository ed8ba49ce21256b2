"""Profile Kyoso's anonymous thread page in process (Flask test client), and snapshot its HTML.

    .venv/bin/python bench/thread_page_profile.py                    # time 300 GETs of 50 posts
    .venv/bin/python bench/thread_page_profile.py --profile          # + cProfile, top 40
    .venv/bin/python bench/thread_page_profile.py --snapshot /tmp/a  # write the pages' HTML
    .venv/bin/python bench/thread_page_profile.py --compare /tmp/a   # same HTML as the snapshot?
    .venv/bin/python bench/thread_page_profile.py --page-cache 3     # with the anonymous page cache

It builds a fresh database with the same threads as ``bench/flaskbb_compare.py`` (50 and 10
posts), plus a thread with a deleted post, an edited post and a hidden post, and renders
their pages anonymously, as a member, as the author and as a moderator. ``--compare`` checks
that a change of the templates leaves every page byte-identical (CSRF tokens and the nonce of
the Content-Security-Policy are blanked first). A tool for a person, not a test.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.flaskbb_compare import BODY, kyoso_config  # noqa: E402

VOLATILE = [
    (re.compile(r'(name="csrf_token"[^>]*value=")[^"]*'), r"\1-"),
    (re.compile(r'(<meta name="csrf-token" content=")[^"]*'), r"\1-"),
    (re.compile(r'nonce="[^"]*"'), 'nonce="-"'),
    (re.compile(r'data-csrf="[^"]*"'), 'data-csrf="-"'),
]


def normalise(html: str) -> str:
    for pattern, repl in VOLATILE:
        html = pattern.sub(repl, html)
    return html


def build(workdir: Path, site_url: str = "http://localhost", page_cache: float = 0):
    """``page_cache``: ANON_PAGE_CACHE_SECONDS (0 by default: the pages are made each time)."""
    from flask_migrate import upgrade

    from app import create_app

    config = {**kyoso_config(workdir), "RATELIMIT_ENABLED": False, "SITE_URL": site_url,
              "ANON_PAGE_CACHE_SECONDS": page_cache}  # fmt: skip
    (workdir / "kyoso-data").mkdir(parents=True, exist_ok=True)
    app = create_app(config)
    with app.app_context():
        upgrade()
        from auth.accounts import register_user
        from auth.models import Role
        from core.extensions import db
        from forum import posting, queries

        def user(i, role=None):
            u = register_user(email=f"p{i}@bench.kyoso.example", handle=f"prof{i}",
                              display_name=f"計測 {i}", password="bench-password-2026",
                              email_confirmed=True)  # fmt: skip
            if role:
                u.role = db.session.query(Role).filter_by(name=role).one()
            return u

        a, b = user(1), user(2)
        mod = user(3, "モデレーター")
        db.session.commit()
        board = queries.get_board("zentai")
        paths = {}
        for size in (50, 10, 12):
            thread = posting.create_thread(board=board, author=a, title=f"計測 {size}",
                                           body=BODY + "\n\n（1）")  # fmt: skip
            posts = [posting.create_reply(thread=thread, author=(a, b)[n % 2],
                                          body=BODY + f"\n\n（{n}）")
                     for n in range(2, size + 1)]  # fmt: skip
            db.session.commit()
            if size == 12:  # edited, deleted, hidden
                posting.edit_post(post=posts[0], editor=(a, b)[2 % 2], body=BODY + "\n\n編集")
                posting.delete_post(post=posts[1], actor=(a, b)[3 % 2])
                from moderation.actions import hide_post

                hide_post(posts[2], actor=mod, reason="計測の理由")
                db.session.commit()
            paths[size] = f"/t/{thread.id}"
        # fixed times, so two runs render the same text
        from datetime import UTC, datetime, timedelta

        from forum.models import Post, Thread

        base = datetime(2026, 5, 1, 1, 2, 3, 456789, tzinfo=UTC)
        for post in db.session.query(Post):
            post.created_at = base + timedelta(minutes=post.number, seconds=post.thread_id)
            if post.edited_at:
                post.edited_at = post.created_at + timedelta(hours=1)
            if post.hidden_at:
                post.hidden_at = post.created_at + timedelta(hours=2)
        for thread in db.session.query(Thread):
            thread.created_at = base
            thread.last_post_at = base + timedelta(days=1)
        db.session.commit()
        users = {"member": b.email, "author": a.email, "moderator": mod.email}
        db.engine.dispose()
    return app, paths, users


def login(client, email):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]*)"', page).group(1)
    r = client.post("/login", data={"email": email, "password": "bench-password-2026",
                                    "csrf_token": token})  # fmt: skip
    assert r.status_code in (302, 303), r.status_code


def pages(app, paths, users) -> dict[str, str]:
    """Each page for each viewer, fetched twice over: the second pass (served from whatever
    the first pass left in caches) must be the same as the first."""
    out: dict[str, str] = {}
    clients = {}
    for who in ("anon", "anon_en", *users):
        client = clients[who] = app.test_client()
        if who == "anon_en":
            client.set_cookie("lang", "en")
        elif who != "anon":
            login(client, users[who])
            client.get("/")  # shows (and so drops) the login's flash message
    for _pass in range(2):
        for who, client in clients.items():
            for size, path in paths.items():
                r = client.get(path)
                assert r.status_code == 200, (who, path, r.status_code)
                html = normalise(r.get_data(as_text=True))
                assert out.setdefault(f"{who}-{size}", html) == html, (who, size, "2nd pass")
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--snapshot", type=Path)
    parser.add_argument("--compare", type=Path)
    parser.add_argument("--page-cache", type=float, default=0, metavar="SECONDS",
                        help="ANON_PAGE_CACHE_SECONDS (default 0: every page is made)")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app, paths, users = build(Path(tmp), page_cache=args.page_cache)
        if args.snapshot or args.compare:
            got = pages(app, paths, users)
            if args.snapshot:
                args.snapshot.mkdir(parents=True, exist_ok=True)
                for name, html in got.items():
                    (args.snapshot / f"{name}.html").write_bytes(html.encode())
                print(f"wrote {len(got)} pages to {args.snapshot}")
            if args.compare:
                bad = [n for n, html in got.items()
                       if (args.compare / f"{n}.html").read_bytes().decode() != html]  # fmt: skip
                print("identical" if not bad else f"DIFFERENT: {bad}")
                if bad:
                    import difflib

                    old = (args.compare / f"{bad[0]}.html").read_bytes().decode().splitlines()
                    print(
                        "\n".join(
                            list(difflib.unified_diff(old, got[bad[0]].splitlines(), lineterm=""))[
                                :40
                            ]
                        )
                    )
                    return 1
            return 0
        client = app.test_client()
        for _ in range(30):
            client.get(paths[50])
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(args.n):
            client.get(paths[50])
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"50-post page, anonymous: {wall / args.n * 1000:.2f} ms wall, "
              f"{cpu / args.n * 1000:.2f} ms CPU per request ({args.n} requests)")  # fmt: skip
        if args.profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            for _ in range(100):
                client.get(paths[50])
            prof.disable()
            stats = pstats.Stats(prof)
            stats.sort_stats("tottime").print_stats(40)
            stats.sort_stats("cumulative").print_stats(60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
