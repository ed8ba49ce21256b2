"""The listings' kept counts (``structured.counts``, migration 0033): every path that changes an
item — its details edited on the web, posted from the form or the API, hidden, deleted, moved, a
bulk statement, a rollback, two writers at once — leaves them equal to a fresh count, and the
map and 「N件」 read from them give the numbers the items give."""

from __future__ import annotations

import random
import threading

from sqlalchemy import func, select, update

from core.extensions import db
from forum import moving
from forum.models import Board, Post, Thread
from moderation import actions
from structured import counts, queries
from structured.models import ListingCount, ThreadDetail
from tests.structured.helpers import CHALLENGE_FORM
from tests.structured.test_posting_web import EVENT_FORM


def first_post(thread: Thread) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 1))


def in_step() -> None:
    db.session.expire_all()
    assert counts.differences() == []


def kept(kind: str, **args) -> dict:
    filters = queries.parse_filters(kind, args)
    assert counts.answers(filters), args
    return queries.prefecture_counts(filters)


def test_a_new_item_is_counted_in_its_prefecture_board_and_tags(app, structured_factory):
    structured_factory("case", prefecture="28", life_domains=["kaimono"],
                       player_fields=["chiiki-kotsu"])  # fmt: skip
    structured_factory("case", prefecture="28", life_domains=["ido"])
    rows = {(r.field_id, r.domain_id, r.prefecture_code, r.items)
            for r in db.session.scalars(select(ListingCount).where(ListingCount.kind == "case"))}  # fmt: skip
    assert (0, 0, "28", 2) in rows
    assert sum(n for f, d, code, n in rows if d and code == "28") == 2  # one row per domain
    in_step()
    with app.test_request_context("/cases"):
        assert kept("case") == {"28": 2}
        assert kept("case", domain="kaimono") == {"28": 1}
        assert kept("case", field="chiiki-kotsu", prefecture="13") == {"28": 1}


def test_editing_the_prefecture_and_tags_on_the_web_moves_the_count(
    client, login, structured_factory, user_factory
):
    author = user_factory(role="municipal_staff")
    event = structured_factory("event", author=author, prefecture="28", life_domains=["ido"])
    login(author)
    form = {**EVENT_FORM, "prefecture": "20", "municipality_name": "長野市",
            "municipality_code": "202011", "life_domains": ["kaimono"]}
    response = client.post_form(f"/t/{event.id}/edit-details", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    in_step()
    assert db.session.get(ThreadDetail, event.id).prefecture_code == "20"
    page = client.get("/events?when=all").get_data(as_text=True)
    assert 'aria-label="長野県 1件"' in page and 'aria-label="兵庫県 0件"' in page
    page = client.get("/events?when=all&domain=ido").get_data(as_text=True)
    assert 'aria-label="長野県 0件"' in page


def test_posting_hiding_deleting_and_moving_keep_them_in_step(
    client, login, user_factory, bearer, structured_factory, moderator, admin
):
    from tests.fixtures.structured import valid_fields

    member = user_factory()
    login(member)
    response = client.post_form("/b/chiiki-kadai/new/challenge", CHALLENGE_FORM)
    assert response.status_code == 302
    response = client.post("/api/v1/boards/chiiki-kadai/threads", headers=bearer(member),
                           json={"title": "API からの地域課題", "body": "本文", "type": "challenge",
                                 "fields": valid_fields("challenge", prefecture="28")})  # fmt: skip
    assert response.status_code == 201, response.get_json()
    in_step()
    hidden, deleted, moved = (structured_factory("challenge", prefecture="28") for _ in range(3))
    actions.hide_post(first_post(hidden), actor=moderator)
    db.session.commit()
    in_step()
    response = client.delete(f"/api/v1/posts/{first_post(deleted).id}",
                             headers=bearer(db.session.get(Thread, deleted.id).author))  # fmt: skip
    assert response.status_code == 204
    in_step()
    moving.move_thread(db.session.get(Thread, moved.id),
                       to=db.session.scalar(select(Board).where(Board.slug == "zentai")),
                       actor=admin)  # fmt: skip
    db.session.commit()
    in_step()
    with client.application.test_request_context("/challenges"):
        assert kept("challenge") == {"28": 3}  # two posted, the moved one (a public board)
    actions.restore_post(first_post(hidden), actor=moderator)
    db.session.commit()
    in_step()


def test_a_rolled_back_change_leaves_them_as_they_were(structured_factory):
    item = structured_factory("case", prefecture="28")
    before = counts.differences(), db.session.scalars(select(ListingCount.items)).all()
    db.session.get(ThreadDetail, item.id).prefecture_code = "13"
    db.session.flush()
    db.session.rollback()
    assert (counts.differences(), db.session.scalars(select(ListingCount.items)).all()) == before


def test_a_bulk_update_of_details_counts_everything_again(structured_factory):
    for code in ("28", "28", "13"):
        structured_factory("case", prefecture=code)
    db.session.execute(update(ThreadDetail).where(ThreadDetail.prefecture_code == "28")
                       .values(prefecture_code="01"))  # fmt: skip
    db.session.commit()
    in_step()
    assert db.session.scalar(select(ListingCount.items).where(
        ListingCount.prefecture_code == "01", ListingCount.field_id == 0,
        ListingCount.domain_id == 0)) == 2  # fmt: skip


def test_a_bulk_update_of_threads_recounts_the_groups_it_changed(structured_factory):
    items = [structured_factory("policy", prefecture="13") for _ in range(3)]
    db.session.execute(update(Thread).where(Thread.id.in_([t.id for t in items[:2]]))
                       .values(is_deleted=True))  # fmt: skip
    db.session.commit()
    in_step()


def test_rebuild_counts_what_was_lost(structured_factory):
    structured_factory("case", prefecture="28", life_domains=["kaimono"],
                       player_fields=["chiiki-kotsu"])  # fmt: skip
    db.session.execute(ListingCount.__table__.delete())
    db.session.commit()
    assert counts.differences() != []
    assert counts.rebuild() == 3  # the plain row, the field's and the domain's
    db.session.commit()
    in_step()


def test_kept_counts_equal_the_items_for_random_items_and_viewers(
    app, structured_factory, user_factory, moderator, admin
):
    rng = random.Random(18)
    closed = db.session.scalar(select(Board).where(Board.audience != "public"))
    domains = ["kaimono", "ido", "mimamori"]
    fields = ["chiiki-kotsu", "iryo-kaigo-fukushi"]
    items = []
    for _ in range(40):
        kind = rng.choice(["case", "challenge", "policy"])
        items.append(structured_factory(
            kind, prefecture=rng.choice(["28", "13", "20", "01", "47"]),
            life_domains=rng.sample(domains, rng.randint(0, 2)),
            player_fields=rng.sample(fields, rng.randint(0, 2)),
        ))  # fmt: skip
    for item in rng.sample(items, 8):
        actions.hide_post(first_post(item), actor=moderator)
    for item in rng.sample(items, 5):
        db.session.get(Thread, item.id).is_deleted = True
    if closed is not None:
        for item in rng.sample(items, 6):
            moving.move_thread(db.session.get(Thread, item.id), to=closed, actor=admin)
    db.session.commit()
    in_step()
    viewers = [None, user_factory(), admin]
    argsets = [{}, {"space": "national"}, {"prefecture": "28"}, {"block": "kinki"},
               *({"domain": d} for d in domains), *({"field": f} for f in fields),
               {"domain": "kaimono", "block": "kanto"}]  # fmt: skip
    from flask_login import login_user

    for viewer in viewers:
        for kind in ("case", "challenge", "policy"):
            for args in argsets:
                with app.test_request_context("/"):
                    if viewer is not None:
                        login_user(viewer)
                    filters = queries.parse_filters(kind, args)
                    assert counts.answers(filters)
                    assert queries.prefecture_counts(filters) == queries.prefecture_counts(
                        filters, kept=False), (viewer, kind, args)  # fmt: skip
                    for name in args:  # a widening keeps the ids it looked up
                        wider = filters.without(name)
                        assert queries.prefecture_counts(wider) == queries.prefecture_counts(
                            wider, kept=False), (viewer, kind, args, name)  # fmt: skip


def test_filters_the_kept_counts_cannot_answer_count_the_items(app, structured_factory):
    structured_factory("case", prefecture="28", population=30_000)
    structured_factory("case", prefecture="28", population=300_000)
    with app.test_request_context("/cases"):
        for args in ({"population": "10k-50k"}, {"domain": "kaimono", "field": "chiiki-kotsu"},
                     {"origin": "platform"}):  # fmt: skip
            assert not counts.answers(queries.parse_filters("case", args)), args
        assert not counts.answers(queries.parse_filters("event", {"mode": "online"}))
        assert not counts.answers(queries.parse_filters("event", {"from": "2026-12-01"}))
        for when in ({}, {"when": "past"}, {"when": "all"}):
            assert counts.answers(queries.parse_filters("event", when))
        assert queries.prefecture_counts(
            queries.parse_filters("case", {"population": "10k-50k"})) == {"28": 1}  # fmt: skip


def test_two_writers_at_once_leave_them_exact(app, structured_factory):
    """Two sessions each add items to the same prefecture at the same time, and each commits
    after the other has counted: neither's count misses the other's item (PostgreSQL: the
    advisory lock; SQLite: one writer at a time)."""
    structured_factory("case", prefecture="28")  # the boards, the users, a first row
    author_id = db.session.scalar(select(Thread.author_id))
    db.session.commit()
    errors: list[BaseException] = []
    barrier = threading.Barrier(2, timeout=30)

    def write(n: int) -> None:
        from auth.models import User
        from forum import posting
        from structured.details import save_details
        from tests.fixtures.structured import valid_fields

        try:
            with app.app_context():
                author = db.session.get(User, author_id)
                board = db.session.scalar(select(Board).where(Board.slug == "jirei"))
                barrier.wait()
                for i in range(3):
                    thread = posting.create_thread(board=board, author=author,
                                                   title=f"同時{n}-{i}", body="本文", kind="case")  # fmt: skip
                    save_details(thread=thread, kind="case",
                                 fields=valid_fields("case", prefecture="28"), editor=author)  # fmt: skip
                    db.session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    in_step()
    assert db.session.scalar(select(func.sum(ListingCount.items)).where(
        ListingCount.kind == "case", ListingCount.field_id == 0, ListingCount.domain_id == 0)) == 7  # fmt: skip


def test_the_cli_checks_and_rebuilds_them(app, structured_factory):
    structured_factory("case", prefecture="28")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["listings", "counts"])
    assert result.exit_code == 0 and "agree" in result.output
    db.session.execute(update(ListingCount).values(items=ListingCount.items + 1))
    db.session.commit()
    result = runner.invoke(args=["listings", "counts"])
    assert result.exit_code == 1 and "differs: kind=case" in result.output, result.output
    result = runner.invoke(args=["listings", "counts", "--rebuild"])
    assert result.exit_code == 0, result.output
    in_step()


def test_events_upcoming_and_past_from_whole_months_and_the_current_months_items(
    app, structured_factory, moderator
):
    """Events are kept per month of their start (UTC); the window moves with the Tokyo day. For
    days around the turn of a month and of a year — where the Tokyo day and the UTC month
    differ — the kept counts equal the count over the items."""
    from datetime import UTC, datetime, timedelta

    rng = random.Random(33)
    base = datetime(2026, 12, 31, 15, 0, tzinfo=UTC)  # 2027-01-01 00:00 in Tokyo
    for _ in range(60):
        start = base + timedelta(hours=rng.randint(-24 * 70, 24 * 70))
        item = structured_factory(
            "event", prefecture=rng.choice(["28", "13", "20"]),
            life_domains=rng.sample(["kaimono", "ido"], rng.randint(0, 1)),
            start_at=start.isoformat(), end_at=(start + timedelta(hours=2)).isoformat(),
        )  # fmt: skip
        if rng.random() < 0.15:
            actions.hide_post(first_post(item), actor=moderator)
    db.session.commit()
    in_step()
    months = db.session.scalars(select(ListingCount.month).where(ListingCount.kind == "event"))
    assert len(set(months)) >= 4
    nows = [base + timedelta(hours=h) for h in (-9, -1, 0, 1, 8, 9, 10, 24 * 20, -24 * 31)]
    with app.test_request_context("/events"):
        for now in nows:
            for args in ({}, {"when": "past"}, {"when": "all"}, {"domain": "kaimono"},
                         {"when": "past", "domain": "ido", "block": "kinki"}):  # fmt: skip
                filters = queries.parse_filters("event", args)
                assert queries.prefecture_counts(filters, now=now) == queries.prefecture_counts(
                    filters, now=now, kept=False), (now, args)  # fmt: skip
