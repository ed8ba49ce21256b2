"""The front-end core (static/js/kyoso.js): a signed-in thread page opens ONE WebSocket, shared
by the header's notification count (notify.js) and the live replies (live.js) — it opened two."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from notifications import worker
from tests.browser.test_live import _socket_url, api, collect_problems, login, token_for

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"JS_TIMINGS": {"poll-ms": 400, "typing-show-ms": 800},
            "NOTIFICATION_WORKER": "thread", "NOTIFICATION_POLL_SECONDS": 0.5}  # fmt: skip


@pytest.fixture
def stop_workers(live_server):
    yield
    worker.stop_all()  # before the live server closes its database connections


def test_one_socket_per_signed_in_thread_page(browser_page: Page, live_server: str, stop_workers,
                                              thread_factory, user_factory) -> None:  # fmt: skip
    reader = user_factory(handle="nagano_reader", display_name="長野 読者")
    writer = user_factory(handle="tokyo_writer", display_name="東京 書き手")
    thread = thread_factory(title="見守りの工夫", author=writer)
    page = browser_page
    problems = collect_problems(page)
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url) if _socket_url(ws.url) else None)
    login(page, reader)
    page.goto("about:blank")  # the page after the login (and its socket) is gone
    sockets.clear()
    page.goto(f"/t/{thread.id}")
    assert page.locator("body").get_attribute("data-kyoso-poll-ms") == "400"
    api(live_server, token_for(writer), "POST", f"/threads/{thread.id}/posts",
        {"body": "@nagano_reader さん、見守りの工夫を教えてください"})  # fmt: skip
    # both users of the socket work: the reply arrives live and the header count rises
    expect(page.locator("#p2")).to_contain_text("見守りの工夫を教えてください")
    expect(page.locator("#notify-count")).to_have_text("1")
    assert len(sockets) == 1, sockets
    assert problems == []
