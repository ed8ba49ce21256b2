"""The statistics against independent SQL (issue #18): hidden, deleted, held and closed content
never counts for a viewer who may not read it; the period is the fiscal year in Tokyo time; the
page, the API and the workbook show the same numbers."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import select, text

from core.extensions import db
from core.types import TOKYO
from forum import boards as forum_boards
from forum import posting
from forum.models import Board, Thread
from notifications.models import EventRsvp
from spaces import service as spaces
from stats.scope import current_fiscal_year, fiscal_year_bounds
from structured.details import save_details
from tests.fixtures.structured import valid_fields

FY = current_fiscal_year()
START, END = fiscal_year_bounds(FY)


def _in_year(days: int) -> datetime:
    """A moment inside this fiscal year, ``days`` after its start (never in the future)."""
    return min(START + timedelta(days=days), datetime.now(UTC) - timedelta(hours=1))


def _ago(days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


@pytest.fixture
def world(app, user_factory, structured_factory):
    admin = user_factory(role="admin")
    made = spaces.create_space(actor=spaces.SYSTEM, slug="hyogo", name="兵庫県テスト",
                               prefecture_code="28")  # fmt: skip
    closed = forum_boards.create_board(
        actor=spaces.SYSTEM, space=made.space, slug="hyogo-naibu", name="内部",
        audience=forum_boards.Audience("members"),
    )
    db.session.commit()

    def case(prefecture, domains, *, when=10, board=None, **extra):
        thread = structured_factory("case", author=admin, prefecture=prefecture,
                                    life_domains=domains, **extra)  # fmt: skip
        if board is not None:
            thread.board_id = board.id
        thread.created_at = _in_year(when)
        db.session.commit()
        return thread

    w = {"admin": admin, "space": made.space, "closed": closed}
    case("20", ["kaimono", "ido"])
    case("20", ["kaimono"], population=5_000, funding_kind="grant")
    case("28", ["mimamori"], population=None)
    case("13", ["kaimono"], when=-30)  # the previous fiscal year
    case("20", ["kaimono"]).is_hidden = True
    case("20", ["kaimono"]).is_deleted = True
    w["closed_case"] = case("28", ["kaimono"], board=closed)
    # events: two this year (venue, online), one next year
    venue = structured_factory("event", author=admin, prefecture="20",
                               start_at=_in_year(20).astimezone(TOKYO).isoformat(), end_at=None)  # fmt: skip
    online = structured_factory("event", author=admin, prefecture="20", attendance_mode="online",
                                start_at=_in_year(50).astimezone(TOKYO).isoformat(), end_at=None)  # fmt: skip
    structured_factory("event", author=admin, prefecture="20",
                       start_at=(END + timedelta(days=3)).astimezone(TOKYO).isoformat(), end_at=None)  # fmt: skip
    for u in (user_factory(), user_factory()):
        db.session.add(EventRsvp(thread_id=venue.id, user_id=u.id, status="going"))
    db.session.add(EventRsvp(thread_id=online.id, user_id=admin.id, status="interested"))
    # challenges: one open, one that became 連携成立 through an edit ten days after registration
    structured_factory("challenge", author=admin, prefecture="20")
    partnered = structured_factory("challenge", author=admin, prefecture="20")
    partnered.created_at = datetime.now(UTC) - timedelta(days=20)
    db.session.commit()
    save_details(thread=partnered, kind="challenge", editor=admin,
                 fields=valid_fields("challenge", prefecture="20", status="partnered"))
    db.session.commit()
    db.session.execute(text("UPDATE thread_detail_revisions SET replaced_at = :at WHERE thread_id = :t"),
                       {"at": _ago(10).replace(tzinfo=None) if db.engine.dialect.name == "sqlite"
                        else _ago(10), "t": partnered.id})  # fmt: skip
    db.session.commit()
    return w


def _api(client, name, **args):
    args.setdefault("period", str(FY))
    response = client.get(f"/api/v1/stats/{name}", query_string=args)
    assert response.status_code == 200, response.get_json()
    table = response.get_json()["table"]
    first = table["columns"][0]["key"]
    return {row[first]: row for row in table["rows"]}, table


def _independent(sql: str, **params):
    """Plain SQL, written apart from stats/queries.py."""
    lo, hi = START, END
    if db.engine.dialect.name == "sqlite":
        lo, hi = lo.replace(tzinfo=None), hi.replace(tzinfo=None)
    return db.session.execute(text(sql), {"lo": lo, "hi": hi, **params}).all()


def test_cases_by_domain_and_region_match_plain_sql(client, world):
    rows, table = _api(client, "cases-domain-region")
    expected = _independent("""
        SELECT ld.name, p.region_code, COUNT(DISTINCT td.thread_id)
        FROM thread_details td JOIN threads t ON t.id = td.thread_id
        JOIN boards b ON b.id = t.board_id
        JOIN thread_life_domains tld ON tld.thread_id = td.thread_id
        JOIN life_domains ld ON ld.id = tld.life_domain_id
        JOIN prefectures p ON p.code = td.prefecture_code
        WHERE td.kind = 'case' AND NOT t.is_deleted AND NOT t.is_hidden AND b.audience = 'public'
          AND t.created_at >= :lo AND t.created_at < :hi
        GROUP BY ld.name, p.region_code""")
    got = {(name, code): row[code] for name, row in rows.items()
           for code in row if code not in ("domain", "total") and row[code]}  # fmt: skip
    got.pop(("事例数（重複なし）", "chubu"), None), got.pop(("事例数（重複なし）", "kinki"), None)
    assert got == {(name, code): n for name, code, n in expected}
    assert rows["買い物"]["chubu"] == 2 and rows["買い物"]["kinki"] == 0  # not hidden/deleted/closed
    assert rows["事例数（重複なし）"]["total"] == 3  # the previous year's case is not in this one
    assert rows["見守り"]["kinki"] == 1


def test_a_member_of_the_space_counts_the_closed_case(client, login, world, user_factory):
    member = user_factory()
    from auth.spaces import set_member

    set_member(world["space"], member)
    db.session.commit()
    anonymous, _ = _api(client, "cases-domain-region")
    login(member)
    signed_in, _ = _api(client, "cases-domain-region")
    assert signed_in["買い物"]["kinki"] == anonymous["買い物"]["kinki"] + 1
    assert signed_in["事例数（重複なし）"]["total"] == anonymous["事例数（重複なし）"]["total"] + 1


def test_the_closed_case_does_not_count_for_another_member(client, login, world, user_factory):
    anonymous, _ = _api(client, "cases-funding")
    login(user_factory())
    assert _api(client, "cases-funding")[0] == anonymous


def test_population_funding_field_and_prefecture_filter(client, world):
    population, _ = _api(client, "cases-population")
    assert population["1万人未満"]["cases"] == 1
    assert population["記入なし"]["cases"] == 1
    assert sum(r["cases"] for r in population.values()) == 3
    funding, _ = _api(client, "cases-funding")
    assert funding["助成金"]["cases"] == 1 and funding["地域支援事業"]["cases"] == 2
    fields, _ = _api(client, "cases-field")
    (n,) = _independent("""
        SELECT COUNT(DISTINCT td.thread_id) FROM thread_details td
        JOIN threads t ON t.id = td.thread_id JOIN boards b ON b.id = t.board_id
        JOIN thread_player_fields f ON f.thread_id = td.thread_id
        JOIN player_fields pf ON pf.id = f.player_field_id AND pf.slug = 'iryo-kaigo-fukushi'
        WHERE td.kind = 'case' AND NOT t.is_deleted AND NOT t.is_hidden
          AND b.audience = 'public' AND t.created_at >= :lo AND t.created_at < :hi""")[0]
    assert n == 3 and sum(r["cases"] for r in fields.values()) == 3
    nagano, _ = _api(client, "cases-population", prefecture="20")
    assert sum(r["cases"] for r in nagano.values()) == 2


def test_events_by_month_and_prefecture(client, world):
    months, table = _api(client, "events-month")
    assert len(table["rows"]) == 12 and table["rows"][0]["month"].endswith("4月")
    assert sum(r["venue"] for r in months.values()) == 1
    assert sum(r["online"] for r in months.values()) == 1
    assert sum(r["going"] for r in months.values()) == 2  # "interested" is not going
    by_pref, _ = _api(client, "events-prefecture")
    assert by_pref["中部"]["events"] >= 0  # first column is the region: look the row up by name
    nagano = next(r for r in _api(client, "events-prefecture")[1]["rows"] if r["prefecture"] == "長野県")
    assert nagano == {"region": "中部", "prefecture": "長野県", "events": 2, "going": 2}


def test_challenges_status_and_days_to_partnership(client, world):
    status, _ = _api(client, "challenges-status", period="all")
    assert status["募集中"]["challenges"] == 1 and status["連携成立"]["challenges"] == 1
    partnership, _ = _api(client, "challenges-partnership", period="all")
    assert partnership["連携成立までの日数（中央値）"]["value"] == pytest.approx(10.0, abs=0.1)
    assert partnership["連携成立までの日数を測れた件数"]["value"] == 1


@pytest.mark.parametrize("app_config", [{"MODERATION_HOLD_FIRST_POSTS": 1}], indirect=True)
def test_activity_and_first_replies_leave_out_held_deleted_and_own_replies(
    client, login, world, user_factory
):
    asker, helper = user_factory(), user_factory()
    board = db.session.scalar(select(Board).where(Board.slug == "komarigoto"))
    question = posting.create_thread(board=board, author=asker, title="相談", body="本文")
    question.created_at = _in_year(30)
    db.session.flush()
    own = posting.create_reply(thread=question, author=asker, body="補足です")
    own.created_at = _in_year(30) + timedelta(hours=1)
    answer = posting.create_reply(thread=question, author=helper, body="こうしています")
    answer.created_at = _in_year(30) + timedelta(hours=5)
    gone = posting.create_reply(thread=question, author=helper, body="取り消し")
    gone.created_at, gone.deleted_at = _in_year(30) + timedelta(hours=2), datetime.now(UTC)
    db.session.commit()
    login(user_factory())  # a newcomer: the first post is held, not published
    client.post_form(f"/t/{question.id}/reply", {"body": "新しい会員の返信"})
    client.post_form("/logout")
    response, _ = _api(client, "questions-response")
    month = next(r for r in response.values() if r["questions"])
    assert month == {**month, "questions": 1, "answered": 1, "median_hours": 5.0}
    activity, _ = _api(client, "activity-month")
    (threads, replies, authors) = _independent("""
        SELECT SUM(CASE WHEN p.number = 1 THEN 1 ELSE 0 END),
               SUM(CASE WHEN p.number > 1 THEN 1 ELSE 0 END), COUNT(DISTINCT p.author_id)
        FROM posts p JOIN threads t ON t.id = p.thread_id JOIN boards b ON b.id = t.board_id
        WHERE p.deleted_at IS NULL AND p.hidden_at IS NULL AND NOT t.is_deleted
          AND NOT t.is_hidden AND b.audience = 'public'
          AND p.created_at >= :lo AND p.created_at < :hi""")[0]
    assert sum(r["threads"] for r in activity.values()) == threads
    assert sum(r["replies"] for r in activity.values()) == replies
    assert max(r["active"] for r in activity.values()) <= authors


def test_moderation_workload_is_for_staff_only(client, login, world, user_factory):
    assert client.get("/api/v1/stats/moderation-weekly").status_code == 404
    assert client.get("/stats/moderation-weekly.xlsx").status_code == 404
    assert "moderation-weekly" not in client.get("/stats").get_data(as_text=True)
    names = [s["name"] for s in client.get("/api/v1/stats").get_json()["stats"]]
    assert "moderation-weekly" not in names and "cases-domain-region" in names
    login(user_factory(role="moderator"))
    assert client.get("/api/v1/stats/moderation-weekly").status_code == 200
    assert "moderation-weekly" in client.get("/stats").get_data(as_text=True)


def test_bad_scope_is_a_japanese_error_never_a_500(client, world):
    for args in ({"period": "1999"}, {"period": "令和8"}, {"prefecture": "99"},
                 {"space": "nowhere"}, {"prefecture": "0" * 500}):  # fmt: skip
        page = client.get("/stats", query_string=args)
        assert page.status_code == 400 and "error-message" in page.get_data(as_text=True)
        api = client.get("/api/v1/stats/cases-field", query_string=args)
        assert api.status_code == 400 and api.get_json()["error"]["code"] == "validation"
        workbook = client.get("/stats/cases-field.xlsx", query_string=args)
        assert workbook.status_code == 400
        assert (page.get_data(as_text=True).count(api.get_json()["error"]["message"]) >= 1
                and api.get_json()["error"]["message"] in workbook.get_data(as_text=True))
    assert client.get("/api/v1/stats/nothing").status_code == 404


def test_page_api_and_workbook_agree(client, world):
    _, table = _api(client, "cases-domain-region")
    page = client.get("/stats", query_string={"period": str(FY)}).get_data(as_text=True)
    assert "取組事例：生活支援の領域×地方" in page and "令和" in page
    book = openpyxl.load_workbook(io.BytesIO(
        client.get("/stats/cases-domain-region.xlsx", query_string={"period": str(FY)}).data))  # fmt: skip
    sheet = book.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == [c["label"] for c in table["columns"]]
    keys = [c["key"] for c in table["columns"]]
    for row, api_row in zip(values[1:], table["rows"], strict=False):
        assert list(row) == [api_row[k] for k in keys]
    assert all(isinstance(v, int) for v in values[1][1:])


def test_the_report_workbook_has_a_cover_and_every_public_table(client, world):
    response = client.get("/stats/report.xlsx", query_string={"period": str(FY), "prefecture": "20"})
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    names = book.sheetnames
    assert names[0] == "表紙" and len(names) == 1 + len(client.get("/api/v1/stats").get_json()["stats"])
    cover = {r[0]: r[1] for r in book["表紙"].iter_rows(values_only=True) if r[0]}
    assert cover["対象"] == "長野県" and cover["期間"].startswith("令和")
    assert not any("モデレーション" in n for n in names)


@pytest.mark.parametrize("app_config", [{"STATS_CACHE_SECONDS": 300}], indirect=True)
def test_the_cache_never_shares_closed_counts_between_viewers(client, login, world, user_factory):
    member = user_factory()
    from auth.spaces import set_member

    set_member(world["space"], member)
    db.session.commit()
    login(member)
    inside, _ = _api(client, "cases-domain-region")
    client.post_form("/logout")
    outside, _ = _api(client, "cases-domain-region")
    assert inside["事例数（重複なし）"]["total"] == outside["事例数（重複なし）"]["total"] + 1
    # cached: a new case is not counted until the cache runs out (the page says when it counted)
    db.session.add(Thread(board_id=1, author_id=member.id, title="x"))
    assert _api(client, "cases-domain-region")[0] == outside
