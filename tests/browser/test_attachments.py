"""Attachments in a real Chromium: the author uploads a photo with GPS data through the form,
finds it on the thread page without its metadata, is told in Japanese when a file is too large
for the real server, and removes it again."""

from __future__ import annotations

import io
import urllib.request

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from core.extensions import db
from tests.attachments.conftest import CAMERA, exif_with_gps, make_image, make_pdf
from tests.fixtures.app import PASSWORD

pytestmark = pytest.mark.browser
LIMIT = 300_000
BIG = 12 * 1024 * 1024  # far beyond the request allowance: refused before it is read


@pytest.fixture
def app_config():
    return {"ATTACHMENT_MAX_BYTES": LIMIT}


def _login(page: Page, user) -> None:
    page.goto("/login")
    page.get_by_label("メールアドレス", exact=True).fill(user.email)
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    nav = page.get_by_role("navigation", name="アカウント")
    expect(nav.get_by_role("button", name="ログアウト")).to_be_visible()


def test_attachments_upload_view_and_remove_in_a_browser(
    browser_page: Page, live_server: str, thread_factory, user_factory, tmp_path
) -> None:
    page = browser_page
    author = user_factory(display_name="宮本 さくら")
    thread = thread_factory(author=author, title="買い物支援の取組事例")
    thread.kind = "case"
    db.session.commit()
    _login(page, author)

    page.goto(f"/t/{thread.id}")
    page.get_by_role("link", name="ファイルを追加・削除する").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("添付ファイル")
    photo = make_image("JPEG", size=(64, 48), exif=exif_with_gps(orientation=6))
    page.get_by_label("ファイル", exact=True).set_input_files(
        {"name": "移動販売の様子.jpg", "mimeType": "image/jpeg", "buffer": photo}
    )
    page.get_by_role("button", name="アップロード").click()
    expect(page.get_by_text("ファイルを添付しました。")).to_be_visible()
    expect(page.get_by_role("link", name="移動販売の様子.jpg", exact=True)).to_be_visible()

    # Too large for the real server: the page comes back with a Japanese message, not a bare 413
    big = tmp_path / "大きな資料.pdf"
    big.write_bytes(make_pdf() + b"0" * BIG)
    page.get_by_label("ファイル", exact=True).set_input_files(big)
    page.get_by_role("button", name="アップロード").click()
    expect(page.get_by_role("alert")).to_contain_text("ファイルが大きすぎます。")

    # On the thread page, after the first post; the stored photo has no metadata
    page.goto(f"/t/{thread.id}")
    link = page.locator("section.attachments").get_by_role(
        "link", name="移動販売の様子.jpg", exact=True
    )
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    with urllib.request.urlopen(live_server + href) as response:  # a public thread: anyone
        stored = response.read()
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Type"] == "image/jpeg"
    assert CAMERA.encode() not in stored
    assert Image.open(io.BytesIO(stored)).size == (48, 64)

    page.goto(f"/t/{thread.id}/attachments")
    page.get_by_role("link", name="削除 ：移動販売の様子.jpg").click()
    page.get_by_role("button", name="削除する").click()
    expect(page.get_by_text("「移動販売の様子.jpg」を削除しました。")).to_be_visible()
    expect(page.get_by_text("添付ファイルはまだありません。")).to_be_visible()
