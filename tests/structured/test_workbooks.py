"""The listings as Excel workbooks (/cases.xlsx …), read back with openpyxl: what the listing
shows, with its filters and its audience, typed cells, text that never turns into a formula."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook

from core.extensions import db
from forum import boards as forum_boards
from spaces import service
from structured import exports
from structured.schema import TOKYO
from tests.structured.helpers import SECTIONS, assert_japanese, listed_ids

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEETS = {"case": "取組事例", "event": "イベント", "policy": "施策・予算",
          "challenge": "地域課題・連携募集"}  # fmt: skip
COMMON_HEAD = ["タイトル", "都道府県", "市区町村コード", "市区町村"]
COMMON_TAIL = ["生活支援の領域", "担い手の分野", "プラットフォーム", "登録日", "URL"]


def _sheet(client, url: str, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:500])
    assert response.mimetype == XLSX
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    name = url.split("?")[0].lstrip("/")
    assert disposition.endswith(f"''{name}")
    book = load_workbook(io.BytesIO(response.get_data()))
    assert len(book.worksheets) == 1
    return book.worksheets[0]


def _rows(sheet) -> list[dict]:
    """The data rows as {header: cell} (the note under a cut-off table left out)."""
    header = [c.value for c in sheet[1]]
    rows = []
    for row in sheet.iter_rows(min_row=2):
        if all(c.value is None for c in row):
            break
        rows.append(dict(zip(header, row, strict=True)))
    return rows


def _ids(rows: list[dict]) -> list[int]:
    return [int(r["URL"].value.rsplit("/", 1)[1]) for r in rows]


def _titles(rows: list[dict]) -> list[str]:
    return [r["タイトル"].value for r in rows]


@pytest.mark.parametrize("kind", ["case", "event", "policy", "challenge"])
def test_each_listing_is_a_workbook_of_what_it_shows(client, structured_factory, kind):
    for i, pref in enumerate(["28", "13", "01"]):
        structured_factory(kind, title=f"{SHEETS[kind]}{i}", prefecture=pref)
    section = SECTIONS[kind]
    sheet = _sheet(client, f"/{section}.xlsx")
    assert sheet.title == SHEETS[kind]
    header = [c.value for c in sheet[1]]
    assert header[:4] == COMMON_HEAD and header[-5:] == COMMON_TAIL
    assert all(isinstance(h, str) and h for h in header)
    assert len(header) == len(set(header)), header
    rows = _rows(sheet)
    listed = listed_ids(client.get(f"/{section}").get_data(as_text=True))
    assert _ids(rows) == listed and len(listed) == 3  # the same items in the same order
    assert sheet.max_row == 1 + len(listed)
    first = rows[0]
    assert isinstance(first["登録日"].value, datetime) and first["登録日"].is_date
    assert first["生活支援の領域"].value == "買い物、移動（交通）"
    assert first["担い手の分野"].value == "医療・介護・福祉"
    assert first["市区町村"].value == "豊岡市"


def test_case_cells_are_typed(client, structured_factory):
    case = structured_factory(
        "case", title="移動販売の事例", prefecture="28", municipality_code="282090",
        population=77_000, ageing_rate=35.2, stats_as_of="2025-10-01", start_year=2021,
        funding_kind="community_support", funding_amount=3_500_000,
    )  # fmt: skip
    (row,) = _rows(_sheet(client, "/cases.xlsx"))
    assert row["タイトル"].value == "移動販売の事例"
    assert row["都道府県"].value == "兵庫県"
    assert row["市区町村コード"].value == "282090" and row["市区町村コード"].data_type == "s"
    assert row["人口（人）"].value == 77_000 and row["人口（人）"].data_type == "n"
    assert row["人口（人）"].number_format == "#,##0"
    assert row["高齢化率（％）"].value == pytest.approx(35.2)
    assert row["人口・高齢化率の時点"].value == datetime(2025, 10, 1)
    assert row["人口・高齢化率の時点"].is_date
    assert row["開始年（西暦）"].value == 2021 and row["開始年（西暦）"].number_format == "0"
    assert row["財源"].value == "地域支援事業"  # the label, not "community_support"
    assert row["事業費（円）"].value == 3_500_000 and isinstance(row["事業費（円）"].value, int)
    assert row["概要"].value == "移動販売車で山間部を**毎週**巡回しています。"
    assert row["実施主体"].value == "豊岡市社会福祉協議会"
    assert row["URL"].value == f"http://localhost/t/{case.id}"
    assert row["プラットフォーム"].value  # the national platform's name
    assert row["登録日"].value.date() == case.created_at.astimezone(TOKYO).date()


def test_event_times_are_tokyo_datetimes(client, structured_factory):
    structured_factory("event", title="研修会", start_at="2030-12-01T00:30+09:00",
                       end_at="2030-12-01T02:00+09:00", apply_deadline="2030-11-20",
                       capacity=80, attendance_mode="hybrid", online_url="https://example.jp/m")  # fmt: skip
    sheet = _sheet(client, "/events.xlsx")
    (row,) = _rows(sheet)
    start, end = row["開始日時"], row["終了日時"]
    assert start.value == datetime(2030, 12, 1, 0, 30)  # Tokyo wall time, not 15:30 the day before
    assert end.value == datetime(2030, 12, 1, 2, 0)
    assert start.is_date and start.number_format == "yyyy/mm/dd hh:mm"
    assert row["申込締切"].value == datetime(2030, 11, 20) and row["申込締切"].is_date
    assert row["申込締切"].number_format == "yyyy/mm/dd"
    assert row["定員（人）"].value == 80 and row["定員（人）"].data_type == "n"
    assert row["参加方法"].value == "ハイブリッド"
    assert row["開催状況"].value == "開催予定"
    assert row["オンライン参加のURL"].value == "https://example.jp/m"
    assert row["会場名"].value == "豊岡市民会館"


def test_policy_fiscal_year_reads_as_reiwa_and_counts_as_a_year(client, structured_factory):
    structured_factory("policy", fiscal_year=2026, amount_yen=1_234_567_890, amount_kind="initial",
                       application_end="2026-06-30")  # fmt: skip
    (row,) = _rows(_sheet(client, "/policies.xlsx"))
    assert row["年度"].value == "令和8年度"
    year = row["年度（西暦の年）"]
    assert year.value == 2026 and year.data_type == "n" and year.number_format == "0"
    assert (
        row["予算額（円）"].value == 1_234_567_890 and row["予算額（円）"].number_format == "#,##0"
    )
    assert row["種別"].value == "補助金" and row["予算の区分"].value == "当初予算"
    assert row["申請受付の終了日"].value == datetime(2026, 6, 30)
    assert row["所管（府省庁・自治体）"].value == "厚生労働省"
    assert row["申請受付の開始日"].value is None  # empty stays empty


def test_challenge_status_is_its_label(client, structured_factory):
    structured_factory("challenge", status="negotiating")
    (row,) = _rows(_sheet(client, "/challenges.xlsx"))
    assert row["状況"].value == "調整中"
    assert row["地域・エリア"].value == "豊岡市北部"


# --- filters --------------------------------------------------------------------------------


def test_the_listing_filters_apply(client, structured_factory):
    hyogo = structured_factory("case", title="兵庫の事例", prefecture="28",
                               life_domains=["mimamori"])  # fmt: skip
    structured_factory("case", title="東京の事例", prefecture="13", life_domains=["kaimono"])
    assert _titles(_rows(_sheet(client, "/cases.xlsx?prefecture=28"))) == ["兵庫の事例"]
    rows = _rows(_sheet(client, "/cases.xlsx?domain=mimamori"))
    assert _ids(rows) == [hyogo.id] and rows[0]["生活支援の領域"].value == "見守り"
    assert _rows(_sheet(client, "/cases.xlsx?prefecture=01")) == []  # the header only


def test_events_upcoming_by_default_past_on_request(client, structured_factory):
    structured_factory("event", title="これから", start_at="2030-12-01T10:00+09:00", end_at=None)
    structured_factory("event", title="昔1", start_at="2020-01-10T10:00+09:00", end_at=None)
    structured_factory("event", title="昔2", start_at="2021-05-10T10:00+09:00", end_at=None)
    assert _titles(_rows(_sheet(client, "/events.xlsx"))) == ["これから"]
    past = _rows(_sheet(client, "/events.xlsx?when=past"))
    assert _titles(past) == ["昔2", "昔1"]  # latest first, as the listing
    listed = listed_ids(client.get("/events?when=past").get_data(as_text=True))
    assert _ids(past) == listed


@pytest.mark.parametrize(("url", "message"), [
    ("/cases.xlsx?prefecture=99", "都道府県コードが正しくありません。"),
    ("/cases.xlsx?population=huge", "「人口規模」の値が正しくありません。"),
    ("/events.xlsx?when=someday", "「期間」の値が正しくありません。"),
    ("/events.xlsx?from=2026-13-01", "日付は「2026-12-01」の形で指定してください。"),
    ("/policies.xlsx?fiscal_year=R8", "年度は西暦の年（例：2026）で指定してください。"),
    ("/challenges.xlsx?status=cancelled", "「状況」の値が正しくありません。"),
    ("/challenges.xlsx?domain=nope", "生活支援の領域が正しくありません。"),
])  # fmt: skip
def test_a_bad_filter_is_a_400_page_in_japanese(client, url, message):
    response = client.get(url)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert message in page  # the listing's message, not only "the request is wrong"
    assert_japanese(re.sub(r"「[a-z_]+」", "", message))


def test_filters_for_another_kind_are_ignored(client, structured_factory):
    structured_factory("case")
    assert len(_rows(_sheet(client, "/cases.xlsx?mode=online&when=past"))) == 1


# --- who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["case", "event", "policy", "challenge"])
def test_hidden_and_deleted_threads_are_left_out(client, structured_factory, kind):
    shown = structured_factory(kind, title="見えるもの")
    hidden = structured_factory(kind, title="非表示のもの")
    deleted = structured_factory(kind, title="削除したもの")
    hidden.is_hidden = True
    deleted.is_deleted = True
    db.session.commit()
    assert _ids(_rows(_sheet(client, f"/{SECTIONS[kind]}.xlsx"))) == [shown.id]


@pytest.fixture
def closed_board(app):
    """A national board for verified municipal officials only (行政職員限定)."""
    board = forum_boards.create_board(
        actor=service.SYSTEM, space=None, slug="gyosei-gentei", name="行政職員限定",
        audience=forum_boards.Audience("roles", ("municipal_staff",)),
    )  # fmt: skip
    db.session.commit()
    return board


@pytest.mark.parametrize("kind", ["case", "event", "policy", "challenge"])
def test_a_closed_board_is_in_the_workbook_only_for_its_readers(
    client, login, user_factory, structured_factory, closed_board, kind
):
    open_item = structured_factory(kind, title="公開のもの")
    closed = structured_factory(kind, title="限定のもの", board_slug=closed_board.slug)
    url = f"/{SECTIONS[kind]}.xlsx"
    assert _ids(_rows(_sheet(client, url))) == [open_item.id]  # anonymous
    login(user_factory(role="member"))
    assert _ids(_rows(_sheet(client, url))) == [open_item.id]
    client.post_form("/logout")
    login(user_factory(role="municipal_staff"))
    assert sorted(_ids(_rows(_sheet(client, url)))) == sorted([open_item.id, closed.id])


# --- text stays text, links point at SITE_URL ---------------------------------------------------


@pytest.mark.parametrize("title", ['=HYPERLINK("http://x","クリック")', "+1+1", "-2+3", "@SUM(A1)",
                                   "=1+1"])  # fmt: skip
def test_a_formula_like_title_stays_text(client, structured_factory, title):
    structured_factory("case", title=title, implementer="=cmd|' /C calc'!A0")
    (row,) = _rows(_sheet(client, "/cases.xlsx"))
    assert row["タイトル"].value == title and row["タイトル"].data_type == "s"
    assert row["実施主体"].value == "=cmd|' /C calc'!A0" and row["実施主体"].data_type == "s"


@pytest.mark.parametrize("app_config", [{"SITE_URL": "https://kyoso.example.lg.jp/kyoso/",
                                           "TRUSTED_HOSTS": "kyoso-internal.example"}],
                         indirect=True)  # fmt: skip
def test_urls_come_from_site_url_not_the_request(client, structured_factory, app_config):
    thread = structured_factory("challenge")
    (row,) = _rows(_sheet(client, "/challenges.xlsx", base_url="http://kyoso-internal.example"))
    assert row["URL"].value == f"https://kyoso.example.lg.jp/kyoso/t/{thread.id}"


# --- the limit, the links -----------------------------------------------------------------------


def test_a_cut_off_workbook_says_so(client, structured_factory, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_LIMIT", 2)
    made = [structured_factory("challenge", title=f"課題{i}").id for i in range(3)]
    sheet = _sheet(client, "/challenges.xlsx")
    rows = _rows(sheet)
    assert _ids(rows) == sorted(made, reverse=True)[:2]  # newest first, as the listing
    note = sheet.cell(row=sheet.max_row, column=1).value
    assert "2件" in note and "絞り込んで" in note


@pytest.mark.parametrize("kind", ["case", "event", "policy", "challenge"])
def test_the_listing_links_its_workbook_with_its_filters(client, kind):
    page = client.get(f"/{SECTIONS[kind]}?prefecture=28").get_data(as_text=True)
    actions = page.split('<p class="listing-actions">')[1].split("</p>")[0]
    assert f'href="/{SECTIONS[kind]}.xlsx?prefecture=28"' in actions
    assert "Excel（.xlsx）" in actions
    if kind == "event":  # the calendar and CSV exports are still there, with the filters
        assert 'href="/events.ics?prefecture=28"' in actions
        assert 'href="/events.csv?prefecture=28"' in actions
