"""Browser smoke tests: a real Chromium against the live server, in the Japanese UI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "kyoso-pass-2024"


def _collect_problems(page: Page, expected_statuses: tuple[int, ...] = ()) -> list[str]:
    """Uncaught page errors, console errors (e.g. CSP violations) and HTTP errors seen from now on.

    Chromium logs every 4xx/5xx response as a console error "Failed to load resource"; those are
    judged by their response instead, so that an expected 422 (form errors) and the favicon
    request (the site has none) are not counted.
    """
    problems: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console: {message.text}")

    def on_response(response) -> None:
        expected = response.status in expected_statuses or response.url.endswith("/favicon.ico")
        if response.status >= 400 and not expected:
            problems.append(f"HTTP {response.status}: {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("response", on_response)
    return problems


def _fill_register_form(page: Page, *, display_name, handle, email, password, confirm) -> None:
    page.get_by_label("表示名", exact=True).fill(display_name)
    page.get_by_label("ハンドル名", exact=True).fill(handle)
    page.get_by_label("メールアドレス", exact=True).fill(email)
    page.get_by_label("パスワード", exact=True).fill(password)
    page.get_by_label("パスワード（確認）", exact=True).fill(confirm)


def _confirmation_link(outbox_dir: Path, email: str) -> str:
    from core.mail import read_outbox

    mail = [m for m in read_outbox(str(outbox_dir)) if m["To"] == email][-1]
    return re.search(r"https?://\S+/confirm-email/\S+", mail.get_content()).group(0)


def test_register_create_thread_preview_and_reply(browser_page: Page, tmp_path) -> None:
    page = browser_page
    problems = _collect_problems(page)

    # Register through the header link, open the link mailed to the address, log in.
    page.goto("/")
    page.get_by_role("link", name="新規登録").click()
    expect(page.get_by_role("heading", level=1, name="新規登録")).to_be_visible()
    _fill_register_form(
        page,
        display_name="山田 花子",
        handle="hanako_y",
        email="hanako@example.jp",
        password=PASSWORD,
        confirm=PASSWORD,
    )
    page.get_by_role("button", name="登録する").click()
    expect(page.locator(".flashes")).to_contain_text("確認メールを hanako@example.jp に送りました。")
    page.goto(_confirmation_link(tmp_path / "outbox", "hanako@example.jp"))
    page.get_by_role("button", name="メールアドレスを確認する").click()
    expect(page.locator(".flashes")).to_contain_text("メールアドレスを確認しました。")
    page.get_by_label("メールアドレス", exact=True).fill("hanako@example.jp")
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    account_nav = page.get_by_role("navigation", name="アカウント")
    expect(account_nav.get_by_role("link", name="山田 花子")).to_be_visible()
    expect(account_nav.get_by_role("button", name="ログアウト")).to_be_visible()

    # Index -> 全体交流 -> スレッドを作成.
    page.get_by_role("link", name="共創 生活支援共創プラットフォーム 交流掲示板").click()
    expect(page.get_by_role("heading", level=1, name="交流掲示板")).to_be_visible()
    page.get_by_role("link", name="全体交流", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="全体交流")).to_be_visible()
    page.get_by_role("link", name="スレッドを作成").click()
    expect(page).to_have_url(re.compile(r"/b/zentai/new$"))

    title = "移動販売の巡回ルートの決め方"
    body = (
        "皆さんの地域では**移動販売**の巡回ルートをどう決めていますか？\n\n"
        "- 高齢者の多い集落を優先\n"
        "- 週2回の訪問"
    )
    page.get_by_label("タイトル", exact=True).fill(title)
    page.get_by_label("本文", exact=True).fill(body)

    # Preview renders the Markdown and keeps what was typed.
    page.get_by_role("button", name="プレビュー").click()
    preview = page.get_by_role("region", name="プレビュー")
    expect(preview).to_be_visible()
    expect(preview.locator(".post-body strong")).to_have_text("移動販売")
    expect(preview.locator(".post-body li")).to_have_text(["高齢者の多い集落を優先", "週2回の訪問"])
    expect(page.get_by_label("タイトル", exact=True)).to_have_value(title)
    expect(page.get_by_label("本文", exact=True)).to_have_value(body)

    # Post it.
    page.get_by_role("button", name="投稿する").click()
    expect(page).to_have_url(re.compile(r"/t/\d+$"))
    expect(page.locator(".flashes")).to_contain_text("スレッドを作成しました。")
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    first = page.locator("article#p1")
    expect(first.locator(".post-number")).to_have_text("#1")
    expect(first.locator(".post-body strong")).to_have_text("移動販売")

    # Reply from the reply box at the bottom of the thread.
    reply = "うちでは民生委員さんの情報をもとに、**毎月**ルートを見直しています。"
    page.get_by_label("返信", exact=True).fill(reply)
    page.get_by_role("button", name="返信する").click()
    expect(page).to_have_url(re.compile(r"/t/\d+#p2$"))
    second = page.locator("article#p2")
    expect(second.locator(".post-number")).to_have_text("#2")
    expect(second.get_by_role("link", name="山田 花子")).to_be_visible()
    expect(second.locator(".post-body")).to_contain_text("民生委員さんの情報をもとに")
    expect(second.locator(".post-body strong")).to_have_text("毎月")
    expect(page.locator("main > p.meta").first).to_have_text("返信 1件")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "thread.png"), full_page=True)
    assert problems == []


def test_register_validation_errors_keep_input(browser_page: Page) -> None:
    page = browser_page
    problems = _collect_problems(page, expected_statuses=(422,))
    page.goto("/register")
    _fill_register_form(
        page,
        display_name="山田 花子",
        handle="山田!",
        email="hanako@example.jp",
        password="short",
        confirm="short",
    )
    with page.expect_response(
        lambda r: r.url.endswith("/register") and r.request.method == "POST"
    ) as info:
        page.get_by_role("button", name="登録する").click()
    assert info.value.status == 422

    summary = page.get_by_role("alert")
    expect(summary).to_have_class(re.compile(r"\berror-summary\b"))
    expect(summary).to_contain_text("入力内容を確認してください")
    expect(summary).to_contain_text(
        "ハンドル名：半角英数字とアンダースコア（_）で3〜30文字にしてください。"
    )
    expect(summary).to_contain_text("パスワード：パスワードは10文字以上128文字以下にしてください。")

    handle = page.get_by_label("ハンドル名", exact=True)
    password = page.get_by_label("パスワード", exact=True)
    for field, error_id in ((handle, "handle-error"), (password, "password-error")):
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{error_id}\b"))
    expect(page.locator("#handle-error")).to_have_text(
        "半角英数字とアンダースコア（_）で3〜30文字にしてください。"
    )
    expect(page.locator("#password-error")).to_have_text(
        "パスワードは10文字以上128文字以下にしてください。"
    )
    expect(page.get_by_label("表示名", exact=True)).not_to_have_attribute("aria-invalid", "true")

    # What was typed is still there (passwords are deliberately not echoed back).
    expect(page.get_by_label("表示名", exact=True)).to_have_value("山田 花子")
    expect(handle).to_have_value("山田!")
    expect(page.get_by_label("メールアドレス", exact=True)).to_have_value("hanako@example.jp")
    expect(password).to_have_value("")

    # The summary links move to the field.
    summary.get_by_role("link", name=re.compile("^ハンドル名")).click()
    expect(page).to_have_url(re.compile(r"#handle$"))
    assert problems == []


def test_first_tab_focuses_skip_link(browser_page: Page) -> None:
    page = browser_page
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="本文へ移動")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # the visually hidden link appears when focused
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main#main")).to_be_focused()
