"""Moderation in a real Chromium: three established members flag a reply until it hides, a
moderator restores it from the queue; the personal-information guard warns, holds, and the
moderator approves.

Every person has their own browser context (own cookies) in one Chromium. Each page is watched
for console errors, uncaught page errors and unexpected HTTP errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from core.extensions import db
from forum import posting
from moderation.models import ModerationItem
from tests.fixtures.app import PASSWORD
from tests.fixtures.factories import established

pytestmark = pytest.mark.browser

HIDDEN_NOTICE = "この投稿は通報を受けたため、モデレーターの確認まで非表示になっています。"
HELD_MESSAGE = "投稿を受け付けました。モデレーターの確認後に公開されます。内容は保存されています。"
CONFIRM_LABEL = "内容を確認しました。このまま送信します（モデレーターの確認後に公開されます）"


def collect_problems(page: Page, expected: Callable[[object], bool] = lambda r: False) -> list:
    """Console errors, page errors, failed requests and HTTP errors seen from now on.
    Chromium logs each 4xx/5xx as "Failed to load resource"; those are judged by their response,
    so that an ``expected`` one (e.g. the 422 of the PII warning) is not counted."""
    problems: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console: {message.text}")

    def on_response(response) -> None:
        if response.status < 400 or response.url.endswith("/favicon.ico") or expected(response):
            return
        problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def on_failed(request) -> None:
        if request.failure != "net::ERR_ABORTED":  # aborted by a navigation: not a failure
            problems.append(f"request failed: {request.url} {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    return problems


class ThreadSocket:
    """Watches a page's Socket.IO frames, to know when it has joined the thread room (events
    sent before that would be missed: hiding and restoring have no catch-up)."""

    JOINED = re.compile(r'^43\d+\[\{"ok":\s*true.*"last_number"')

    def __init__(self, page: Page) -> None:
        self.page, self.frames = page, []
        page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        if "/socket.io/" in ws.url:
            ws.on("framereceived", lambda p: self.frames.append(p if isinstance(p, str) else ""))

    def load(self, url: str | None = None) -> None:
        """(Re)load the thread and wait until the page has joined its room."""
        self.frames.clear()
        if url is None:
            self.page.reload()
        else:
            self.page.goto(url)
        for _ in range(200):
            if any(self.JOINED.match(f) for f in self.frames):
                return
            self.page.wait_for_timeout(50)
        raise AssertionError("the page did not join the thread room")


def login(page: Page, user) -> None:
    page.goto("/login")
    page.get_by_label("メールアドレス", exact=True).fill(user.email)
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    nav = page.get_by_role("navigation", name="アカウント")
    expect(nav.get_by_role("button", name="ログアウト")).to_be_visible()


def open_queue(page: Page) -> None:
    """The moderator reaches the queue from the header link, as people do."""
    page.goto("/")
    nav = page.get_by_role("navigation", name="アカウント")
    nav.get_by_role("link", name=re.compile(r"^確認待ち（\d+）$")).click()
    expect(page.get_by_role("heading", level=1, name="確認待ちの一覧")).to_be_visible()


def test_three_flags_hide_a_reply_and_a_moderator_restores_it(
    browser_page: Page, new_page, user_factory, thread_factory
) -> None:
    author = user_factory(display_name="岡山 一郎")
    thread = thread_factory(author=author, title="見守り活動の連絡方法")
    reply_text = "見守り当番の連絡は、毎朝8時に班長へ電話でお願いします。"
    posting.create_reply(thread=thread, author=author, body=reply_text)
    db.session.commit()
    flaggers = [user_factory(display_name=f"通報者{i}", **established()) for i in range(1, 4)]
    moderator = user_factory(role="moderator", display_name="兵庫 モデレーター")
    url = f"/t/{thread.id}"

    reader = browser_page  # an anonymous reader, watching the thread the whole time
    reader_problems = collect_problems(reader)
    socket = ThreadSocket(reader)
    socket.load(url)
    expect(reader.locator("#p2 .post-body")).to_have_text(reply_text)

    problems = [reader_problems]
    for n, flagger in enumerate(flaggers, start=1):
        page = new_page()
        problems.append(collect_problems(page))
        login(page, flagger)
        page.goto(url)
        page.locator("#p2").get_by_role("link", name="通報", exact=True).click()
        expect(page.get_by_role("heading", level=1, name="投稿を通報する")).to_be_visible()
        page.get_by_label(re.compile(r"^不適切")).check()
        page.get_by_role("button", name="通報する", exact=True).click()
        expect(page.locator(".flashes")).to_contain_text("通報ありがとうございました。")
        expect(page).to_have_url(re.compile(rf"/t/{thread.id}#p2$"))
        if n < 3:  # below the threshold the reply stays readable for everyone
            expect(page.locator("#p2 .post-body")).to_have_text(reply_text)
            expect(reader.locator("#p2 .post-body")).to_have_text(reply_text)
        page.context.close()

    # After the third distinct flag: collapsed for the anonymous reader, live and on reload.
    expect(reader.locator("#p2 .removed")).to_have_text(HIDDEN_NOTICE)
    socket.load()
    expect(reader.locator("#p2 .removed")).to_have_text(HIDDEN_NOTICE)
    expect(reader.locator("#p2 .post-body")).to_have_count(0)
    assert reply_text not in reader.content()
    expect(reader.locator("#p1 .post-body")).to_be_visible()  # only the reply is collapsed

    # The moderator opens the queue from the header, sees the item with its reason(s) and
    # disagrees with the flags, giving a reason.
    mod = new_page()
    problems.append(collect_problems(mod))
    login(mod, moderator)
    open_queue(mod)
    item_id = db.session.scalars(db.select(ModerationItem.id)).one()
    item = mod.locator(f"#item-{item_id}")
    expect(item.get_by_role("heading", level=2)).to_contain_text("通報された投稿")
    expect(item).to_contain_text("岡山 一郎")
    # the distinct reasons, in Japanese (not the stored code "inappropriate")
    expect(item.locator("ul.item-reasons > li")).to_have_text(
        ["不適切（誹謗中傷・差別的な表現など）"]
    )
    expect(item.locator("ul.flag-list > li")).to_have_count(3)  # each flag, with its flagger
    expect(item.locator(".post-body")).to_have_text(reply_text)  # moderators see the text
    expect(item).to_contain_text("優先度：中")  # three flags: 3 points
    item.get_by_label("問題なし（再表示する）", exact=True).check()
    item.get_by_label("理由（任意）").fill("内容に問題はありませんでした。")
    item.get_by_role("button", name="この対応で決定する").click()
    expect(mod.locator(".flashes")).to_have_text(
        "岡山 一郎さんの投稿（「見守り活動の連絡方法」の #2）を問題なしとして、再表示しました。"
    )
    expect(mod.locator(f"#item-{item_id}")).to_have_count(0)
    expect(mod.get_by_text("確認待ちの項目はありません。")).to_be_visible()

    # Visible again to the anonymous reader: live, then on reload.
    expect(reader.locator("#p2 .post-body")).to_have_text(reply_text)
    reader.reload()
    expect(reader.locator("#p2 .post-body")).to_have_text(reply_text)
    expect(reader.locator("#p2 .removed")).to_have_count(0)

    db.session.expire_all()
    decided = db.session.get(ModerationItem, item_id)
    assert (decided.status, decided.decision, decided.version) == ("rejected", "disagree", 2)
    assert decided.decision_reason == "内容に問題はありませんでした。"
    assert [p for page_problems in problems for p in page_problems] == []


def test_personal_information_guard_warns_holds_and_moderator_approves(
    browser_page: Page, new_page, user_factory, thread_factory
) -> None:
    member = user_factory(display_name="秋田 花子")
    moderator = user_factory(role="moderator", display_name="兵庫 モデレーター")
    thread = thread_factory(title="見守り対象の方の情報共有")
    url = f"/t/{thread.id}"
    body = "田中花子さん（82歳）は認知症で、電話は090-1234-5678です。"

    page = browser_page
    problems = collect_problems(
        page, expected=lambda r: r.status == 422 and r.url.endswith(f"/t/{thread.id}/reply")
    )
    login(page, member)
    page.goto(url)
    page.get_by_label("返信", exact=True).fill(body)
    with page.expect_response(
        lambda r: r.url.endswith(f"/t/{thread.id}/reply") and r.request.method == "POST"
    ) as warned:
        page.get_by_role("button", name="返信する", exact=True).click()
    assert warned.value.status == 422

    # The warning, with the matches highlighted, the text kept and a confirmation checkbox.
    concerns = page.locator("section.concerns")
    expect(concerns).to_be_visible()
    expect(concerns.get_by_role("heading", level=2)).to_have_text("送信する前に確認してください")
    expect(concerns).to_contain_text("個人が特定できる情報")
    marks = concerns.locator("mark")
    expect(marks).to_have_count(2)
    expect(marks).to_have_text(["田中花子さん（82歳）は認知症", "090-1234-5678"])
    expect(page.get_by_label("返信", exact=True)).to_have_value(body)
    confirm = page.get_by_label(CONFIRM_LABEL)
    expect(confirm).not_to_be_checked()
    assert db.session.scalar(db.select(db.func.count(ModerationItem.id))) == 0  # nothing held yet

    confirm.check()
    page.get_by_role("button", name="返信する", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/t/{thread.id}$"))
    expect(page.locator(".flashes")).to_contain_text(HELD_MESSAGE)
    expect(page.locator("#p2")).to_have_count(0)  # not published yet

    # The moderator approves it in the queue, seeing the same highlights.
    mod = new_page()
    problems_mod = collect_problems(mod)
    login(mod, moderator)
    open_queue(mod)
    item_id = db.session.scalars(db.select(ModerationItem.id)).one()
    item = mod.locator(f"#item-{item_id}")
    expect(item.get_by_role("heading", level=2)).to_contain_text("公開前の確認")
    expect(item).to_contain_text("秋田 花子")
    expect(item.locator("mark")).to_have_text(["田中花子さん（82歳）は認知症", "090-1234-5678"])
    item.get_by_label("公開する", exact=True).check()
    item.get_by_role("button", name="この対応で決定する").click()
    expect(mod.locator(".flashes")).to_have_text(
        "秋田 花子さんの投稿「見守り対象の方の情報共有」への返信を公開しました。"
    )
    expect(mod.get_by_text("確認待ちの項目はありません。")).to_be_visible()

    # The reply appears in the thread, intact and by its author.
    mod.goto(url)
    expect(mod.locator("#p2 .post-body")).to_have_text(body)
    expect(mod.locator("#p2").get_by_role("link", name="秋田 花子")).to_be_visible()
    page.goto(url)
    expect(page.locator("#p2 .post-body")).to_have_text(body)
    assert problems == [] and problems_mod == []
