"""The directory in a real Chromium: an admin adds an organisation and a member account through
the forms; a visitor reaches it from the header link, filters by field and kind, and finds the
member's event on the organisation page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from core.extensions import db
from forum.models import Board
from structured.models import ThreadDetail
from tests.fixtures.app import PASSWORD

pytestmark = pytest.mark.browser


def _problems(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error"
            and not m.text.startswith("Failed to load resource") else None)  # fmt: skip
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400
            and not r.url.endswith("/favicon.ico") else None)  # fmt: skip
    return problems


def test_directory_admin_adds_an_organisation_and_a_visitor_finds_it(
    browser_page: Page, new_page, user_factory, thread_factory
) -> None:
    admin = user_factory(role="admin", display_name="事務局 管理者")
    staff = user_factory(handle="npo_hyogo", display_name="ささえあい 事務局長")
    page = browser_page
    problems = _problems(page)

    page.goto("/login")
    page.get_by_label("メールアドレス", exact=True).fill(admin.email)
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="団体・行政機関リスト").click()  # fmt: skip
    page.get_by_role("link", name="リストの管理").click()
    page.get_by_role("link", name="団体を追加").click()
    page.get_by_label("名称", exact=True).fill("NPO法人 ささえあい西宮")
    page.get_by_label("URL名", exact=True).fill("sasaeai-nishinomiya")
    page.get_by_label("種別", exact=True).select_option(label="NPO法人")
    page.get_by_label("分野", exact=True).select_option(label="住民活動")
    page.get_by_label("都道府県", exact=True).select_option(label="兵庫県")
    page.get_by_label("紹介文", exact=True).fill("団地の空き店舗で居場所を運営しています。")
    page.get_by_label("ウェブサイトのURL", exact=True).fill("https://sasaeai.example.jp/")
    page.get_by_label("ウェブサイトへのリンクを公開する（団体が希望した場合のみ）").check()
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("保存しました。")).to_be_visible()
    page.get_by_label("ハンドル名", exact=True).fill("npo_hyogo")
    page.get_by_role("button", name="メンバーに追加する").click()
    expect(
        page.get_by_text("ささえあい 事務局長さんをこの団体のメンバーにしました。")
    ).to_be_visible()

    # the member's event (as the structured-thread forms will store it)
    event = thread_factory(author=staff, title="団地サロン 春のお茶会",
                           board=db.session.scalar(db.select(Board).where(Board.slug == "zentai")))  # fmt: skip
    event.kind = "event"
    db.session.add(ThreadDetail(thread_id=event.id, kind="event", prefecture_code="28",
                                starts_at=datetime(2026, 5, 16, 4, 0, tzinfo=UTC)))  # fmt: skip
    db.session.commit()

    visitor = new_page()
    visitor_problems = _problems(visitor)
    visitor.goto("/")
    visitor.get_by_role("link", name="団体・行政機関リスト").click()
    visitor.get_by_label("分野", exact=True).select_option(label="住民活動")
    visitor.get_by_label("種別", exact=True).select_option(label="NPO法人")
    visitor.get_by_role("button", name="絞り込む").click()
    assert "field=jumin-katsudo" in visitor.url and "kind=npo" in visitor.url
    site = visitor.get_by_role("link", name="NPO法人 ささえあい西宮のウェブサイト")
    expect(site).to_have_attribute("rel", "noopener noreferrer nofollow")
    expect(site).to_contain_text("（外部サイト）")  # said to screen readers, after a visible ↗
    visitor.get_by_role("link", name="NPO法人 ささえあい西宮", exact=True).click()
    expect(visitor.get_by_role("heading", level=1, name="NPO法人 ささえあい西宮")).to_be_visible()
    expect(visitor.get_by_role("link", name="団地サロン 春のお茶会")).to_be_visible()
    expect(visitor.get_by_text("2026年5月16日 13:00")).to_be_visible()
    assert problems == [] and visitor_problems == []
