"""Spaces in a real Chromium (issue #12): an admin creates 兵庫県's platform through the forms;
a municipal employee of 兵庫県 joins from the suggestion on the national home, reads and posts on
its 行政職員限定 board; an NPO member of the same space finds nothing of it — not on the
platform's home, not at the board's address, not in search, not in the calendar. axe-core checks
every new page (WCAG 2.1 AA), and the join and board forms work from the keyboard."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.extensions import db
from forum.models import Board, Thread
from search import runner
from structured.models import ThreadDetail
from tests.fixtures.app import PASSWORD
from tests.support.a11y import assert_accessible

pytestmark = pytest.mark.browser
MARKER = "率直な人員配置の相談"


def _problems(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 500 else None)  # fmt: skip
    return problems


def _login(page: Page, user) -> None:
    page.goto("/login")
    page.get_by_label("メールアドレス", exact=True).fill(user.email)
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()


def test_a_prefecture_platform_with_a_closed_board_nothing_leaks(
    app, browser_page: Page, new_page, user_factory
) -> None:
    admin = user_factory(role="admin", display_name="事務局 管理者")
    staff = user_factory(role="municipal_staff", display_name="加藤 誠", prefecture_code="28")
    npo = user_factory(role="org_staff", display_name="ささえあい 事務局長", prefecture_code="28")

    # --- the admin creates the platform in a minute -------------------------------------------
    page = browser_page
    problems = _problems(page)
    _login(page, admin)
    account = page.get_by_role("navigation", name="アカウント")
    account.get_by_text("設定", exact=True).click()  # the header's settings disclosure
    account.get_by_role("link", name="掲示板の管理").click()
    page.get_by_role("link", name="都道府県版プラットフォームを作成").click()
    assert_accessible(page, "new space form")
    page.get_by_label("名前", exact=True).fill("兵庫県生活支援共創プラットフォーム")
    page.get_by_label("URL名", exact=True).fill("hyogo")
    page.get_by_label("都道府県", exact=True).select_option(label="兵庫県")
    page.get_by_label("説明", exact=True).fill("兵庫県内の交流の場です。")
    page.get_by_role("button", name="作成する").click()
    expect(page.get_by_text("「兵庫県生活支援共創プラットフォーム」を作成しました。")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("兵庫県生活支援共創プラットフォーム")
    expect(page.get_by_role("link", name=re.compile("^行政職員限定"))).to_be_visible()  # admins read all

    # --- the municipal employee joins from the national home's suggestion, by keyboard ---------
    worker = new_page()
    worker_problems = _problems(worker)
    _login(worker, staff)
    worker.goto("/")
    expect(worker.get_by_text("プロフィールの都道府県に「兵庫県生活支援共創プラットフォーム」があります。")).to_be_visible()
    assert_accessible(worker, "national home with the suggestion")
    join = worker.get_by_role("button", name="参加する", exact=True)
    join.focus()
    worker.keyboard.press("Enter")
    expect(worker.get_by_text("「兵庫県生活支援共創プラットフォーム」に参加しました。")).to_be_visible()
    switcher = worker.get_by_role("list", name="参加しているプラットフォーム")
    expect(switcher.get_by_role("link", name="兵庫県")).to_have_attribute("aria-current", "page")
    assert_accessible(worker, "space home as a member")
    worker.get_by_role("link", name=re.compile("^行政職員限定")).click()
    worker.get_by_role("link", name="スレッドを作成").click()
    worker.get_by_label("タイトル", exact=True).fill(MARKER)
    worker.get_by_label("本文", exact=True).fill(f"{MARKER}：包括の人員が足りません。各市町はどうしていますか。")
    worker.get_by_role("button", name=re.compile("^(投稿する|作成する)$")).click()
    expect(worker.get_by_role("heading", level=1)).to_have_text(MARKER)
    assert_accessible(worker, "closed thread")

    # an event on the closed board (as the event form stores it) and the search index
    board = db.session.scalar(select(Board).where(Board.slug == "hyogo-gyosei"))
    thread = db.session.scalar(select(Thread).where(Thread.title == MARKER))
    event = Thread(board_id=board.id, author_id=staff.id, title=f"{MARKER}（勉強会）", kind="event")
    db.session.add(event)
    db.session.flush()
    starts = datetime.now(UTC) + timedelta(days=2)
    db.session.add(ThreadDetail(thread_id=event.id, kind="event", prefecture_code="28",
                                starts_at=starts, ends_at=starts + timedelta(hours=1)))  # fmt: skip
    db.session.commit()
    runner.catch_up(Path(app.config["SEARCH_INDEX_DIR"]))
    month = starts.astimezone().strftime("%Y-%m")

    worker.goto(f"/search?q={MARKER}")
    expect(worker.get_by_role("link", name=MARKER, exact=True)).to_be_visible()
    worker.goto(f"/events/calendar?month={month}")
    expect(worker.get_by_text(f"{MARKER}（勉強会）")).to_be_visible()

    # --- the NPO member of the same space finds nothing of it -----------------------------------
    other = new_page()
    other_problems = _problems(other)
    _login(other, npo)
    other.goto("/pf/hyogo")
    other.get_by_role("button", name="このプラットフォームに参加する").click()
    expect(other.get_by_text("このプラットフォームに参加しています。")).to_be_visible()
    expect(other.get_by_role("link", name=re.compile("^行政職員限定"))).to_have_count(0)
    for path in (f"/b/{board.slug}", f"/t/{thread.id}", f"/t/{event.id}"):
        response = other.goto(path)
        assert response.status == 404, path  # not 403: nothing says it exists
    other.goto(f"/search?q={MARKER}")
    expect(other.get_by_text(MARKER)).to_have_count(0)
    other.goto(f"/events/calendar?month={month}")
    expect(other.get_by_text(MARKER)).to_have_count(0)
    feed = other.request.get("/events.ics")  # with the member's cookies
    assert feed.ok and MARKER not in feed.text()
    assert problems == [] and worker_problems == [] and other_problems == []
