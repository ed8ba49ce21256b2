"""Read positions in a real Chromium: readpos.js reports only what has been on screen, follows
scrolling and live replies, and the board page then shows 新着 N of a tracked thread."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.extensions import db
from forum import posting
from notifications import watching
from notifications.models import ReadPosition
from tests.browser.test_live import api, collect_problems, login, token_for

pytestmark = pytest.mark.browser


def position(user, thread, *, at_least: int = 1, timeout: float = 10.0) -> int | None:
    """The stored position, waiting up to ``timeout`` for it to reach ``at_least``."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()
        found = db.session.scalar(
            select(ReadPosition.last_read_number).where(
                ReadPosition.user_id == user.id, ReadPosition.thread_id == thread.id
            )
        )
        if (found or 0) >= at_least or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_read_position_follows_what_the_reader_sees(browser_page: Page, live_server: str,
                                                   thread_factory, user_factory) -> None:  # fmt: skip
    reader, other = user_factory(), user_factory()
    body = "長い本文です。\n\n" + "\n\n".join(f"段落{i}" for i in range(12))
    thread = thread_factory(author=other, title="移動販売の巡回ルート", body=body)
    for i in range(11):
        posting.create_reply(thread=thread, author=other, body=body + f"\n\n返信{i}")
    db.session.commit()  # posts 1..12, each taller than a small window
    watching.set_level(reader, "thread", thread.id, "tracking")
    db.session.commit()
    page = browser_page
    page.set_viewport_size({"width": 900, "height": 900})
    problems = collect_problems(page)
    login(page, reader)
    page.goto(f"/t/{thread.id}")
    seen_first = position(reader, thread)
    assert seen_first is not None and 1 <= seen_first < 12  # only what was on screen
    page.locator("#p12").scroll_into_view_if_needed()
    assert position(reader, thread, at_least=12) == 12
    # a live reply (live.js polls or listens) that scrolls into view counts too
    api(
        live_server, token_for(other), "POST", f"/threads/{thread.id}/posts", {"body": "新しい返信"}
    )
    expect(page.locator("#p13")).to_be_attached(timeout=15000)
    page.locator("#p13").scroll_into_view_if_needed()
    assert position(reader, thread, at_least=13) == 13
    # and the board shows nothing new until someone else replies
    page.goto("/b/zentai")
    expect(page.locator(".badge-unread")).to_have_count(0)
    api(live_server, token_for(other), "POST", f"/threads/{thread.id}/posts", {"body": "もう一つ"})
    page.reload()
    expect(page.get_by_role("link", name="新着 1")).to_have_attribute("href", f"/t/{thread.id}/14")
    assert problems == []
