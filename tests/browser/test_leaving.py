"""Leaving (退会) in a real Chromium (issue #15): a member finds 「個人データと退会」 in the header,
downloads their data, is refused with a clear message when the confirmation is missing (the
password they typed is not the problem), then leaves with their post bodies erased; the thread
stays readable with the other member's reply, signed 「退会したユーザー」, and the old login no
longer works. axe-core checks the page."""

from __future__ import annotations

import zipfile

import pytest
from playwright.sync_api import Page, expect

from core.extensions import db
from forum import posting
from tests.fixtures.app import PASSWORD
from tests.support.a11y import assert_accessible

pytestmark = pytest.mark.browser


def test_a_member_downloads_their_data_and_leaves(
    browser_page: Page, user_factory, thread_factory, tmp_path
) -> None:
    member = user_factory(display_name="山下 直樹")
    other = user_factory(display_name="返信した人")
    thread = thread_factory(author=member, title="見守りネットワークの作り方",
                            body="郵便局と新聞販売店に声をかけた経緯です。")  # fmt: skip
    posting.create_reply(thread=thread, author=other, body="うちの町でも同じやり方を試します。")
    db.session.commit()

    page = browser_page
    errors: list[str] = []
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    page.goto("/login")
    page.get_by_label("メールアドレス", exact=True).fill(member.email)
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    account = page.get_by_role("navigation", name="アカウント")
    account.get_by_text("設定", exact=True).click()  # the header's settings disclosure
    account.get_by_role("link", name="個人データと退会").click()
    expect(page.get_by_role("heading", level=1, name="個人データと退会")).to_be_visible()
    assert_accessible(page, "privacy settings")

    with page.expect_download() as download:
        page.get_by_role("link", name="データを書き出す（zip）").click()
    path = tmp_path / "export.zip"
    download.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        data = archive.read("kyoso-data.json").decode()
    assert "郵便局と新聞販売店に声をかけた経緯です。" in data and member.email in data

    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_label("投稿の本文も消去する（スレッドと他の会員の返信は残ります）").check()
    page.get_by_role("button", name="退会する").click()  # without the confirmation
    expect(page.get_by_role("button", name="退会する")).to_be_visible()
    assert page.get_by_label("投稿の本文も消去する（スレッドと他の会員の返信は残ります）").is_checked()

    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_label("退会すると元に戻せないことを理解しました").check()
    page.get_by_role("button", name="退会する").click()
    expect(page.get_by_role("link", name="ログイン")).to_be_visible()  # signed out

    page.goto(f"/t/{thread.id}")
    expect(page.get_by_text("うちの町でも同じやり方を試します。")).to_be_visible()
    expect(page.get_by_text("郵便局と新聞販売店に声をかけた経緯です。")).to_have_count(0)
    expect(page.get_by_text("退会したユーザー").first).to_be_visible()

    page.goto("/login")
    page.get_by_label("メールアドレス", exact=True).fill(member.email)
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page.get_by_role("link", name="ログイン")).to_be_visible()  # still signed out
    assert errors == []
