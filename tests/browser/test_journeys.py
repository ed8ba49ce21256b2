"""Issue #14's journeys in a real Chromium, timed by steps (each step's wall time is printed with
``-s`` and must stay under STEP_BOUND; a step is what a person does between two pages):

(a) a coordinator in 長野県 looks for 買い物支援 cases in 中部, widens from an empty result and asks
    a question tagged with the filters, which the 困りごと相談 board then finds by its tags;
(b) a new NPO member registers, requests verification from the path the site shows, is approved,
    announces an online event of national scope with a deadline, sees it waiting for review, and
    after approval finds it in the calendar and downloads its ``.ics``.

Journey (c), a moderator handling a flagged post in three clicks, is
``test_moderation_plain.test_a_moderator_hides_a_flagged_post_in_three_clicks``.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from auth.models import User
from core.extensions import db
from core.types import TOKYO
from forum.models import Board
from moderation import queue
from moderation.models import PENDING, ModerationItem
from tests.browser.test_moderation_flow import collect_problems, login
from tests.browser.test_smoke import _confirmation_link, _fill_register_form
from tests.fixtures.app import PASSWORD
from tests.support.a11y import assert_accessible

pytestmark = pytest.mark.browser

STEP_BOUND = 15.0  # seconds of wall time per step, on a loaded CI machine (each takes ~1 s)


class Steps:
    """Times each step of a journey; ``report()`` is the table printed at the end."""

    def __init__(self, journey: str) -> None:
        self.journey, self.times = journey, []

    @contextmanager
    def step(self, name: str):
        start = time.perf_counter()
        yield
        self.times.append((name, time.perf_counter() - start))

    def report(self) -> str:
        lines = [f"journey {self.journey}:"]
        lines += [f"  {seconds:5.2f} s  {name}" for name, seconds in self.times]
        lines.append(f"  {sum(s for _n, s in self.times):5.2f} s  in all")
        return "\n".join(lines)

    def check(self) -> None:
        print(self.report())
        slow = [(n, round(s, 2)) for n, s in self.times if s > STEP_BOUND]
        assert slow == [], self.report()


def _decide_all(kind: str, moderator) -> None:
    """The secretariat approves every open item of ``kind`` (their side is journey (c))."""
    db.session.expire_all()
    for item in db.session.scalars(
        select(ModerationItem).where(ModerationItem.kind == kind, ModerationItem.status == PENDING)
    ):
        queue.decide(item, moderator=moderator, action="approve", version=item.version)
    db.session.commit()


def test_journey_a_coordinator_widens_an_empty_list_and_asks_a_tagged_question(
    browser_page: Page, structured_factory, user_factory
) -> None:
    structured_factory(
        "case", title="上田市の見守り協定", prefecture="20", life_domains=["mimamori"]
    )
    structured_factory("case", title="豊岡市の移動販売", prefecture="28", life_domains=["kaimono"])
    structured_factory("case", title="東京の買い物代行", prefecture="13", life_domains=["kaimono"])
    coordinator = user_factory(role="coordinator", display_name="生活支援コーディネーター 北村")
    page = browser_page
    problems = collect_problems(page)
    steps = Steps("(a) coordinator")
    login(page, coordinator)

    with steps.step("open 取組事例 from the menu"):
        page.get_by_role("navigation", name="メインメニュー").get_by_role(
            "link", name="取組事例"
        ).click()
        expect(page.locator("#result-count")).to_have_text("3件")
    with steps.step("choose 中部 and 買い物, show"):
        # the deferred filters.js listens from DOMContentLoaded: a choice made before it ran
        # would go unseen (CI under load once chose first)
        page.wait_for_load_state("domcontentloaded")
        page.get_by_label("地方", exact=True).select_option(label="中部")
        prefecture = page.get_by_label("都道府県", exact=True)
        expect(prefecture.locator("option:not([disabled])")).to_have_count(10)  # すべて + 9
        expect(prefecture.locator("option[value='13']")).to_be_disabled()
        page.locator("#f-domain").select_option(label="買い物")
        page.get_by_role("button", name="この条件で表示").click()
        expect(page.locator("#result-count")).to_have_text("0件")
    widen = page.get_by_role("link", name="「中部」を外す")
    expect(page.locator("ul.widenings li").filter(has=widen)).to_contain_text("（2件）")
    assert_accessible(page, "an empty list with its ways out")
    with steps.step("widen: drop 中部"):
        widen.click()
        expect(page).to_have_url("/cases?domain=kaimono")
        expect(page.locator("li.listing-item")).to_have_count(2)
    with steps.step("back, 「掲示板で質問する」"):
        page.go_back()
        page.get_by_role("link", name="掲示板で質問する").click()
        expect(page.get_by_label("タイトル")).to_have_value(
            "取組事例を探しています（中部・買い物）"
        )
        expect(page.get_by_role("checkbox", name="買い物")).to_be_checked()  # the filter, a tag
    with steps.step("tag 長野県, post the question"):
        page.get_by_label("都道府県", exact=True).select_option(label="長野県")
        page.get_by_role("button", name="投稿する").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "取組事例を探しています（中部・買い物）"
        )
    with steps.step("the board finds it by its tags"):
        page.goto("/b/komarigoto")
        page.get_by_role("link", name="地域・領域・分野で絞り込む").click()
        page.get_by_label("都道府県", exact=True).select_option(label="長野県")
        page.get_by_role("button", name="この条件で表示").click()
        row = page.locator("table.thread-table tbody tr")
        expect(row).to_have_count(1)
        expect(row.get_by_role("list", name="タグ")).to_contain_text("長野県")
        expect(row.get_by_role("list", name="タグ")).to_contain_text("買い物")
    assert_accessible(page, "the board filtered by tags")
    assert problems == []
    steps.check()


@pytest.mark.parametrize("app_config", [{"MODERATION_HOLD_FIRST_POSTS": 2}], indirect=True)
def test_journey_b_an_npo_announces_an_online_event(
    browser_page: Page, user_factory, tmp_path
) -> None:
    secretariat = user_factory(role="moderator", display_name="事務局")
    events = db.session.scalar(select(Board).where(Board.slug == "events"))
    events.is_premoderated = True  # the secretariat reviews event announcements
    db.session.commit()
    day = (datetime.now(UTC) + timedelta(days=40)).astimezone(TOKYO).date()
    deadline = day - timedelta(days=7)
    page = browser_page
    problems = collect_problems(page, expected=lambda r: r.status == 403 and "/new/" in r.url)
    steps = Steps("(b) NPO")

    with steps.step("register"):
        page.goto("/")
        page.get_by_role("link", name="新規登録").click()
        _fill_register_form(page, display_name="ささえあい西宮", handle="sasaeai",
                            email="info@sasaeai.example.org", password=PASSWORD,
                            confirm=PASSWORD)  # fmt: skip
        page.get_by_role("button", name="登録する").click()
        expect(page.locator(".flashes")).to_contain_text("確認メールを")
    with steps.step("confirm the address, sign in"):
        page.goto(_confirmation_link(tmp_path / "outbox", "info@sasaeai.example.org"))
        page.get_by_role("button", name="メールアドレスを確認する").click()
        page.get_by_label("メールアドレス", exact=True).fill("info@sasaeai.example.org")
        page.get_by_label("パスワード", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="ログイン", exact=True).click()
        expect(page.get_by_role("heading", level=1, name="登録が完了しました")).to_be_visible()
    with steps.step("the path the site shows: イベントを登録 → who may → 認証を申請する"):
        page.get_by_role("navigation", name="メインメニュー").get_by_role(
            "link", name="イベント"
        ).click()
        page.get_by_role("link", name="イベントを登録").click()
        expect(page.get_by_role("heading", level=1, name="イベントを登録するには")).to_be_visible()
        page.get_by_role("link", name="認証を申請する").click()
        expect(page.get_by_role("heading", level=1, name="認証の申請")).to_be_visible()
    with steps.step("request verification"):
        page.get_by_label("申請する認証").select_option(label="団体担当者")
        page.get_by_label("所属（団体名・自治体名・省庁名）").fill("NPO法人ささえあい西宮")
        page.get_by_label("勤務先のメールアドレス").fill("info@sasaeai.example.org")
        page.get_by_role("button", name="申請する").click()
        expect(page.locator(".flashes")).to_be_visible()
    link = re.search(
        r"https?://\S+(/verify/\S+)",
        [m for m in _mails(tmp_path) if "/verify/" in m.get_content()][-1].get_content(),
    ).group(1)
    with steps.step("open the verification mail's link"):
        page.goto(link)
        page.get_by_role("button", name="確認する", exact=True).click()
        expect(page.locator(".flashes")).to_be_visible()
    _decide_all("role_request", secretariat)
    member = db.session.scalar(select(User).where(User.handle == "sasaeai"))
    assert member.role.slug == "org_staff"

    with steps.step("open the event form"):
        page.goto("/events")
        page.get_by_role("link", name="イベントを登録").click()
        expect(page.get_by_label("タイトル")).to_be_visible()
    with steps.step("fill in an online event of national scope and send"):
        page.get_by_label("タイトル").fill("生活支援コーディネーター全国オンライン交流会")
        page.get_by_label("開始日時").fill(f"{day.isoformat()}T14:00")
        page.get_by_label("終了日時").fill(f"{day.isoformat()}T16:00")
        page.get_by_label("参加方法").select_option(label="オンライン")
        page.get_by_label("オンライン参加のURL").fill("https://meet.example.org/kyoso")
        page.get_by_label("主催").fill("NPO法人ささえあい西宮")
        page.get_by_label("申込みのURL").fill("https://sasaeai.example.org/apply")
        page.get_by_label("申込締切").fill(deadline.isoformat())
        page.get_by_role("checkbox", name="買い物").check()
        page.get_by_label("本文").fill("全国のコーディネーターが実践を持ち寄ります。")
        page.get_by_role("button", name="投稿する").click()
    with steps.step("sees it waiting"):
        expect(page.get_by_role("heading", level=1, name="確認待ち")).to_be_visible()
        expect(page.get_by_role("region", name="送信した内容")).to_contain_text(
            "生活支援コーディネーター全国オンライン交流会"
        )
    assert_accessible(page, "the event waiting for review")
    _decide_all("held_post", secretariat)
    with steps.step("finds it in the calendar"):
        page.goto(f"/events/calendar?month={day:%Y-%m}")
        link = page.locator("table.calendar").get_by_role(
            "link", name=re.compile("全国オンライン交流会")
        )
        expect(link).to_contain_text("14:00")
        link.click()
        expect(page.get_by_role("region", name="イベント")).to_contain_text("全国（オンライン）")
    with steps.step("downloads its .ics"):
        with page.expect_download() as download:
            page.get_by_role("link", name="カレンダーに追加（.ics）").click()
        with open(download.value.path(), encoding="utf-8") as handle:
            ics = handle.read().replace("\r\n", "\n").replace("\n ", "")  # unfolded
    assert "SUMMARY:生活支援コーディネーター全国オンライン交流会" in ics
    assert "https://sasaeai.example.org/apply" in ics  # the application URL
    assert f"{deadline.month}月{deadline.day}日" in ics or deadline.isoformat() in ics
    assert "ORGANIZER" not in ics
    assert problems == []
    steps.check()


def _mails(tmp_path):
    from core.mail import read_outbox

    return read_outbox(str(tmp_path / "outbox"))
