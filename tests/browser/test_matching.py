"""「連携先の候補」 in a real Chromium: a visitor reads the reasons on a local problem and follows a
suggested organisation; its member finds the problem again on the organisation page; axe-core on
both pages, at desktop and phone widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.fixtures.app import PASSWORD
from tests.matching.conftest import closed_board, world  # noqa: F401
from tests.search.conftest import index_root, sync_index  # noqa: F401
from tests.support.a11y import assert_accessible

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def test_suggestions_lead_from_a_problem_to_an_organisation_and_back(
    browser_page: Page,
    world,  # noqa: F811
    user_factory,  # noqa: F811
) -> None:
    page = browser_page
    problem = world["problem"]
    page.goto(f"/t/{problem.id}")
    section = page.get_by_role("region", name="連携先の候補")
    expect(section).to_contain_text("分野: 物流・販売／領域: 買い物、移動（交通）／兵庫県で活動")
    expect(section).not_to_contain_text("会員限定")
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        assert_accessible(page, f"problem page with suggestions at {viewport['width']} px")
    page.set_viewport_size(DESKTOP)
    section.get_by_role("link", name="生協たじま").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("生協たじま")

    member = user_factory(organization_id=world["orgs"]["fit"].id)
    page.goto("/login")
    page.get_by_label("メールアドレス", exact=True).fill(member.email)
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.goto(f"/directory/{world['orgs']['fit'].slug}")
    mine = page.get_by_role("region", name="あなたの団体に合いそうな地域課題")
    expect(mine).to_contain_text("山間部の買い物と移動販売の担い手を探しています")
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        assert_accessible(page, f"organisation page for its member at {viewport['width']} px")
    mine.get_by_role("link", name="山間部の買い物と移動販売の担い手を探しています").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("移動販売の担い手")
