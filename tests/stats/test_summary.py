"""The summary rows behind 参加：月別の投稿 and 困りごと相談 (issue #18 item 4): after a refresh they
give exactly the direct count, for every period, platform and viewer (closed boards only for
those who may read them), and they stay exact after posts are written, edited, hidden, deleted,
split off and moved, after a board closes, and after a thread's details change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from auth.spaces import set_member
from core.extensions import db
from core.types import TOKYO
from forum import actions, posting
from forum import boards as forum_boards
from forum.models import Board, Post
from moderation.actions import hide_post
from notifications.reminders import set_rsvp
from spaces import service as spaces
from stats import summary
from stats.queries import CATALOGUE
from stats.scope import current_fiscal_year, fiscal_year_bounds
from structured.details import save_details
from tests.fixtures.structured import valid_fields

FY = current_fiscal_year()
START, _END = fiscal_year_bounds(FY)
SUMMARISED = [s.name for s in CATALOGUE if s.summarised]
STAFF_ONLY = {s.name for s in CATALOGUE if s.staff_only}
#: statements per request with the summary (anyone, then a member of the closed board's platform)
PINS = {
    (None, "/stats"): 29, (None, "/stats?period=all"): 29,
    (None, "/api/v1/stats/activity-month"): 3, (None, "/api/v1/stats/cases-domain-region"): 6,
    ("insider", "/stats"): 31, ("insider", "/stats?period=all"): 31,
    ("insider", "/api/v1/stats/activity-month"): 4,
    ("insider", "/api/v1/stats/cases-domain-region"): 7,
}  # fmt: skip
SCOPES = [
    {"period": str(FY)},
    {"period": str(FY - 1)},
    {"period": "all"},
    {"period": str(FY), "prefecture": "28"},
    {"period": "all", "space": "hyogo"},
]


def _post(thread, number: int) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == number))


def _at(days: int, hours: int = 0) -> datetime:
    """``days`` after this fiscal year began (negative: the year before), never in the future."""
    when = START + timedelta(days=days, hours=hours)
    return min(when, datetime.now(UTC) - timedelta(minutes=30))


@pytest.fixture
def forum_world(app, user_factory, structured_factory):
    admin, asker, helper, insider = (user_factory(role="admin"), user_factory(), user_factory(),
                                     user_factory())  # fmt: skip
    made = spaces.create_space(actor=spaces.SYSTEM, slug="hyogo", name="兵庫県テスト",
                               prefecture_code="28")  # fmt: skip
    closed = forum_boards.create_board(
        actor=spaces.SYSTEM, space=made.space, slug="hyogo-naibu", name="内部",
        audience=forum_boards.Audience("members"),
    )  # fmt: skip
    open_board = forum_boards.create_board(actor=spaces.SYSTEM, space=made.space,
                                           slug="hyogo-hiroba", name="広場")  # fmt: skip
    set_member(made.space, insider)
    db.session.commit()
    komarigoto = db.session.scalar(select(Board).where(Board.slug == "komarigoto"))
    threads = {}

    def thread(key, board, author, when, replies=()):
        t = posting.create_thread(board=board, author=author, title=f"{key}の相談", body="本文")
        t.created_at = _post(t, 1).created_at = when
        db.session.flush()
        for who, hours in replies:
            reply = posting.create_reply(thread=t, author=who, body=f"{key}への返信")
            reply.created_at = when + timedelta(hours=hours)
        db.session.commit()
        threads[key] = t
        return t

    thread("q1", komarigoto, asker, _at(10), [(asker, 1), (helper, 3), (insider, 9)])
    thread("q2", komarigoto, asker, _at(40), [(helper, 30)])
    thread("q3", komarigoto, helper, _at(-20), [(asker, 2)])  # the fiscal year before
    thread("q4", komarigoto, insider, _at(70))  # no reply yet
    thread("q5", komarigoto, insider, _at(90, 2), [(helper, 0)])  # answered at once: a wait of 0
    thread("open", open_board, helper, _at(5), [(asker, 1), (helper, 24 * 35)])
    thread("inside", closed, insider, _at(15), [(insider, 2), (admin, 5)])
    thread("inside-old", closed, insider, _at(-100), [(admin, 1)])
    # structured items: cases over prefectures, domains, fields, sizes and funding; events with
    # replies to come; challenges, one partnered through an edit; and a case in the closed board
    made_items = {}

    def item(key, kind, when, *, board=None, **fields):
        t = structured_factory(kind, author=admin, **fields)
        if board is not None:
            t.board_id = board.id
        t.created_at = when
        db.session.commit()
        made_items[key] = t
        return t

    item(
        "c1",
        "case",
        _at(3),
        prefecture="20",
        life_domains=["kaimono", "ido"],
        population=5_000,
        funding_kind="grant",
    )
    item("c2", "case", _at(50), prefecture="28", life_domains=["mimamori"], population=None)
    item("c3", "case", _at(-40), prefecture="13", life_domains=["kaimono"], population=300_000)
    item("c-closed", "case", _at(20), board=closed, prefecture="28", life_domains=["kaimono"])
    tokyo = _at(25).astimezone(TOKYO)
    venue = item("e1", "event", _at(1), prefecture="20", start_at=tokyo.isoformat(), end_at=None)
    item(
        "e2",
        "event",
        _at(2),
        prefecture="28",
        attendance_mode="online",
        start_at=_at(80).astimezone(TOKYO).isoformat(),
        end_at=None,
    )
    item(
        "e3",
        "event",
        _at(2),
        prefecture="20",
        start_at=(START - timedelta(days=30)).astimezone(TOKYO).isoformat(),
        end_at=None,
    )
    set_rsvp(asker, venue, "going")
    set_rsvp(helper, venue, "going")
    set_rsvp(insider, venue, "interested")
    item("ch1", "challenge", _at(4), prefecture="20")
    partnered = item("ch2", "challenge", _at(5), prefecture="28")
    db.session.commit()
    save_details(
        thread=partnered,
        kind="challenge",
        editor=admin,
        fields=valid_fields("challenge", prefecture="28", status="partnered"),
    )
    db.session.commit()
    threads.update(made_items)
    return {"admin": admin, "asker": asker, "helper": helper, "insider": insider,
            "closed": closed, "open": open_board, "komarigoto": komarigoto, "threads": threads,
            "space": made.space}  # fmt: skip


def _table(client, app, name, args, *, use_summary):
    app.config["STATS_SUMMARY"] = use_summary
    try:
        response = client.get(f"/api/v1/stats/{name}", query_string=args)
    finally:
        app.config["STATS_SUMMARY"] = True
    assert response.status_code == 200, response.get_json()
    return response.get_json()["table"]["rows"]


def _viewers(forum_world, login, client):
    """Each viewer in turn (the client signed in as them): anyone, an outsider, the closed
    board's member, site staff."""
    for who in (None, "asker", "insider", "admin"):
        client.post_form("/logout")
        if who is not None:
            login(forum_world[who])
        yield who


def _assert_exact(client, app, login, forum_world):
    assert summary.usable() is not None
    for who in _viewers(forum_world, login, client):
        for args in SCOPES:
            for name in SUMMARISED:
                if name in STAFF_ONLY and who != "admin":
                    continue  # a 404 for them (tests/stats/test_counts.py)
                direct = _table(client, app, name, args, use_summary=False)
                kept = _table(client, app, name, args, use_summary=True)
                assert kept == direct, (who, args, name)
    client.post_form("/logout")


def _refresh():
    summary.refresh_all()
    db.session.expire_all()


def test_summary_equals_the_direct_count_for_every_scope_and_viewer(
    client, app, login, forum_world
):
    _refresh()
    _assert_exact(client, app, login, forum_world)
    # 困りごと相談 this year: q1, q2, q4 (no reply yet) and q5 (answered at once: counted)
    waits = _table(client, app, "questions-response", {"period": str(FY)}, use_summary=True)
    assert (sum(r["questions"] for r in waits), sum(r["answered"] for r in waits)) == (4, 3)
    assert 0.0 in [r["median_hours"] for r in waits]
    # the closed board counts only for its member and staff
    rows = {who: _table(client, app, "activity-month", {"period": str(FY)}, use_summary=True)
            for who in _viewers(forum_world, login, client)}  # fmt: skip
    total = {who: sum(r["threads"] + r["replies"] for r in t) for who, t in rows.items()}
    # 「内部」 this year: a thread with two replies, and the closed case's first post
    assert total["insider"] == total["admin"] == total[None] + 4 == total["asker"] + 4


def test_summary_is_read_and_says_when_it_was_counted(client, app, forum_world, structured_factory):
    _refresh()
    cases = _table(client, app, "cases-field", {"period": str(FY)}, use_summary=True)
    structured_factory("case", author=forum_world["admin"], prefecture="20")
    db.session.commit()
    assert _table(client, app, "cases-field", {"period": str(FY)}, use_summary=True) == cases
    assert _table(client, app, "cases-field", {"period": str(FY)}, use_summary=False) != cases
    before = _table(client, app, "activity-month", {"period": str(FY)}, use_summary=True)
    posting.create_reply(thread=forum_world["threads"]["open"], author=forum_world["asker"],
                         body="あとからの返信")  # fmt: skip
    db.session.commit()
    # until the next refresh the summary lags, and the API and page say as of when
    assert _table(client, app, "activity-month", {"period": str(FY)}, use_summary=True) == before
    assert _table(client, app, "activity-month", {"period": str(FY)}, use_summary=False) != before
    counted = client.get("/api/v1/stats/activity-month").get_json()["counted_at"]
    state = summary.status()
    assert datetime.fromisoformat(counted) == datetime.fromisoformat(state["refreshed_at"])
    assert state["pending"] >= 1
    page = client.get("/stats").get_data(as_text=True)
    assert "集計時点" in page
    _refresh()
    after = _table(client, app, "activity-month", {"period": str(FY)}, use_summary=True)
    assert after == _table(client, app, "activity-month", {"period": str(FY)}, use_summary=False)
    assert summary.status()["pending"] == 0


def test_summary_stays_exact_after_writes_edits_hiding_deleting_and_moves(
    client, app, login, forum_world
):
    w, t = forum_world, forum_world["threads"]
    _refresh()
    # a new question and a reply to an old one
    new = posting.create_thread(board=w["komarigoto"], author=w["helper"], title="新しい相談",
                                body="本文")  # fmt: skip
    posting.create_reply(thread=new, author=w["asker"], body="お答えします")
    posting.create_reply(thread=t["q4"], author=w["helper"], body="やっと返信")
    db.session.commit()
    _refresh()
    _assert_exact(client, app, login, w)
    # an edit, then the first reply of q1 hidden and that of q2 deleted
    first = _post(t["q1"], 3)
    assert (
        actions.edit_post(actor=w["admin"], post=first, body="書き直しました").status == "published"
    )
    db.session.commit()
    hide_post(first, actor=w["admin"], reason="テスト")
    db.session.commit()
    assert actions.delete_post(actor=w["admin"], post=_post(t["q2"], 2)).status == "done"
    db.session.commit()
    _refresh()
    _assert_exact(client, app, login, w)
    # a whole thread hidden, another deleted
    t["open"].is_hidden = True
    t["q3"].is_deleted = True
    db.session.commit()
    _refresh()
    _assert_exact(client, app, login, w)
    # the first reply of q1 split off into a thread of its own
    outcome = actions.split_thread(actor=w["admin"], thread=t["q1"], numbers=[4], title="分けた話")
    assert outcome.status == "done", outcome
    db.session.commit()
    _refresh()
    _assert_exact(client, app, login, w)
    # a question moved into the closed board, a closed thread moved out to the public one
    assert actions.move_thread(actor=w["admin"], thread=t["q2"], to=w["closed"]).status == "done"
    assert (
        actions.move_thread(actor=w["admin"], thread=t["inside-old"], to=w["open"]).status == "done"
    )
    db.session.commit()
    _refresh()
    _assert_exact(client, app, login, w)


def test_moderation_summary_follows_new_items_decisions_refiles_and_deletions(
    client, app, login, forum_world
):
    """モデレーション：週ごと from the kept items equals the queue counted directly, for every
    scope, after items are opened (one of them committed late: below the newest kept id),
    decided, refiled by a move, and deleted."""
    from moderation import queue
    from moderation.models import ModerationItem

    w, t = forum_world, forum_world["threads"]

    def opened(item, when):
        db.session.add(item)
        item.created_at = when
        db.session.commit()
        return item

    flagged = opened(queue.open_flag_item(_post(t["open"], 2)), _at(6, 3))
    opened(queue.open_flag_item(_post(t["q1"], 2)), _at(-30))  # the fiscal year before
    join = opened(queue.open_join_item(w["space"], w["asker"]), _at(11, 5))
    contact = opened(queue.open_contact_item([], w["helper"]), _at(11, 23))
    queue.decide(contact, moderator=w["admin"], action="resolve", version=contact.version)
    contact.decided_at = contact.created_at  # decided at once: a wait of zero still counts
    db.session.commit()
    _refresh()
    _assert_exact(client, app, login, w)
    login(w["admin"])
    rows = _table(client, app, "moderation-weekly", {"period": str(FY)}, use_summary=True)
    assert sum(r["items"] for r in rows) == 3 and sum(r["decided"] for r in rows) == 1
    # decisions, and a refile by a move
    queue.decide(flagged, moderator=w["admin"], action="disagree", version=flagged.version)
    flagged.decided_at = flagged.created_at + timedelta(hours=7, microseconds=3)
    queue.decide(join, moderator=w["admin"], action="approve", version=join.version)
    db.session.commit()
    moved = opened(queue.open_flag_item(_post(t["q2"], 2)), _at(12))
    assert actions.move_thread(actor=w["admin"], thread=t["q2"], to=w["open"]).status == "done"
    db.session.commit()
    assert moved.board_id == w["open"].id
    _refresh()
    _assert_exact(client, app, login, w)
    # an item far above, then one that commits late below it; the decided newest one deleted
    # and its id used again by a pending one
    opened(ModerationItem(id=moved.id + 100, kind="contact", reasons=[]), _at(14))
    _refresh()
    opened(ModerationItem(id=moved.id + 50, kind="contact", reasons=[]), _at(13))
    _refresh()
    _assert_exact(client, app, login, w)
    newest = db.session.get(ModerationItem, moved.id + 100)
    queue.decide(newest, moderator=w["admin"], action="resolve", version=newest.version)
    db.session.commit()
    _refresh()
    db.session.delete(newest)
    db.session.commit()
    opened(ModerationItem(id=moved.id + 100, kind="contact", reasons=[]), _at(14, 1))
    _refresh()
    _assert_exact(client, app, login, w)
    # a platform's scope counts its join requests and its boards' items
    login(w["admin"])
    hyogo = _table(client, app, "moderation-weekly", {"period": str(FY), "space": "hyogo"},
                   use_summary=True)  # fmt: skip
    assert sum(r["items"] for r in hyogo) == 3 and sum(r["decided"] for r in hyogo) == 2


def test_a_kept_pending_item_follows_a_refile_and_is_otherwise_left_alone(
    client, app, login, forum_world
):
    """A pending item already kept is read again when its thread moves to another board (its
    platform's scope changes), and a fold with nothing changed rewrites no row."""
    from moderation import queue
    from stats import moderation_summary
    from stats.models import StatsModerationItem

    w, t = forum_world, forum_world["threads"]
    item = queue.open_flag_item(_post(t["q2"], 2))
    db.session.add(item)
    item.created_at = _at(12)
    db.session.commit()
    _refresh()
    assert moderation_summary.fold() == 0  # nothing changed: nothing read again
    db.session.commit()
    kept = db.session.get(StatsModerationItem, item.id)
    assert kept.board_id == t["q2"].board_id and kept.wait_us is None
    assert actions.move_thread(actor=w["admin"], thread=t["q2"], to=w["open"]).status == "done"
    db.session.commit()
    assert db.session.get(type(item), item.id).board_id == w["open"].id
    _refresh()
    db.session.expire_all()
    assert db.session.get(StatsModerationItem, item.id).board_id == w["open"].id
    _assert_exact(client, app, login, w)


def test_a_board_that_closes_is_never_counted_from_stale_rows(client, app, login, forum_world):
    w = forum_world
    _refresh()
    anyone = _table(client, app, "activity-month", {"period": "all"}, use_summary=True)
    forum_boards.set_audience(actor=w["admin"], board=w["open"],
                              audience=forum_boards.Audience("members"))  # fmt: skip
    db.session.commit()
    # not refreshed: the summary is not used at all (its rows put the board with the public ones)
    assert summary.usable() is None
    now_closed = _table(client, app, "activity-month", {"period": "all"}, use_summary=True)
    assert now_closed == _table(client, app, "activity-month", {"period": "all"}, use_summary=False)
    assert now_closed != anyone
    _refresh()
    _assert_exact(client, app, login, w)


def test_structured_items_stay_exact_after_details_rsvps_and_moves(client, app, login, forum_world):
    w, t = forum_world, forum_world["threads"]
    _refresh()
    _assert_exact(client, app, login, w)
    # a challenge becomes 連携成立 and moves to another prefecture; a case changes its funding
    save_details(
        thread=t["ch1"],
        kind="challenge",
        editor=w["admin"],
        fields=valid_fields("challenge", prefecture="28", status="partnered"),
    )
    save_details(
        thread=t["c1"],
        kind="case",
        editor=w["admin"],
        fields=valid_fields(
            "case", prefecture="20", life_domains=["ido"], funding_kind="grant", population=80_000
        ),
    )
    db.session.commit()
    # RSVPs change; an event moves to the next month
    set_rsvp(w["insider"], t["e1"], "going")
    set_rsvp(w["asker"], t["e1"], None)
    save_details(
        thread=t["e2"],
        kind="event",
        editor=w["admin"],
        fields=valid_fields(
            "event",
            prefecture="13",
            attendance_mode="hybrid",
            start_at=_at(110).astimezone(TOKYO).isoformat(),
            end_at=None,
        ),
    )
    db.session.commit()
    _refresh()
    _assert_exact(client, app, login, w)
    # a case hidden, another moved into the closed board, the closed one moved out
    t["c2"].is_hidden = True
    assert actions.move_thread(actor=w["admin"], thread=t["c3"], to=w["closed"]).status == "done"
    moved = actions.move_thread(actor=w["admin"], thread=t["c-closed"], to=w["komarigoto"])
    assert moved.status == "done"
    db.session.commit()
    _refresh()
    _assert_exact(client, app, login, w)


def test_a_build_resumes_month_by_month(app, forum_world):
    summary.start_build()
    assert summary.usable() is None
    months = summary.months_to_build()
    assert months >= 4
    step = summary.refresh(months_per_step=1)
    assert step.building and step.more and summary.months_to_build() == months - 1
    _refresh()
    assert summary.usable() is not None and summary.months_to_build() == 0


def test_a_summary_older_than_the_outbox_keeps_is_built_again(app, forum_world):
    _refresh()
    state = db.session.get(summary.StatsSummaryState, summary.STATE_ID)
    state.refreshed_at = datetime.now(UTC) - timedelta(days=7)  # the outbox may have lost rows
    db.session.commit()
    assert summary.usable() is None
    step = summary.refresh()
    assert step.building
    _refresh()
    assert summary.usable() is not None


def test_refresh_command_builds_with_a_progress_bar(app, forum_world):
    result = app.test_cli_runner().invoke(args=["stats", "refresh"])
    assert result.exit_code == 0, result.output
    assert "stats refresh" in result.output and "0 changes waiting" in result.output
    status = app.test_cli_runner().invoke(args=["stats", "status"])
    assert '"built": true' in status.output


def test_stats_pages_statement_pins(client, app, login, forum_world, count_queries):
    """With the summary, a page costs the same statements whatever the data: the viewer, the
    scope, the summary's state and boards, one statement per table (two for 事例×地方)."""
    _refresh()
    counts = {}
    for who in (None, "insider"):
        if who is not None:
            login(forum_world[who])
        for url in ("/stats", "/stats?period=all", "/api/v1/stats/activity-month",
                    "/api/v1/stats/cases-domain-region"):  # fmt: skip
            client.get(url)
            with count_queries() as log:
                assert client.get(url).status_code == 200
            counts[(who, url)] = log.count
    assert counts == PINS


def test_every_summary_table_is_quiet_bookkeeping(app):
    """The worker's writes to the summary drop no page cache (``core.events.quiet``)."""
    from core import events
    from stats import models

    tables = {m for m in vars(models).values()
              if isinstance(m, type) and issubclass(m, db.Model) and m is not db.Model}  # fmt: skip
    assert len(tables) == 6 and tables <= events._quiet
