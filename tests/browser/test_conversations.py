"""Private conversations in a real Chromium: A writes to B from B's profile; B, on the
conversation page, sees A's next message arrive live (no reload) and answers; every page passes
axe-core (WCAG 2.1 AA) with no console errors or failed requests."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_live import (
    SocketFrames,
    assert_not_reloaded,
    collect_problems,
    login,
    mark_page,
)
from tests.fixtures.factories import established
from tests.support.a11y import assert_accessible

pytestmark = pytest.mark.browser


def test_conversations_two_members_talk_live(browser_page: Page, new_page, user_factory) -> None:
    a = user_factory(handle="akita_a", display_name="秋田 花子", **established())
    b = user_factory(handle="okayama_b", display_name="岡山 次郎", **established())
    page_a = browser_page
    problems_a = collect_problems(page_a)
    login(page_a, a)
    page_a.goto("/u/okayama_b")
    page_a.get_by_role("link", name="メッセージを送る").click()
    expect(
        page_a.get_by_label("宛先（ハンドル名。複数のときは空白かカンマで区切ります）")
    ).to_have_value("okayama_b")
    assert_accessible(page_a, "new conversation")
    page_a.get_by_label("件名（任意）").fill("移動販売の連携について")
    page_a.get_by_label("本文").fill("はじめまして。**巡回ルート**のご相談です。")
    page_a.get_by_role("button", name="送信する").click()
    expect(page_a.get_by_role("heading", level=1)).to_have_text("移動販売の連携について")
    conversation_url = page_a.url

    page_b = new_page()
    problems_b = collect_problems(page_b)
    login(page_b, b)
    page_b.goto("/messages/")
    expect(page_b.get_by_text("未読 1件")).to_be_visible()
    assert_accessible(page_b, "inbox")
    frames = SocketFrames(page_b)
    page_b.get_by_role("link", name="移動販売の連携について").click()
    expect(page_b.locator("#conversation-messages strong")).to_have_text("巡回ルート")
    assert_accessible(page_b, "conversation")
    frames.wait(lambda: any(f.startswith("40") for f in frames.received), "the socket connect")
    mark_page(page_b)

    page_a.goto(conversation_url)
    page_a.get_by_role("textbox", name="返信").fill("来週の木曜日はいかがでしょうか。")
    page_a.get_by_role("button", name="送信する").click()
    expect(page_a.get_by_text("来週の木曜日はいかがでしょうか。")).to_be_visible()

    expect(page_b.get_by_text("来週の木曜日はいかがでしょうか。")).to_be_visible()
    expect(page_b.locator("#conversation-status")).to_have_text("新しいメッセージが届きました")
    assert_not_reloaded(page_b)
    page_b.get_by_role("textbox", name="返信").fill("木曜日で大丈夫です。")
    page_b.get_by_role("button", name="送信する").click()
    expect(page_b.get_by_text("木曜日で大丈夫です。")).to_be_visible()
    assert problems_a == [] and problems_b == [], problems_a + problems_b
