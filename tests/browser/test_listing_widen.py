"""Lists that never dead-end, in a real Chromium (issue #14, item 5): a coordinator in 長野県 looks
for 買い物支援 cases in 中部; choosing 中部 leaves only its prefectures in the 都道府県 choices
(the page's small script, as the server does after sending); the empty result offers 「中部」を外す
with its count, one click widens, and 「掲示板で質問する」 opens a question pre-filled with the
filters. axe-clean on the empty result."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_moderation_flow import login
from tests.browser.test_smoke import _collect_problems
from tests.support.a11y import assert_accessible

pytestmark = pytest.mark.browser


def test_a_coordinator_widens_an_empty_list_and_asks(
    browser_page: Page, structured_factory, user_factory
) -> None:
    structured_factory(
        "case", title="上田市の見守り協定", prefecture="20", life_domains=["mimamori"]
    )
    structured_factory("case", title="豊岡市の移動販売", prefecture="28", life_domains=["kaimono"])
    structured_factory("case", title="東京の買い物代行", prefecture="13", life_domains=["kaimono"])
    coordinator = user_factory(role="coordinator", display_name="生活支援コーディネーター 北村")
    page = browser_page
    problems = _collect_problems(page)
    login(page, coordinator)

    page.goto("/cases")
    expect(page.locator("#result-count")).to_have_text("3件")
    page.get_by_label("地方", exact=True).select_option(label="中部")
    prefecture = page.get_by_label("都道府県", exact=True)
    expect(prefecture.locator("option:not([disabled])")).to_have_count(10)  # すべて + 9
    expect(prefecture.locator("option[value='13']")).to_be_disabled()
    page.locator("#f-domain").select_option(label="買い物")
    page.get_by_role("button", name="この条件で表示").click()

    expect(page.locator("#result-count")).to_have_text("0件")
    expect(page.get_by_text("条件に合うものはまだありません。")).to_be_visible()
    widen = page.get_by_role("link", name="「中部」を外す")
    expect(widen).to_be_visible()
    expect(page.locator("ul.widenings li").filter(has=widen)).to_contain_text("（2件）")
    assert_accessible(page, "an empty list with its ways out")

    widen.click()
    expect(page).to_have_url("/cases?domain=kaimono")
    expect(page.locator("li.listing-item")).to_have_count(2)
    expect(page.locator("#result-count")).to_have_text("2件")

    page.go_back()
    page.get_by_role("link", name="掲示板で質問する").click()
    expect(page.get_by_label("タイトル")).to_have_value("取組事例を探しています（中部・買い物）")
    expect(page.get_by_label("本文")).to_contain_text("- 中部")
    assert problems == []
