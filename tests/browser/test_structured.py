"""An organisation registers an event through the form in a real Chromium (keyboard-reachable
labels, checkboxes for domains, a Tokyo datetime input) and finds it in the month calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from structured.schema import TOKYO
from tests.browser.test_moderation_flow import login
from tests.browser.test_smoke import _collect_problems

pytestmark = pytest.mark.browser


def test_event_posted_through_the_form_appears_in_the_calendar(browser_page: Page, user_factory):
    page = browser_page
    problems = _collect_problems(page, expected_statuses=(422,))
    organiser = user_factory(role="org_staff", display_name="ささえあい西宮")
    login(page, organiser)
    day = (datetime.now(UTC).astimezone(TOKYO) + timedelta(days=40)).date()

    page.goto("/events")
    page.get_by_role("link", name="イベントを登録").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("イベントを登録")
    page.get_by_label("タイトル").fill("居場所づくり交流会")
    page.get_by_label("都道府県", exact=True).select_option("28")
    # the municipality by name: the suggestions follow the chosen prefecture (kyoso.js)
    expect(page.locator("#municipality-options option[value='西宮市']")).to_have_count(1)
    expect(page.locator("#municipality-options option[value='長野市']")).to_have_count(0)
    page.get_by_label("市区町村", exact=True).fill("西宮市")
    page.get_by_role("checkbox", name="居場所").check()
    page.get_by_label("開始日時").fill(f"{day.isoformat()}T13:30")
    page.get_by_label("終了日時").fill(f"{day.isoformat()}T12:00")  # before the start: refused
    page.get_by_label("参加方法").select_option("venue")
    page.get_by_label("会場名").fill("西宮市民会館")
    page.get_by_label("主催").fill("NPO法人 ささえあい西宮")
    page.get_by_label("本文").fill("団地の居場所づくりについて話し合います。")
    page.get_by_role("button", name="投稿する").click()

    summary = page.get_by_role("alert").filter(has_text="入力内容を確認してください")
    expect(summary).to_contain_text("終了日時は開始日時より後にしてください。")
    expect(page.get_by_label("会場名")).to_have_value("西宮市民会館")  # nothing typed is lost
    expect(page.get_by_role("checkbox", name="居場所")).to_be_checked()
    page.get_by_label("終了日時").fill(f"{day.isoformat()}T15:30")
    page.get_by_role("button", name="投稿する").click()

    expect(page.get_by_role("heading", level=1, name="居場所づくり交流会")).to_be_visible()
    card = page.get_by_role("region", name="イベント")
    expect(card).to_contain_text(f"{day.year}年{day.month}月{day.day}日")
    expect(card).to_contain_text("13:30〜15:30")

    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="イベント"
    ).click()
    page.get_by_role("link", name="月のカレンダーで見る").click()
    # month by month, each page awaited: checking the heading at once could read the page being
    # left and click 「次の月」 once too often under load (CI, 2026-12-07)
    shown = datetime.now(UTC).astimezone(TOKYO).date().replace(day=1)
    expect(page.get_by_role("heading", name=f"{shown.year}年{shown.month}月")).to_be_visible()
    while (shown.year, shown.month) != (day.year, day.month):
        page.get_by_role("link", name="次の月").click()
        shown = (shown + timedelta(days=32)).replace(day=1)
        expect(page.get_by_role("heading", name=f"{shown.year}年{shown.month}月")).to_be_visible()
    cell = page.locator("table.calendar td").filter(
        has=page.locator(".day-number", has_text=str(day.day))
    )
    link = cell.first.get_by_role("link", name="居場所づくり交流会")
    expect(link).to_contain_text("13:30")
    link.click()
    expect(page.get_by_role("heading", level=1, name="居場所づくり交流会")).to_be_visible()
    assert problems == []
