"""Search in a real Chromium: the header search box, highlighted results, a facet narrowing the
results, sort by date, full-width input, and deleted threads never shown.

The live server runs with ``SEARCH_INDEXER`` off (``TESTING``), so the test applies the outbox
itself with the indexer run synchronously, as ``tests/search`` does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

import search
from core.extensions import db
from forum import posting
from forum.models import Board
from search import runner
from tests.browser.test_smoke import _collect_problems

pytestmark = pytest.mark.browser


def _search_from_header(page: Page, q: str) -> None:
    box = page.get_by_role("search").filter(has=page.get_by_label("サイト内検索", exact=True))
    box.get_by_label("サイト内検索", exact=True).fill(q)
    box.get_by_role("button", name="検索").click()
    expect(page.get_by_role("heading", level=1, name="検索")).to_be_visible()


def _titles(page: Page):
    return page.locator(".search-hit h2 a")


def test_search_highlights_facets_sort_and_deleted(
    app, browser_page: Page, thread_factory, user_factory
) -> None:
    boards = {b.slug: b for b in db.session.scalars(select(Board))}
    author = user_factory(display_name="鈴木 一郎")
    moderator = user_factory(role="moderator", handle="mod")
    thread_factory(
        author=author, title="見守り活動の報告", body="郵便局と**見守り活動**を始めました。"
    )
    thread_factory(
        author=author,
        board=boards["komarigoto"],
        title="移動支援と見守りの相談",
        body="ＮＰＯ法人で移動支援を始めたいです。",
    )
    thread_factory(author=author, title="雪かきの募集", body="週末の雪かきを手伝ってください。")
    gone_early = thread_factory(author=author, title="見守りの古い記録", body="削除済みです。")
    gone_late = thread_factory(author=author, title="見守りの個人記録", body="名前入りの記録。")
    posting.delete_post(post=_first_post(gone_early), actor=moderator)
    db.session.commit()
    root = Path(app.config["SEARCH_INDEX_DIR"])
    runner.catch_up(root)  # the indexer, synchronously
    # Deleted after indexing and not indexed again: the check against the database drops it.
    posting.delete_post(post=_first_post(gone_late), actor=moderator)
    db.session.commit()

    page = browser_page
    problems = _collect_problems(page)
    page.goto("/")
    _search_from_header(page, "見守り")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    expect(_titles(page)).to_have_count(2)
    expect(_titles(page)).to_contain_text(["見守り活動の報告", "移動支援と見守りの相談"])
    expect(page.locator(".search-hit h2 mark").first).to_have_text("見守り")
    expect(page.locator(".search-hit .snippet mark").first).to_have_text("見守り")
    results = page.locator(".search-results")
    expect(results).not_to_contain_text("個人記録")
    expect(results).not_to_contain_text("古い記録")
    expect(results).not_to_contain_text("雪かき")

    # Sort by date: the newest first.
    page.get_by_role("navigation", name="並べ替え").get_by_role("link", name="新しい順").click()
    expect(page).to_have_url(re.compile(r"sort=date"))
    expect(_titles(page)).to_have_text(["移動支援と見守りの相談", "見守り活動の報告"])

    # Once the indexer has applied the deletion, the counts leave it out too.
    runner.catch_up(root)
    page.reload()
    expect(page.get_by_role("status")).to_have_text("2件見つかりました。")

    # A facet link narrows the results to one board.
    facets = page.locator("nav.facets")
    expect(facets.get_by_role("link", name=re.compile(r"^全体交流"))).to_contain_text("(1)")
    facets.get_by_role("link", name=re.compile(r"^困りごと相談")).click()
    expect(page).to_have_url(re.compile(r"board=komarigoto"))
    expect(page.get_by_role("status")).to_have_text("1件見つかりました。")
    expect(_titles(page)).to_have_text(["移動支援と見守りの相談"])
    expect(page.locator(".active-filters")).to_contain_text("困りごと相談")

    # Half-width input finds the full-width text, highlighted.
    _search_from_header(page, "NPO")
    expect(_titles(page)).to_have_text(["移動支援と見守りの相談"])
    expect(page.locator(".search-hit .snippet mark")).to_have_text(["NPO"])
    expect(page.locator("main")).not_to_contain_text("個人記録")
    assert problems == []
    search.close(app)


def _first_post(thread) -> posting.Post:
    return db.session.scalar(
        select(posting.Post).where(posting.Post.thread_id == thread.id, posting.Post.number == 1)
    )
