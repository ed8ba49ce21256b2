"""Who may post what, in a real Chromium (issue #14 item 3): a member who may not announce events
finds 「イベントを登録」 on /events, is told who may and follows the one step to the verification
request; a new member's held 地域課題 lands on a 「確認待ち」 page showing what was sent."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_moderation_flow import collect_problems, login

pytestmark = pytest.mark.browser


def test_a_member_follows_the_register_button_to_the_verification_request(
    browser_page: Page, user_factory
):
    page = browser_page
    problems = collect_problems(page, expected=lambda r: r.status == 403 and "/new/event" in r.url)
    login(page, user_factory(display_name="ささえあい西宮"))
    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="イベント"
    ).click()
    page.get_by_role("link", name="イベントを登録").click()
    expect(page.get_by_role("heading", level=1, name="イベントを登録するには")).to_be_visible()
    expect(page.get_by_role("region", name="登録できる人")).to_contain_text("団体担当者")
    page.get_by_role("link", name="認証を申請する").click()
    expect(page.get_by_role("heading", level=1, name="認証の申請")).to_be_visible()
    assert problems == []


@pytest.mark.parametrize("app_config", [{"MODERATION_HOLD_FIRST_POSTS": 2}], indirect=True)
def test_a_held_local_problem_lands_on_the_waiting_page(browser_page: Page, user_factory):
    page = browser_page
    problems = collect_problems(page)
    login(page, user_factory(display_name="豊岡 花子"))
    page.goto("/challenges")
    page.get_by_role("link", name="地域課題・連携募集を登録").click()
    page.get_by_label("タイトル").fill("北部の集落に買い物の足がない")
    page.get_by_label("都道府県", exact=True).select_option("28")
    page.get_by_label("市区町村", exact=True).fill("豊岡市")
    page.get_by_role("checkbox", name="買い物").check()
    page.get_by_label("地域・エリア").fill("豊岡市北部")
    page.get_by_label("求める連携先").fill("移動販売の事業者を探しています。")
    page.get_by_label("本文").fill("週に一度でも来てもらえると助かります。")
    page.get_by_role("button", name="投稿する").click()

    expect(page.get_by_role("heading", level=1, name="確認待ち")).to_be_visible()
    expect(page.get_by_text("通常24時間以内に確認します。", exact=False)).to_be_visible()
    sent = page.get_by_role("region", name="送信した内容")
    expect(sent).to_contain_text("北部の集落に買い物の足がない")
    expect(sent).to_contain_text("豊岡市北部")
    page.get_by_role("link", name="確認待ちの投稿と通報の一覧へ").click()
    expect(page.get_by_role("main")).to_contain_text("確認待ちの投稿が1件あります")
    assert problems == []
