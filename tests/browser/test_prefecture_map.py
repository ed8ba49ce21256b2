"""The prefecture map in a real Chromium (issue #18): a coordinator opens 取組事例, clicks 長野県
on the map and the list narrows to 長野県's cases, the filter form showing the same choice; the
page is axe-clean (WCAG 2.1 AA) before and after; the map's links are reached with Tab and show
their focus; the table behind 「都道府県別の件数（表）」 opens and says the same."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_moderation_flow import login
from tests.browser.test_smoke import _collect_problems
from tests.support.a11y import assert_accessible, contrast

pytestmark = pytest.mark.browser


def test_a_coordinator_narrows_the_cases_to_nagano_from_the_map(
    browser_page: Page, structured_factory, user_factory
) -> None:
    for title, prefecture in [("上田市の移動販売", "20"), ("松本市の見守り協定", "20"),
                              ("豊岡市の乗合タクシー", "28"), ("札幌市の除雪ボランティア", "01")]:  # fmt: skip
        structured_factory("case", title=title, prefecture=prefecture)
    coordinator = user_factory(role="coordinator", display_name="生活支援コーディネーター 北村")
    page = browser_page
    problems = _collect_problems(page)
    login(page, coordinator)

    page.goto("/cases")
    section = page.locator("details.prefecture-map")
    expect(section).to_have_attribute("open", "")
    expect(section.locator("summary").first).to_have_text("地図で見る（都道府県別）")
    nagano = page.get_by_role("link", name="長野県 2件", exact=True)
    expect(nagano).to_be_visible()
    expect(page.get_by_role("link", name="兵庫県 1件", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="沖縄県 0件", exact=True)).to_be_visible()
    assert_accessible(page, "cases with the map")
    _assert_tile_text_contrast(page)

    # keyboard: from the section's summary, Tab reaches the skip link, then the first tile
    section.locator("summary").first.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="地図をとばして一覧へ")).to_be_focused()
    page.keyboard.press("Tab")
    hokkaido = page.get_by_role("link", name="北海道 1件", exact=True)
    expect(hokkaido).to_be_focused()
    stroke = hokkaido.locator("rect.tile").evaluate("r => getComputedStyle(r).stroke")
    assert stroke == "rgb(242, 169, 0)", f"no visible focus on the tile: {stroke}"

    nagano.click()
    expect(page).to_have_url("/cases?prefecture=20")
    titles = page.locator("li.listing-item h2.item-title")
    expect(titles).to_have_count(2)
    expect(titles.filter(has_text="上田市の移動販売")).to_have_count(1)
    expect(titles.filter(has_text="豊岡市")).to_have_count(0)
    expect(page.get_by_label("都道府県", exact=True)).to_have_value("20")  # the form agrees
    expect(page.get_by_text("長野県の取組事例を表示しています。")).to_be_visible()
    chosen = page.get_by_role("link", name="長野県 2件", exact=True)
    expect(chosen).to_have_attribute("aria-current", "true")
    expect(page.get_by_role("link", name="兵庫県 1件", exact=True)).to_be_visible()  # still all
    assert_accessible(page, "cases narrowed to 長野県")
    _assert_tile_text_contrast(page)

    # the same counts as a table, behind its summary
    page.get_by_text("都道府県別の件数（表）").click()
    table = page.get_by_role("table", name="取組事例の都道府県別の件数")
    expect(table).to_be_visible()
    row = table.get_by_role("row").filter(has=page.get_by_role("link", name="長野県", exact=True))
    expect(row).to_contain_text("2")
    assert_accessible(page, "the table opened")

    page.get_by_role("link", name="すべての都道府県を表示").click()
    expect(page).to_have_url("/cases")
    expect(page.locator("li.listing-item")).to_have_count(4)
    assert problems == []


def _assert_tile_text_contrast(page: Page) -> None:
    """axe-core does not judge text drawn in SVG (a tile's fill is not a CSS background), so the
    colours as Chromium paints them are checked here against WCAG AA (4.5:1)."""
    tiles = page.locator("svg.map-svg a").evaluate_all(
        """links => links.map(a => {
            const hex = c => '#' + c.match(/\\d+/g).slice(0, 3)
                .map(n => Number(n).toString(16).padStart(2, '0')).join('');
            const fill = hex(getComputedStyle(a.querySelector('rect')).fill);
            return [a.getAttribute('aria-label'), fill,
                    [...a.querySelectorAll('text')].map(t => hex(getComputedStyle(t).fill))];
        })"""
    )
    assert len(tiles) == 47
    for label, fill, texts in tiles:
        for colour in texts:
            assert contrast(fill, colour) >= 4.5, (label, fill, colour)
