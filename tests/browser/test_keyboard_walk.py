"""A keyboard walk-through (issue #14, tests and evidence): a signed-in member who uses only the
keyboard (Tab, Shift+Tab, Enter, Space, arrow keys, typing; the login form is filled in) goes
through the header, replies in a thread, flags a post, filters a listing and moves through the
events calendar. At every stop the focused element is on screen and draws a focus indicator
(:focus-visible with an outline or a box-shadow); the ring's contrast is judged in
test_a11y_details.py."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from core.extensions import db
from core.types import TOKYO
from forum.models import Post
from moderation.models import Flag
from structured.schema import to_tokyo_iso
from tests.fixtures.app import PASSWORD
from tests.fixtures.factories import established

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}

# Is the focused element on screen, and does it draw a focus indicator?
_FOCUS = """el => {
  const s = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    focused: el === document.activeElement,
    focusVisible: el.matches(":focus-visible"),
    onScreen: box.width > 1 && box.height > 1 && box.bottom > 0 && box.right > 0
              && box.top < window.innerHeight && box.left < window.innerWidth,
    outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0,
    shadow: s.boxShadow !== "none",
  };
}"""


def _assert_focus_shown(target: Locator, label: str) -> None:
    state = target.evaluate(_FOCUS)
    assert state["focused"], f"{label}: not focused"
    assert state["focusVisible"], f"{label}: no :focus-visible ({state})"
    assert state["onScreen"], f"{label}: focused but off screen ({state})"
    assert state["outline"] or state["shadow"], f"{label}: no focus indicator ({state})"


def _tab_to(page: Page, target: Locator, label: str, limit: int = 60, back: bool = False) -> int:
    """Press Tab (or Shift+Tab) until ``target`` has the focus; each stop on the way shows a
    focus indicator too. Returns the number of presses."""
    handle = target.element_handle()
    for presses in range(1, limit + 1):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        active = page.evaluate_handle("document.activeElement")
        if page.evaluate("([a, b]) => a === b", [active, handle]):
            _assert_focus_shown(target, label)
            return presses
        if page.evaluate("a => a !== document.body", active):
            _assert_focus_shown(page.locator(":focus"), f"on the way to {label}")
    raise AssertionError(f"{label}: not reached in {limit} presses of Tab")


def _choose(page: Page, select: Locator, value: str, label: str) -> None:
    """A focused <select>: arrow down through its options until ``value`` is chosen."""
    for _ in range(80):
        if select.input_value() == value:
            _assert_focus_shown(select, label)
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{label}: {value} not reached with the arrow keys")


def _skip_to_main(page: Page) -> None:
    """On a page just opened: Tab to the skip link and follow it with Enter."""
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="本文へ移動")
    expect(skip).to_be_focused()
    _assert_focus_shown(skip, "skip link")
    page.keyboard.press("Enter")


def _login(page: Page, user) -> None:
    page.goto("/login")
    page.get_by_label("メールアドレス", exact=True).fill(user.email)
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_label("パスワード", exact=True).press("Enter")
    expect(page.get_by_role("navigation", name="アカウント")
           .get_by_role("button", name="ログアウト")).to_be_visible()  # fmt: skip


def test_header_reply_and_flag_by_keyboard(browser_page: Page, user_factory,
                                           thread_factory) -> None:  # fmt: skip
    writer = user_factory(handle="nagano_w", display_name="長野 和夫", **established())
    member = user_factory(handle="kbd_member", display_name="鍵盤 花子", **established())
    thread = thread_factory(author=writer, title="移動販売の巡回ルート",
                            body="巡回ルートの決め方を教えてください。")  # fmt: skip
    page = browser_page
    page.set_viewport_size(DESKTOP)
    _login(page, member)

    # the header: the skip link comes first, then the account menu and the main menu
    page.goto(f"/t/{thread.id}")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="本文へ移動")
    expect(skip).to_be_focused()
    _assert_focus_shown(skip, "skip link")
    account = page.get_by_role("navigation", name="アカウント")
    settings = account.locator("summary", has_text="設定")
    _tab_to(page, settings, "account menu 設定", limit=15)
    page.keyboard.press("Enter")
    profile = account.get_by_role("link", name="プロフィール設定")
    expect(profile).to_be_visible()
    _tab_to(page, profile, "プロフィール設定", limit=2)
    page.keyboard.press("Escape")
    expect(profile).to_be_hidden()
    expect(settings).to_be_focused()
    menu = page.get_by_role("navigation", name="メインメニュー")
    _tab_to(page, menu.get_by_role("link", name="取組事例"), "menu 取組事例", limit=10)
    _tab_to(page, menu.get_by_role("link", name="イベント"), "menu イベント", limit=2)
    _tab_to(page, skip, "back to the skip link", limit=25, back=True)
    page.keyboard.press("Enter")  # the skip link: the next Tab starts inside the main content
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")

    # a reply: Tab to the reply box, type, send with the keyboard
    reply_box = page.locator("#reply-form").get_by_label("返信", exact=True)
    _tab_to(page, reply_box, "reply box", limit=40)
    text = "うちでは曜日ごとに地区を分けて回っています。"
    page.keyboard.type(text)
    _tab_to(page, page.locator("#reply-form").get_by_role("button", name="返信する"),
            "返信する", limit=3)  # fmt: skip
    page.keyboard.press("Enter")
    expect(page.locator(".post-body", has_text=text)).to_be_visible()

    # a flag on the writer's post: its 通報 link, a reason by the arrow keys, send
    first = page.locator("article", has_text="巡回ルートの決め方を教えてください。")
    page.goto(f"/t/{thread.id}")
    _skip_to_main(page)
    _tab_to(page, first.get_by_role("link", name="通報"), "通報 link", limit=40)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("通報")
    radios = page.get_by_role("radio")
    _tab_to(page, radios.first, "first reason", limit=40)
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # the second reason
    expect(radios.nth(1)).to_be_checked()
    chosen = radios.nth(1).get_attribute("value")
    _assert_focus_shown(radios.nth(1), "second reason")
    _tab_to(page, page.get_by_role("textbox"), "note to moderators", limit=3)
    page.keyboard.type("地区名が具体的すぎるかもしれません。")
    _tab_to(page, page.get_by_role("button", name="通報する"), "通報する", limit=3)
    page.keyboard.press("Enter")
    expect(page.locator(".flashes")).to_be_visible()
    db.session.expire_all()
    flag = db.session.scalar(select(Flag).where(Flag.user_id == member.id))
    first_post = db.session.scalar(
        select(Post.id).where(Post.thread_id == thread.id, Post.number == 1)
    )
    assert flag is not None and flag.post_id == first_post
    assert flag.reason == chosen and "地区名" in flag.message


def _event_day(month_start: date) -> datetime:
    return datetime.combine(month_start.replace(day=15), time(14, 0), tzinfo=TOKYO)


def test_filters_and_calendar_by_keyboard(browser_page: Page, user_factory,
                                          structured_factory) -> None:  # fmt: skip
    staff = user_factory(role="municipal_staff")
    structured_factory("case", title="長野市の買い物支援バス", author=staff, prefecture="20",
                       municipality_name="長野市", life_domains=["kaimono"])  # fmt: skip
    structured_factory("case", title="豊岡市の見守り", author=staff, life_domains=["mimamori"])
    structured_factory("case", title="長野市の見守り", author=staff, prefecture="20",
                       municipality_name="長野市", life_domains=["mimamori"])  # fmt: skip
    today = datetime.now(TOKYO).date()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    starts = _event_day(next_month)
    structured_factory("event", title="来月の見守り講座", author=staff,
                       start_at=to_tokyo_iso(starts),
                       end_at=to_tokyo_iso(starts + timedelta(hours=2)))  # fmt: skip
    page = browser_page
    page.set_viewport_size(DESKTOP)
    _login(page, user_factory(**established()))

    # /cases: 地方 中部 and 買い物 chosen with the keyboard, the form sent with Enter
    page.goto("/cases")
    expect(page.locator("main")).to_contain_text("豊岡市の見守り")
    _skip_to_main(page)
    form = page.locator("form.filters")
    block = form.get_by_label("地方", exact=True)
    _tab_to(page, block, "地方", limit=20)
    _choose(page, block, "chubu", "地方 中部")
    domain = form.get_by_label("生活支援の領域", exact=True)
    _tab_to(page, domain, "生活支援の領域", limit=6)
    _choose(page, domain, "kaimono", "領域 買い物")
    _tab_to(page, form.get_by_role("button", name="この条件で表示"), "この条件で表示", limit=12)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"block=chubu.*domain=kaimono|domain=kaimono.*block=chubu"))
    results = page.locator("#results")
    expect(results).to_contain_text("長野市の買い物支援バス")
    expect(results).not_to_contain_text("豊岡市の見守り")
    expect(results).not_to_contain_text("長野市の見守り")

    # the calendar: 次の月 by the keyboard, then the day's event
    page.goto("/events/calendar")
    _skip_to_main(page)
    _tab_to(page, page.get_by_role("link", name="次の月"), "次の月", limit=40)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"month={next_month:%Y-%m}"))
    expect(page.locator("#cal-h")).to_have_text(f"{next_month.year}年{next_month.month}月")
    event = page.locator(".calendar").get_by_role("link", name=re.compile("来月の見守り講座"))
    _skip_to_main(page)
    _tab_to(page, event, "the day's event", limit=50)
    cell = page.locator(".calendar td").filter(
        has=page.get_by_role("link", name=re.compile("来月の見守り講座"))
    )
    expect(cell.locator(".day-number")).to_contain_text("15")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("来月の見守り講座")
