"""A structured thread's details copy its thread's ``is_deleted``, ``is_hidden`` and ``board_id``
(``structured.copies``, migration 0031): every path that changes one of them — web, API, the
review queue, a bulk statement — ends with equal copies, and the counts read from the copies."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import select, update

from core.extensions import db
from forum.models import Board, Post, Thread
from structured import counts, queries
from structured.copies import COPIED, copy_thread_state
from structured.models import ThreadDetail
from tests.fixtures.factories import established
from tests.structured.helpers import CHALLENGE_FORM

ROOT = Path(__file__).resolve().parents[2]


def copies_and_threads() -> list[tuple]:
    """(thread id, the detail's copies, the thread's columns) of every structured thread, read
    afresh from the database."""
    db.session.expire_all()
    rows = db.session.execute(
        select(ThreadDetail.thread_id,
               *(getattr(ThreadDetail, name) for name in COPIED),
               *(getattr(Thread, name) for name in COPIED))
        .join(Thread, Thread.id == ThreadDetail.thread_id)
        .order_by(ThreadDetail.thread_id)
    ).all()  # fmt: skip
    return [(r[0], tuple(r[1:4]), tuple(r[4:7])) for r in rows]


def assert_copies_equal() -> None:
    rows = copies_and_threads()
    assert rows, "no structured thread"
    differing = [(tid, copy, own) for tid, copy, own in rows if copy != own]
    assert differing == []
    # the listings' kept counts follow in the same recorder (structured.counts)
    assert counts.differences() == []


def state(thread_id: int) -> tuple:
    """The thread's (is_deleted, is_hidden, board_id) as its detail copies them (equal)."""
    assert_copies_equal()
    return next(copy for tid, copy, _own in copies_and_threads() if tid == thread_id)


def first_post(thread: Thread) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 1))


def board_id(slug: str) -> int:
    return db.session.scalar(select(Board.id).where(Board.slug == slug))


def test_copies_of_a_new_item_are_its_threads(structured_factory):
    case = structured_factory("case")
    event = structured_factory("event", board_slug="zentai")  # any board: its own id is copied
    assert state(case.id) == (False, False, board_id("jirei"))
    assert state(event.id) == (False, False, board_id("zentai"))


def test_copies_of_items_posted_from_the_form_and_the_api(client, login, user_factory, bearer):
    member = user_factory()
    login(member)
    response = client.post_form("/b/chiiki-kadai/new/challenge", CHALLENGE_FORM)
    assert response.status_code == 302
    from tests.fixtures.structured import valid_fields

    response = client.post("/api/v1/boards/chiiki-kadai/threads", headers=bearer(member),
                           json={"title": "API からの地域課題", "body": "本文", "type": "challenge",
                                 "fields": valid_fields("challenge")})  # fmt: skip
    assert response.status_code == 201, response.get_json()
    assert [copy for _tid, copy, _own in copies_and_threads()] == [
        (False, False, board_id("chiiki-kadai"))
    ] * 2
    assert_copies_equal()


def test_copies_follow_a_deletion_from_the_web_and_the_api(
    client, login, structured_factory, user_factory, bearer
):
    author = user_factory(role="municipal_staff")
    by_web = structured_factory("case", author=author)
    by_api = structured_factory("policy", author=author)
    login(author)
    response = client.post_form(f"/p/{first_post(by_web).id}/delete", {})
    assert response.status_code == 302
    assert state(by_web.id)[0] is True
    response = client.delete(f"/api/v1/posts/{first_post(by_api).id}", headers=bearer(author))
    assert response.status_code == 204
    assert state(by_api.id)[0] is True
    assert_copies_equal()


def test_copies_follow_a_move_to_another_board(client, login, structured_factory, admin):
    item = structured_factory("challenge")
    login(admin)
    response = client.post_form(f"/t/{item.id}/move", {"board": "chiiki-kotsu"})
    assert response.status_code == 302
    assert state(item.id) == (False, False, board_id("chiiki-kotsu"))


def test_copies_follow_hiding_by_flags_and_the_review_queue_web(
    client, login, structured_factory, user_factory, moderator
):
    """Flags hide the opening post (and so the thread); a moderator who disagrees restores it:
    each step through the web forms (a member's local problem: staff posts are never hidden by
    flags alone)."""
    item = structured_factory("challenge", author=user_factory())
    post = first_post(item)
    for _ in range(3):
        client.post_form("/logout")
        login(user_factory(**established()))
        response = client.post_form(f"/p/{post.id}/flag", {"reason": "spam"})
        assert response.status_code == 302
    assert state(item.id)[1] is True
    from moderation.models import ModerationItem

    queued = db.session.scalar(select(ModerationItem).where(ModerationItem.post_id == post.id))
    client.post_form("/logout")
    login(moderator)
    response = client.post_form(f"/moderation/items/{queued.id}/decide",
                                {"action": "disagree", "version": queued.version})  # fmt: skip
    assert response.status_code == 302
    assert state(item.id)[1] is False


def test_copies_follow_hiding_and_restoring_through_the_api(
    client, bearer, structured_factory, user_factory, moderator
):
    item = structured_factory("challenge", author=user_factory())
    post = first_post(item)
    for _ in range(3):
        response = client.post(f"/api/v1/posts/{post.id}/flags", json={"reason": "spam"},
                               headers=bearer(user_factory(**established())))  # fmt: skip
        assert response.status_code == 201
    assert state(item.id)[1] is True
    mod = bearer(moderator)
    queued = client.get("/api/v1/moderation/queue", headers=mod).get_json()["items"][0]
    response = client.post(f"/api/v1/moderation/items/{queued['id']}/decision", headers=mod,
                           json={"action": "disagree", "version": queued["version"]})  # fmt: skip
    assert response.status_code == 200
    assert state(item.id)[1] is False


def test_copies_follow_the_moderation_service(structured_factory, moderator):
    """``moderation.actions``, which the queue, flags and held edits call."""
    from moderation import actions

    item = structured_factory("policy")
    actions.hide_post(first_post(item), actor=moderator, reason="確認中")
    db.session.commit()
    assert state(item.id)[1] is True
    actions.restore_post(first_post(item), actor=moderator)
    db.session.commit()
    assert state(item.id)[1] is False
    actions.delete_post(first_post(item), actor=moderator, reason="重複")
    db.session.commit()
    assert state(item.id)[0] is True


def test_copies_follow_a_bulk_update_that_names_no_rows(structured_factory):
    """A bulk ``UPDATE`` of threads is not seen by a flush: the recorder then puts right every
    detail whose copies differ (and touches none that do not)."""
    one, two = structured_factory("case"), structured_factory("event")
    db.session.execute(update(Thread).where(Thread.id == one.id).values(is_hidden=True))
    db.session.execute(
        update(Thread).where(Thread.id == two.id).values(board_id=board_id("zentai"))
    )
    db.session.commit()
    assert state(one.id) == (False, True, board_id("jirei"))
    assert state(two.id) == (False, False, board_id("zentai"))
    db.session.execute(update(Thread).values(reply_count=Thread.reply_count))  # no copied column
    db.session.commit()
    assert_copies_equal()


def test_copies_roll_back_with_their_thread(structured_factory):
    item = structured_factory("case")
    thread = db.session.get(Thread, item.id)
    thread.is_hidden = True
    db.session.flush()
    db.session.rollback()
    assert state(item.id) == (False, False, board_id("jirei"))


def test_copy_thread_state_mends_what_differs(structured_factory):
    """The tool behind the recorder (and a repair after a textual statement): it changes only the
    rows whose copies differ."""
    one, two = structured_factory("case"), structured_factory("case")
    db.session.execute(
        ThreadDetail.__table__.update().where(ThreadDetail.thread_id == one.id).values(is_deleted=True)
    )
    assert copy_thread_state(db.session, [one.id, two.id]) == 1
    assert copy_thread_state(db.session) == 0
    db.session.commit()
    assert_copies_equal()


def test_counts_leave_out_a_moved_hidden_or_deleted_item(app, structured_factory, admin, moderator):
    """The counts read the copies only: an item hidden, deleted or moved to a closed board leaves
    the counts the moment its thread does."""
    from forum import moving, posting
    from moderation import actions

    items = [structured_factory("case", prefecture="28") for _ in range(4)]
    with app.test_request_context("/cases"):
        assert queries.prefecture_counts(queries.Filters(kind="case")) == {"28": 4}
    actions.hide_post(first_post(items[0]), actor=moderator)
    posting.delete_post(post=first_post(items[1]), actor=moderator)
    closed = db.session.get(Board, board_id("chiiki-kotsu"))
    closed.audience = "members"
    moving.move_thread(db.session.get(Thread, items[2].id), to=closed, actor=admin)
    db.session.commit()
    assert_copies_equal()
    with app.test_request_context("/cases"):
        assert queries.prefecture_counts(queries.Filters(kind="case")) == {"28": 1}


# --- no bulk statement of the application sets a copied column ---------------------------------


def _bulk_thread_updates(tree: ast.AST) -> list[int]:
    """Lines of ``update(Thread)…values(<a copied column>=…)`` in a module."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "values"):  # fmt: skip
            continue
        chain, names = node.func.value, {kw.arg for kw in node.keywords}
        for arg in node.args:
            if isinstance(arg, ast.Dict):
                names |= {k.value for k in arg.keys if isinstance(k, ast.Constant)}
        while isinstance(chain, ast.Call | ast.Attribute):
            if (isinstance(chain, ast.Call) and getattr(chain.func, "id", None) == "update"
                    and chain.args and getattr(chain.args[0], "id", None) == "Thread"):  # fmt: skip
                if names & set(COPIED) or None in names:
                    found.append(node.lineno)
                break
            chain = chain.func if isinstance(chain, ast.Call) else chain.value
    return found


def test_no_bulk_update_of_a_threads_copied_columns_in_the_application():
    """Such a statement works (the recorder mends every detail, one statement over the table),
    but costs a scan at each commit: change the thread object instead, which the flush sees."""
    offenders = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in (".venv", "tests", "bench", "migrations") or "site-packages" in parts:
            continue
        lines = _bulk_thread_updates(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            offenders[str(path.relative_to(ROOT))] = lines
    assert offenders == {}


def test_the_scan_finds_a_bulk_update_of_a_copied_column():
    source = (
        "db.session.execute(update(Thread).where(Thread.id == 1).values(is_hidden=True))\n"
        "db.session.execute(update(Thread).values(reply_count=1))\n"
        "db.session.execute(update(Thread).values({'board_id': 2}))\n"
    )
    assert _bulk_thread_updates(ast.parse(source)) == [1, 3]


def test_counting_conditions_find_the_listings_rows(app, structured_factory, moderator, admin):
    """``_conditions(…, counting=True)`` (the copies, tags as lists, the space through the
    board ids) selects exactly the rows the listing's own conditions select, for each filter."""
    from sqlalchemy import func

    from forum import moving
    from moderation import actions

    for i, code in enumerate(["28", "28", "27", "13", "01"]):
        structured_factory("case", prefecture=code, population=5_000 + 40_000 * i,
                           life_domains=["kaimono"] if i % 2 else ["ido"])  # fmt: skip
    hidden, moved = structured_factory("case"), structured_factory("case")
    actions.hide_post(first_post(hidden), actor=moderator)
    moving.move_thread(db.session.get(Thread, moved.id),
                       to=db.session.get(Board, board_id("zentai")), actor=admin)  # fmt: skip
    db.session.commit()
    for args in ({}, {"space": "national"}, {"block": "kinki"}, {"domain": "kaimono"},
                 {"field": "iryo-kaigo-fukushi", "population": "10k-50k"}, {"prefecture": "13"}):
        with app.test_request_context("/cases"):
            filters = queries.parse_filters("case", args)
            joined = db.session.scalars(
                queries._joined(select(ThreadDetail.thread_id)).where(*queries._conditions(filters))
            ).all()
            alone = db.session.scalars(
                select(ThreadDetail.thread_id).where(*queries._conditions(filters, counting=True))
            ).all()
            assert sorted(alone) == sorted(joined), args
            if not args:  # all but the hidden one (the moved one is in a public board still)
                assert len(joined) == 6
            by_code = queries.prefecture_counts(filters)
            assert queries.total_of(filters, by_code) == len(joined), args
            assert db.session.scalar(select(func.count()).select_from(ThreadDetail)) == 7
