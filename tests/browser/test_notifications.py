"""Notifications in a real Chromium: B mentions A; A's header count rises without a reload,
and a toast says what happened."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from notifications import worker
from tests.browser.test_live import (
    SocketFrames,
    api,
    assert_not_reloaded,
    collect_problems,
    login,
    mark_page,
    token_for,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    # the live server runs the in-process worker, as a single machine does in production
    return {"NOTIFICATION_WORKER": "thread", "NOTIFICATION_POLL_SECONDS": 0.5}


@pytest.fixture
def stop_workers(live_server):
    yield
    worker.stop_all()  # before the live server closes its database connections


def test_mention_raises_the_header_count_live(browser_page: Page, live_server: str, stop_workers,
                                              thread_factory, user_factory) -> None:  # fmt: skip
    a = user_factory(handle="akita_hanako", display_name="秋田 花子")
    b = user_factory(handle="okayama_b", display_name="岡山 次郎")
    thread = thread_factory(title="移動支援の運転手確保")
    page = browser_page
    problems = collect_problems(page)
    login(page, a)
    frames = SocketFrames(page)
    page.goto("/")
    link = page.locator("#notify-link")
    expect(link).to_have_accessible_name("通知")
    expect(page.locator("#notify-count")).to_be_hidden()
    frames.wait(lambda: any(f.startswith("40") for f in frames.received), "the socket connect")
    mark_page(page)

    api(live_server, token_for(b), "POST", f"/threads/{thread.id}/posts",
        {"body": "@akita_hanako さん、秋田ではどうしていますか？"})  # fmt: skip

    expect(page.locator("#notify-count")).to_have_text("1")
    expect(link).to_have_accessible_name("通知 1 件の未読")
    expect(page.locator("#notify-toast")).to_contain_text(
        "岡山 次郎さんが「移動支援の運転手確保」であなたをメンションしました。"
    )
    assert_not_reloaded(page)
    # the centre shows it, unread first; opening it goes to the post and clears the badge
    page.goto("/notifications")
    page.get_by_role(
        "button", name="岡山 次郎さんが「移動支援の運転手確保」であなたをメンションしました。"
    ).click()
    expect(page).to_have_url(f"{live_server}/t/{thread.id}#p2")
    expect(page.locator("#notify-count")).to_be_hidden()
    assert problems == []
