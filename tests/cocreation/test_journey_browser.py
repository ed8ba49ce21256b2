"""うまれる from start to end in a real Chromium (issue #16, "Tests and evidence"): a coordinator
posts a local problem through the form; a member of an organisation that fits finds it among
「あなたの団体に合いそうな地域課題」 on the organisation's page and offers; the offer opens a
private conversation in which they talk live; the author marks the partnership and publishes
the case, linked both ways. axe-core on every new page; no console error, no failed request."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.extensions import db
from directory.models import Organization
from taxonomy.models import PlayerField
from tests.browser.test_live import SocketFrames, collect_problems, login
from tests.fixtures.factories import established
from tests.support.a11y import assert_accessible

pytestmark = pytest.mark.browser

TITLE = "雪の季節に買い物へ行けない高齢者が増えています"
OFFER = "移動販売車で週2回、集落を回ることができます。停車場所のご相談をさせてください。"


def _logout(page: Page) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="アカウント").get_by_role(
        "button", name="ログアウト"
    ).click()


def test_umareru_problem_suggestion_offer_conversation_partnership_case(
    browser_page: Page, new_page, user_factory, org_factory
):
    retail = db.session.scalar(select(PlayerField).where(PlayerField.slug == "butsuryu-hanbai"))
    town = org_factory("大仙市 長寿社会課", kind="municipality")
    shop = org_factory("秋田移動販売サービス")
    shop.player_field_id, shop.prefecture_code = retail.id, "05"
    shop.description = "移動販売車で山あいの集落を回り、買い物と見守りを支えています。"
    db.session.commit()
    coordinator = user_factory(role="municipal_staff", organization_id=town.id,
                               display_name="大仙 さくら", **established())  # fmt: skip
    seller = user_factory(role="org_staff", organization_id=shop.id, display_name="移動 販売",
                          **established())  # fmt: skip

    # 1. the coordinator posts the problem through the form
    page = browser_page
    problems = collect_problems(page)
    login(page, coordinator)
    page.goto("/b/chiiki-kadai/new/challenge")
    page.get_by_label("タイトル").fill(TITLE)
    page.get_by_label("都道府県").select_option("05")
    page.get_by_label("物流・販売").check()
    page.get_by_label("買い物").check()
    page.get_by_label("地域・エリア").fill("大仙市の山あいの集落")
    page.get_by_label("求める連携先").fill("冬の間も集落を回ってくださる移動販売の事業者")
    page.get_by_label("本文").fill("バスが減り、冬は雪で店まで行けない方が増えています。")
    page.get_by_role("button", name="投稿する").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    problem_url = page.url.split("#")[0]
    _logout(page)

    # 2. the seller finds it on the organisation's page, with the reasons, and offers
    login(page, seller)
    page.goto(f"/directory/{shop.slug}")
    fits = page.get_by_role("region", name="あなたの団体に合いそうな地域課題")
    expect(fits).to_contain_text(TITLE)
    expect(fits).to_contain_text("物流・販売")
    assert_accessible(page, "organisation page with the problems that fit")
    fits.get_by_role("link", name=TITLE).click()
    page.get_by_label("申し出の内容").fill(OFFER)
    page.get_by_role("button", name="連携を申し出る").click()
    expect(page.get_by_text("連携を申し出ました。")).to_be_visible()

    # 3. the offer opened a conversation: the seller waits in it, the coordinator answers live
    page.goto("/messages/")
    frames = SocketFrames(page)  # before the conversation page opens its socket
    page.get_by_role("link", name=f"連携の申し出：{TITLE}").click()
    expect(page.get_by_text("停車場所のご相談")).to_be_visible()
    frames.wait(lambda: any(f.startswith("40") for f in frames.received), "the socket connect",
                timeout=30)  # fmt: skip

    other = new_page()
    problems_other = collect_problems(other)
    login(other, coordinator)
    other.goto("/messages/")
    other.get_by_role("link", name=f"連携の申し出：{TITLE}").click()
    assert_accessible(other, "the offer's conversation")
    other.get_by_role("textbox", name="返信").fill(
        "ありがとうございます。来週、役場でお話ししましょう。"
    )
    other.get_by_role("button", name="送信する").click()
    expect(page.get_by_text("来週、役場でお話ししましょう。")).to_be_visible()  # live, no reload

    # 4. the coordinator marks the partnership and publishes the case, linked both ways
    other.goto(problem_url)
    offers = other.get_by_role("region", name="連携の申し出 1件")
    expect(offers).to_contain_text("停車場所のご相談")
    offers.get_by_role("button", name="話し合いを始める").click()
    expect(other.get_by_role("region", name="地域課題・連携募集")).to_contain_text("調整中")
    other.get_by_role("button", name="連携が成立した").click()
    expect(other.get_by_role("region", name="地域課題・連携募集")).to_contain_text("連携成立")
    expect(other.locator(".cocreation .partners")).to_contain_text(shop.name)
    other.get_by_role("link", name="この取組を事例として公開する").click()
    expect(other.get_by_label("連携先")).to_have_value(shop.name)
    other.get_by_label("タイトル").fill("雪の集落を回る移動販売（大仙市）")
    other.get_by_label("概要").fill("移動販売の事業者と組み、冬も週2回集落を回っています。")
    other.get_by_role("button", name="投稿する").click()
    origin = other.get_by_role("complementary", name="きっかけとなった地域課題")
    expect(origin).to_contain_text(TITLE)
    origin.get_by_role("link").click()
    expect(other.get_by_text("この課題から生まれた事例")).to_be_visible()
    # in the co-creation panel (and among the similar cases the suggestions list)
    expect(other.locator("#offers").get_by_role("link", name="雪の集落を回る移動販売（大仙市）")
           ).to_be_visible()  # fmt: skip
    assert problems == [] and problems_other == []
    assert db.session.scalar(select(Organization.id).where(Organization.id == shop.id))
