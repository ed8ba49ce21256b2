"""/stats in a real Chromium (issue #18): axe-clean, readable from the keyboard (every table's
scroll region takes focus, the downloads are links), and the 報告用 workbook downloads."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from tests.support.a11y import assert_accessible

pytestmark = pytest.mark.browser


def test_statistics_page_is_accessible_and_downloads_the_report(
    browser_page: Page, structured_factory, user_factory, tmp_path: Path
) -> None:
    admin = user_factory(role="admin")
    for prefecture, domains in (("20", ["kaimono", "ido"]), ("20", ["kaimono"]), ("28", ["mimamori"])):
        structured_factory("case", author=admin, prefecture=prefecture, life_domains=domains)
    structured_factory("event", author=admin, prefecture="20")
    page = browser_page
    page.goto("/")
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="統計").click()
    expect(page.get_by_role("heading", name="統計", level=1)).to_be_visible()
    page.get_by_label("期間").select_option("all")
    page.get_by_role("button", name="この条件で集計").click()
    heat = page.get_by_role("region", name="表：取組事例：生活支援の領域×地方")
    expect(heat.get_by_role("row", name="買い物")).to_contain_text("2")
    assert_accessible(page, "/stats")
    page.screenshot(path=str(tmp_path / "stats.png"), full_page=True)
    # keyboard: the table regions are in the tab order and show where focus is
    heat.focus()
    expect(heat).to_be_focused()
    outline = heat.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline not in ("", "none")
    with page.expect_download() as download:
        page.get_by_role("link", name="報告用のExcelファイル（すべての表）をダウンロード").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames[0] == "表紙" and len(book.sheetnames) > 5
