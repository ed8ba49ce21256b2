"""Moderation made plain, in a real Chromium (issue #14, item 6; journey (c)): a moderator
handles a flagged post in three clicks — the header's 「確認待ち（N）」, 「非表示にする」, 「この
対応で決定する」 — and is told what was done to whom; the later sanction step is offered; the
queue, its result and the sanction page are axe-clean signed in as moderator at 1280 and 390 px.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from core.extensions import db
from forum import posting
from moderation import flags
from moderation.models import ModerationItem
from tests.fixtures.factories import established
from tests.support.a11y import assert_accessible

from .test_moderation_flow import collect_problems, login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _flagged_reply(thread_factory, author, flaggers, title: str):
    thread = thread_factory(author=author, title=title)
    reply = posting.create_reply(thread=thread, author=author, body="毎週火曜に移動販売が来ます。")
    db.session.commit()
    for flagger in flaggers:
        flags.flag_post(reply, user=flagger, reason="off_topic")
    db.session.commit()
    item = db.session.scalars(
        db.select(ModerationItem).where(ModerationItem.post_id == reply.id)
    ).one()
    return reply, item


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_a_moderator_hides_a_flagged_post_in_three_clicks(
    browser_page: Page, user_factory, thread_factory, viewport
) -> None:
    author = user_factory(display_name="山田 花子", handle="hanako")
    moderator = user_factory(role="moderator", display_name="兵庫 モデレーター")
    flagger = user_factory(display_name="通報者", **established())
    reply, item = _flagged_reply(thread_factory, author, [flagger], "買い物支援の進め方")
    assert not reply.is_hidden  # one member's flag: still visible

    page = browser_page
    page.set_viewport_size(viewport)
    problems = collect_problems(page)
    login(page, moderator)
    page.goto("/")
    width = viewport["width"]

    # 1. the one header entry, with the count
    nav = page.get_by_role("navigation", name="アカウント")
    expect(nav.get_by_role("link", name=re.compile("^確認待ち"))).to_have_count(1)
    nav.get_by_role("link", name="確認待ち（1）", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="確認待ちの一覧")).to_be_visible()
    card = page.locator(f"#item-{item.id}")
    expect(card.get_by_role("radio")).to_have_count(3)
    expect(card.get_by_role("group", name="対応を選ぶ").locator("label")).to_have_text(
        ["問題なし（そのまま）", "非表示にする", "削除する"]
    )
    expect(card).not_to_contain_text("再表示")
    expect(card).to_contain_text("優先度：低")
    expect(card.get_by_role("button")).to_have_count(3)  # 自分が対応する, メモを残す, 決定する
    assert_accessible(page, f"queue with a flagged post at {width} px")
    page.get_by_text("優先度（高・中・低）の決まり方").click()
    expect(page.locator("details.priority-help")).to_contain_text("モデレーターの通報は3点")
    assert_accessible(page, f"queue with the priority explained at {width} px")

    # 2. the outcome
    card.get_by_label("非表示にする", exact=True).click()
    # 3. the decision
    card.get_by_role("button", name="この対応で決定する").click()

    expect(page.locator(".flashes")).to_have_text(
        "山田 花子さんの投稿（「買い物支援の進め方」の #2）を非表示にしました。"
    )
    expect(page.locator(f"#item-{item.id}")).to_have_count(0)
    expect(page.get_by_role("navigation", name="アカウント")
           .get_by_role("link", name="確認待ち（0）", exact=True)).to_be_visible()  # fmt: skip
    followup = page.get_by_role("region", name="投稿者への措置が必要な場合")
    expect(followup).to_be_visible()
    assert_accessible(page, f"queue after hiding, with the sanction step, at {width} px")
    db.session.expire_all()
    decided = db.session.get(ModerationItem, item.id)
    assert (decided.status, decided.decision) == ("approved", "agree_hide")
    assert db.session.get(type(reply), reply.id).is_hidden

    # the later, separate step: the sanction page, told which post it follows
    followup.get_by_role("link", name="山田 花子さんへの措置を選ぶ").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("山田 花子")
    expect(page.locator("main")).to_contain_text(
        "投稿（「買い物支援の進め方」の #2）への対応に続けて"
    )
    assert_accessible(page, f"sanction page from the queue at {width} px")
    assert problems == []
