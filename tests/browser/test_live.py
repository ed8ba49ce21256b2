"""Live updates in a real Chromium: two people (two browser contexts) on one live server.

Person B reads (the page under test); person A writes, through A's own browser or through the
JSON API with a Bearer token. B's page must change without a reload, exactly as a reload would
show it, and without console errors (CSP violations, script errors) or failed requests.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from auth.accounts import create_api_token
from core.extensions import db
from forum.models import Post
from tests.fixtures.app import PASSWORD

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


# --------------------------------------------------------------------------------- helpers


def _socket_url(url: str) -> bool:
    return "/socket.io/" in url


def collect_problems(page: Page, *, socket_blocked: bool = False) -> list[str]:
    """Uncaught page errors, console errors (CSP violations…) and HTTP errors seen from now on.
    With ``socket_blocked``, the errors of the deliberately aborted Socket.IO requests are
    expected and left out (nothing else is)."""
    problems: list[str] = []

    def on_console(message) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        if socket_blocked and (_socket_url(message.text) or _socket_url(where)):
            return
        if message.text.startswith("Failed to load resource") and not socket_blocked:
            return  # judged by its response below
        problems.append(f"console: {message.text} ({where})")

    def on_response(response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"HTTP {response.status}: {response.url}")

    def on_failed(request) -> None:
        if request.failure == "net::ERR_ABORTED":
            return  # cancelled by a navigation (e.g. submitting a form while a fetch runs)
        if not (socket_blocked and _socket_url(request.url)):
            problems.append(f"request failed: {request.url} {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    return problems


class SocketFrames:
    """The Socket.IO frames a page exchanges over its WebSocket, to wait until it has joined a
    room before the other person acts (the typing notice and the board banner have no catch-up)."""

    ACK_OK = re.compile(r'^43\d+\[\{"ok":\s*true')

    def __init__(self, page: Page) -> None:
        self.page = page
        self.sent: list[str] = []
        self.received: list[str] = []
        page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        if not _socket_url(ws.url):
            return
        ws.on("framesent", lambda p: self.sent.append(p if isinstance(p, str) else p.decode()))
        ws.on(
            "framereceived",
            lambda p: self.received.append(p if isinstance(p, str) else p.decode()),
        )

    def reset(self) -> None:
        self.sent.clear()
        self.received.clear()

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            self.page.wait_for_timeout(50)

    def wait_joined_thread(self) -> None:
        self.wait(
            lambda: any(self.ACK_OK.match(f) and "last_number" in f for f in self.received),
            "the join_thread acknowledgement",
        )

    def wait_joined_board(self) -> None:
        self.wait(lambda: any('"join_board"' in f for f in self.sent), "join_board")
        self.page.wait_for_timeout(300)  # join_board has no ack: let the server handle it


def open_live(page: Page, url: str) -> SocketFrames:
    frames = SocketFrames(page)
    page.goto(url)
    return frames


def login(page: Page, user) -> None:
    page.goto("/login")
    page.get_by_label("メールアドレス", exact=True).fill(user.email)
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    account_nav = page.get_by_role("navigation", name="アカウント")
    expect(account_nav.get_by_role("button", name="ログアウト")).to_be_visible()


def api(base: str, token: str, method: str, path: str, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{base}/api/v1{path}",
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response) if response.status != 204 else None


def token_for(user) -> str:
    token = create_api_token(user, name="browser test")
    db.session.commit()
    return token


def post_ids(thread_id: int) -> dict[int, int]:
    rows = db.session.execute(select(Post.number, Post.id).where(Post.thread_id == thread_id))
    return dict(rows.all())


def mark_page(page: Page) -> None:
    """Leave a marker in the page's JavaScript state: it survives only if nothing reloads."""
    page.evaluate("window.__kyosoNoReload = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__kyosoNoReload === true"), "the page was reloaded"


def article_ids(page: Page) -> list[str]:
    return page.locator(".posts > article.post").evaluate_all("els => els.map(e => e.id)")


def article_texts(page: Page) -> dict[str, str]:
    return page.locator(".posts > article.post").evaluate_all(
        "els => Object.fromEntries(els.map(e => [e.id, e.innerText]))"
    )


# ----------------------------------------------------------------------------------- tests


def test_reply_appears_live_as_on_reload(
    browser_page: Page, new_page, thread_factory, user_factory
) -> None:
    author = user_factory(display_name="岡山 太郎", handle="okayama_taro")
    thread = thread_factory(author=author, replies=1)
    url = f"/t/{thread.id}"

    reader = browser_page  # B: an anonymous reader
    reader_problems = collect_problems(reader)
    open_live(reader, url).wait_joined_thread()
    mark_page(reader)

    writer = new_page()  # A: logged in, replies through the reply box
    writer_problems = collect_problems(writer)
    login(writer, author)
    writer.goto(url)
    replies = [
        "**移動販売**の日程を共有します。\n\n- 火曜：北地区\n- 金曜：南地区",
        "次回は10日です。",
    ]
    for number, body in enumerate(replies, start=3):
        writer.get_by_label("返信", exact=True).fill(body)
        writer.get_by_role("button", name="返信する").click()
        expect(writer).to_have_url(re.compile(rf"/t/{thread.id}#p{number}$"))

    posts = reader.locator(".posts > article.post")
    expect(posts).to_have_count(4)
    expect(reader.locator("#p3 .post-body strong")).to_have_text("移動販売")
    expect(reader.locator("#p3 .post-body li")).to_have_text(["火曜：北地区", "金曜：南地区"])
    expect(reader.locator("#p4 .post-body")).to_have_text("次回は10日です。")
    reader.wait_for_timeout(300)  # a late duplicate insert would show up here
    assert article_ids(reader) == ["p1", "p2", "p3", "p4"]  # in order, each exactly once
    assert_not_reloaded(reader)
    live = article_texts(reader)

    reader.reload()
    assert article_ids(reader) == ["p1", "p2", "p3", "p4"]
    assert article_texts(reader) == live  # the inserted articles read exactly as on reload
    assert "岡山 太郎" in live["p3"]
    assert reader_problems == [] and writer_problems == []


def test_banner_when_scrolled_up(
    browser_page: Page, live_server: str, thread_factory, user_factory
) -> None:
    author = user_factory(display_name="秋田 花子")
    thread = thread_factory(author=author, replies=40)  # #1…#41: one long page
    token = token_for(author)

    reader = browser_page
    problems = collect_problems(reader)
    open_live(reader, f"/t/{thread.id}").wait_joined_thread()
    mark_page(reader)
    reader.evaluate("window.scrollTo(0, 1500)")
    scroll_before = reader.evaluate("window.scrollY")
    assert scroll_before == 1500

    for body in ("見守り訪問の記録です。", "続報：来週も実施します。"):
        api(live_server, token, "POST", f"/threads/{thread.id}/posts", {"body": body})

    banner = reader.locator("#live-banner")
    expect(banner).to_have_text("新しい返信が2件あります")
    expect(reader.locator(".posts > article.post")).to_have_count(43)
    ARTIFACTS.mkdir(exist_ok=True)
    reader.screenshot(path=str(ARTIFACTS / "live-banner.png"))  # what B sees (the window)
    expect(banner).to_be_visible()
    expect(banner).to_be_in_viewport()  # where the scrolled-up reader can see it
    expect(reader.locator("#live-status")).to_have_text("新しい返信が2件あります")  # announced
    assert reader.evaluate("window.scrollY") == scroll_before  # the page did not jump
    assert_not_reloaded(reader)

    banner.click()
    expect(banner).to_be_hidden()
    expect(reader.locator("#p42")).to_be_in_viewport()
    assert reader.evaluate("window.scrollY") > scroll_before
    expect(reader.locator("#p42 .post-number")).to_be_focused()
    assert article_ids(reader) == [f"p{n}" for n in range(1, 44)]
    assert problems == []


def test_typing_notice_expires(browser_page: Page, new_page, thread_factory, user_factory) -> None:
    author = user_factory(display_name="長野 一郎")
    thread = thread_factory(author=author)
    url = f"/t/{thread.id}"

    reader = browser_page
    reader_problems = collect_problems(reader)
    open_live(reader, url).wait_joined_thread()

    writer = new_page()
    writer_problems = collect_problems(writer)
    login(writer, author)
    open_live(writer, url).wait_joined_thread()

    notice = reader.locator("#live-typing")
    box = writer.get_by_label("返信", exact=True)
    box.press_sequentially("こんにちは", delay=20)
    expect(notice).to_have_text("長野 一郎さんが入力中…")
    expect(writer.locator("#live-typing")).to_have_text("")  # not shown to the typist
    stopped = time.monotonic()
    expect(notice).to_have_text("", timeout=9_000)
    assert time.monotonic() - stopped <= 8

    # Typing again, then closing the tab: the notice still goes away on its own.
    box.press_sequentially("、よろしく", delay=20)
    expect(notice).to_have_text("長野 一郎さんが入力中…")
    writer.close()
    closed = time.monotonic()
    expect(notice).to_have_text("", timeout=9_000)
    assert time.monotonic() - closed <= 8
    assert reader_problems == [] and writer_problems == []


def test_edit_delete_and_lock_in_place(
    browser_page: Page, new_page, thread_factory, user_factory
) -> None:
    moderator = user_factory(role="moderator", display_name="兵庫 モデレーター")
    member = user_factory(display_name="東京 次郎")
    thread = thread_factory(author=moderator, replies=2)  # #2 and #3 by the moderator too
    ids = post_ids(thread.id)
    url = f"/t/{thread.id}"

    reader = browser_page  # B: a member with the reply box
    reader_problems = collect_problems(reader)
    login(reader, member)
    open_live(reader, url).wait_joined_thread()
    mark_page(reader)
    expect(reader.get_by_label("返信", exact=True)).to_be_enabled()

    writer = new_page()  # A: the moderator, who also wrote #2
    writer_problems = collect_problems(writer)
    login(writer, moderator)

    writer.goto(f"/p/{ids[2]}/edit")
    writer.get_by_label("本文", exact=True).fill("訂正：集合場所は**公民館**です。")
    writer.get_by_role("button", name="保存する").click()
    expect(writer.locator(".flashes")).to_contain_text("投稿を更新しました。")
    expect(reader.locator("#p2 .post-body")).to_have_text("訂正：集合場所は公民館です。")
    expect(reader.locator("#p2 .post-body strong")).to_have_text("公民館")
    expect(reader.locator("#p2 .meta")).to_contain_text("編集済み")

    writer.goto(f"/p/{ids[3]}/delete")
    writer.get_by_role("button", name="削除する").click()
    expect(writer.locator(".flashes")).to_contain_text("投稿を削除しました。")
    expect(reader.locator("#p3 .removed")).to_have_text("この投稿は削除されました。")
    expect(reader.locator("#p3")).to_have_class(re.compile(r"\bpost-deleted\b"))
    expect(reader.locator("#p3 .post-body")).to_have_count(0)
    assert article_ids(reader) == ["p1", "p2", "p3"]

    # The changed articles read exactly as a fresh load of the page shows them.
    fresh = reader.context.new_page()
    fresh.goto(url)
    live, loaded = article_texts(reader), article_texts(fresh)
    assert live == loaded
    fresh.close()

    writer.goto(url)
    writer.get_by_role("button", name="ロックする").click()
    expect(writer.locator(".flashes")).to_contain_text("スレッドの設定を変更しました。")
    expect(reader.get_by_label("返信", exact=True)).to_be_disabled()
    expect(reader.get_by_role("button", name="返信する")).to_be_disabled()
    expect(reader.locator(".reply-box")).to_contain_text(
        "このスレッドはロックされたため、返信できなくなりました。"
    )
    assert_not_reloaded(reader)
    assert reader_problems == [] and writer_problems == []


def test_polling_fallback_without_socket(
    browser_page: Page, live_server: str, thread_factory, user_factory
) -> None:
    author = user_factory(display_name="岡山 太郎")
    thread = thread_factory(author=author, replies=1)
    token = token_for(author)

    reader = browser_page
    context = reader.context
    # No Socket.IO at all: HTTP long-polling requests are aborted, WebSockets closed at once.
    context.route("**/socket.io/**", lambda route: route.abort())
    context.route_web_socket(re.compile(r"/socket\.io/"), lambda ws: ws.close())
    problems = collect_problems(reader, socket_blocked=True)
    polls: list[str] = []
    answered: list[float] = []  # when each poll's answer arrived
    reader.on(
        "request",
        lambda r: polls.append(r.url) if f"/api/v1/threads/{thread.id}/posts" in r.url else None,
    )
    reader.on(
        "requestfinished",
        lambda r: answered.append(time.monotonic())
        if f"/api/v1/threads/{thread.id}/posts" in r.url else None,
    )  # fmt: skip
    loaded = time.monotonic()
    reader.goto(f"/t/{thread.id}")
    mark_page(reader)
    # The socket never connects: polling the REST API starts within a few seconds.
    while not polls:
        assert time.monotonic() - loaded < 6, "polling did not start"
        reader.wait_for_timeout(100)
    first_polls = len(polls)

    api(live_server, token, "POST", f"/threads/{thread.id}/posts", {"body": "ポーリングで届く返信"})
    posted = time.monotonic()
    expect(reader.locator("#p3 .post-body")).to_have_text("ポーリングで届く返信", timeout=8_000)
    assert time.monotonic() - posted <= 7
    # a poll sent just before the reply may bring it (its answer comes after the post)
    assert len(polls) > first_polls or any(t >= posted for t in answered), (
        "the reply did not come through the REST API"
    )
    assert article_ids(reader) == ["p1", "p2", "p3"]
    expect(reader.get_by_role("heading", level=1)).to_have_text(thread.title)
    assert_not_reloaded(reader)
    assert problems == []


def test_board_banner_on_new_thread(
    browser_page: Page, live_server: str, user_factory, board
) -> None:
    author = user_factory(display_name="秋田 花子")
    token = token_for(author)

    reader = browser_page
    problems = collect_problems(reader)
    open_live(reader, f"/b/{board.slug}").wait_joined_board()
    banner = reader.locator("#live-banner")
    expect(banner).to_be_hidden()

    title = "雪の日の買い物支援"
    api(live_server, token, "POST", f"/boards/{board.slug}/threads", {"title": title, "body": "除雪の日の移動販売をどうしていますか？"})  # fmt: skip
    expect(banner).to_have_text("新しい動きが1件あります。最新の一覧を表示")
    expect(banner).to_be_visible()
    reader.wait_for_timeout(300)
    expect(banner).to_have_text("新しい動きが1件あります。最新の一覧を表示")  # counted once

    banner.click()
    expect(reader.get_by_role("link", name=title)).to_be_visible()
    expect(banner).to_be_hidden()
    assert problems == []
