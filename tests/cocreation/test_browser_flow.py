"""The whole うまれる loop in a real Chromium, checked with axe-core on each page: an organisation
offers to partner on a local problem; the author starts the discussion, marks the partnership,
and publishes the case, prefilled from the problem and linked both ways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from core.extensions import db
from directory.models import Organization
from tests.browser.test_moderation_flow import login
from tests.browser.test_smoke import _collect_problems
from tests.support.a11y import assert_accessible

pytestmark = pytest.mark.browser


def _logout(page: Page) -> None:
    """From the home page: a thread page sends its read position when left (signed in only)."""
    page.goto("/")
    page.get_by_role("navigation", name="アカウント").get_by_role(
        "button", name="ログアウト"
    ).click()


def test_browser_offer_accept_partner_publish_case(browser_page: Page, world):
    page = browser_page
    problems = _collect_problems(page)
    problem = f"/t/{world.problem.id}"
    partner = db.session.get(Organization, world.offerer.organization_id).name

    login(page, world.offerer)
    page.goto(problem)
    offers = page.get_by_role("region", name="連携の申し出 0件")
    expect(offers).to_be_visible()
    page.get_by_label("申し出の内容").fill(
        "移動販売車を週2回走らせることができます。燃料費のご相談をさせてください。"
    )
    assert_accessible(page, "problem page, offer form")
    page.get_by_role("button", name="連携を申し出る").click()
    expect(page.get_by_text("連携を申し出ました。")).to_be_visible()
    expect(page.get_by_role("region", name="連携の申し出 1件")).to_contain_text("申し出中")
    _logout(page)

    login(page, world.author)
    page.goto(problem)
    offers = page.get_by_role("region", name="連携の申し出 1件")
    expect(offers).to_contain_text("燃料費のご相談")
    assert_accessible(page, "problem page, author side")
    offers.get_by_role("button", name="話し合いを始める").click()
    expect(page.get_by_role("region", name="地域課題・連携募集")).to_contain_text("調整中")
    page.get_by_role("button", name="連携が成立した").click()
    expect(page.get_by_role("region", name="地域課題・連携募集")).to_contain_text("連携成立")
    expect(page.locator(".cocreation .partners")).to_contain_text(partner)

    page.get_by_role("link", name="この取組を事例として公開する").click()
    expect(page.get_by_label("連携先")).to_have_value(partner)
    expect(page.get_by_label("実施主体")).to_have_value(world.author_org.name)
    assert_accessible(page, "case form prefilled from the problem")
    page.get_by_label("タイトル").fill("冬の買い物支援（連携の事例）")
    page.get_by_label("概要").fill("宅配と見守りを一緒に進めた取組です。")
    page.get_by_role("button", name="投稿する").click()

    expect(
        page.get_by_role("heading", level=1, name="冬の買い物支援（連携の事例）")
    ).to_be_visible()
    origin = page.get_by_role("complementary", name="きっかけとなった地域課題")
    expect(origin).to_contain_text(world.problem.title)
    assert_accessible(page, "case page with its origin")
    origin.get_by_role("link").click()
    expect(page.get_by_text("この課題から生まれた事例")).to_be_visible()
    # in the co-creation panel (the matching suggestions list it among similar cases too)
    expect(page.locator("#offers").get_by_role("link", name="冬の買い物支援（連携の事例）")
           ).to_be_visible()  # fmt: skip
    assert problems == []
