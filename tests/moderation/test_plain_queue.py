"""Moderation made plain (issue #14, item 6): three outcomes per flagged post on the page and
through the API (the same decisions, the same audit entries), wording that fits the kind of
item, priority in words, names instead of codes, result messages that say what was done to
whom, the sanction as a later step, one header entry."""

from __future__ import annotations

import re

import pytest

from audit.models import AuditEntry
from auth.accounts import create_api_token, get_role
from auth.spaces import Space
from core.extensions import db
from moderation import flags, queue
from moderation.models import HeldPost, ModerationItem, RoleRequest
from spaces import service as spaces_service
from tests.fixtures.factories import established

OUTCOMES = {  # the page's three outcomes → the decision recorded and what it did to the post
    "問題なし（そのまま）": ("disagree", "rejected", {"queue.disagree"}, False, False),
    "非表示にする": ("agree_hide", "approved", {"queue.agree_hide", "post.hide"}, True, False),
    "削除する": ("agree_delete", "approved", {"queue.agree_delete", "post.delete"}, False, True),
}


def _radios(html: str, item_id: int) -> list[tuple[str, str]]:
    """(value, label) of an item's outcome radios, in order."""
    return re.findall(
        rf'<input type="radio" name="action" value="(\w+)" id="action-{item_id}-\w+"> '
        rf'<label for="action-{item_id}-\w+">([^<]+)</label>',
        html,
    )


def _flash(html: str) -> str:
    match = re.search(r'<p class="flash flash-(?:success|error)">([^<]*)</p>', html)
    return match.group(1) if match else ""


@pytest.fixture
def flag_once(app, user_factory, thread_factory, post_of):
    """``flag_once()`` → (post, item): a reply by 山田 花子 flagged once (still visible)."""
    author = user_factory(display_name="山田 花子", handle="hanako")

    def make():
        thread = thread_factory(author=author, title="見守り活動の連絡方法", replies=1)
        post = post_of(thread, 2)
        flags.flag_post(post, user=user_factory(**established()), reason="spam")
        db.session.commit()
        item = db.session.scalars(
            db.select(ModerationItem).where(ModerationItem.post_id == post.id)
        ).one()
        return post, item

    return make


def _audit_since(entry_id: int) -> set[str]:
    return set(db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.id > entry_id)))


def _last_audit_id() -> int:
    return db.session.scalar(db.select(db.func.coalesce(db.func.max(AuditEntry.id), 0)))


def test_flagged_post_offers_three_outcomes_and_no_restore_when_visible(
    client, login, moderator, flag_once
):
    post, item = flag_once()
    login(moderator)
    html = client.get("/moderation/queue").get_data(as_text=True)
    assert _radios(html, item.id) == [
        ("disagree", "問題なし（そのまま）"), ("agree_hide", "非表示にする"),
        ("agree_delete", "削除する"),
    ]  # fmt: skip
    section = html.split(f'id="item-{item.id}"', 1)[1]
    assert "再表示" not in section
    assert "通報に同意" not in html and 'value="agree_suspend"' not in html
    assert html.count('type="submit">この対応で決定する</button>') == 1
    # the sanction: a link to a separate step, not a fourth outcome
    assert f"/moderation/users/hanako/sanction?item={item.id}" in section


def test_hidden_flagged_post_offers_to_show_it_again(client, login, moderator, flag_once,
                                                      user_factory):  # fmt: skip
    post, item = flag_once()
    for _ in range(2):
        flags.flag_post(post, user=user_factory(**established()), reason="spam")
    db.session.commit()
    assert post.is_hidden
    login(moderator)
    html = client.get("/moderation/queue").get_data(as_text=True)
    assert _radios(html, item.id)[0] == ("disagree", "問題なし（再表示する）")


@pytest.mark.parametrize("label", list(OUTCOMES))
def test_three_outcomes_take_the_same_path_on_the_page_and_through_the_api(
    client, login, moderator, flag_once, label
):
    action, status, audited, hidden, deleted = OUTCOMES[label]
    results = []
    login(moderator)
    token = create_api_token(moderator)
    db.session.commit()
    for via in ("page", "api"):
        post, item = flag_once()
        before = _last_audit_id()
        if via == "page":
            response = client.post_form(f"/moderation/items/{item.id}/decide",
                                        {"action": action, "version": "1", "reason": "確認済み"})  # fmt: skip
            assert response.status_code == 302
        else:
            response = client.post(f"/api/v1/moderation/items/{item.id}/decision",
                                   json={"action": action, "version": 1, "reason": "確認済み"},
                                   headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            assert response.status_code == 200
            assert response.get_json()["decision"] == action
        db.session.expire_all()
        item = db.session.get(ModerationItem, item.id)
        results.append((item.status, item.decision, item.decision_reason, _audit_since(before),
                        post.is_hidden, post.is_deleted))  # fmt: skip
    assert results[0] == results[1] == (status, action, "確認済み", audited, hidden, deleted)


@pytest.mark.parametrize(
    "action,was_hidden,message",
    [
        ("disagree", False, "山田 花子さんの投稿（「見守り活動の連絡方法」の #2）を問題なしとしました。"
                            "投稿はそのまま表示されます。"),
        ("disagree", True, "山田 花子さんの投稿（「見守り活動の連絡方法」の #2）を問題なしとして、"
                           "再表示しました。"),
        ("agree_hide", False, "山田 花子さんの投稿（「見守り活動の連絡方法」の #2）を非表示にしました。"),
        ("agree_delete", False, "山田 花子さんの投稿（「見守り活動の連絡方法」の #2）を削除しました。"),
    ],
)  # fmt: skip
def test_result_message_says_what_was_done_to_whom(client, login, moderator, flag_once,
                                                   user_factory, action, was_hidden, message):  # fmt: skip
    post, item = flag_once()
    if was_hidden:
        for _ in range(2):
            flags.flag_post(post, user=user_factory(**established()), reason="spam")
        db.session.commit()
    login(moderator)
    response = client.post_form(f"/moderation/items/{item.id}/decide",
                                {"action": action, "version": "1"}, follow_redirects=True)  # fmt: skip
    html = response.get_data(as_text=True)
    assert _flash(html) == message
    assert "対応を記録しました。" not in html


def test_sanction_is_a_later_step_after_hiding(client, login, moderator, flag_once):
    post, item = flag_once()
    login(moderator)
    html = client.post_form(f"/moderation/items/{item.id}/decide",
                            {"action": "agree_hide", "version": "1"},
                            follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "投稿者への措置が必要な場合" in html
    link = f"/moderation/users/hanako/sanction?item={item.id}"
    assert link in html
    # offered once: the next page load no longer shows it
    assert "投稿者への措置が必要な場合" not in client.get("/moderation/queue").get_data(
        as_text=True
    )
    page = client.get(link).get_data(as_text=True)
    assert "投稿（「見守り活動の連絡方法」の #2）への対応に続けて" in page
    response = client.post_form(link, {"kind": "silence", "days": "7", "reason": "宣伝の繰り返し"})
    assert response.status_code == 302 and response.location.endswith("/moderation/queue")
    html = client.get("/moderation/queue").get_data(as_text=True)
    assert _flash(html) == "山田 花子さんを投稿停止にしました（7日間）。"
    db.session.expire_all()
    assert post.author.silenced_until is not None and not post.author.is_suspended
    assert {"queue.agree_hide", "post.hide", "user.silence"} <= set(
        db.session.scalars(db.select(AuditEntry.action))
    )


def test_no_sanction_step_after_keeping_the_post(client, login, moderator, flag_once):
    post, item = flag_once()
    login(moderator)
    html = client.post_form(f"/moderation/items/{item.id}/decide",
                            {"action": "disagree", "version": "1"},
                            follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "投稿者への措置が必要な場合" not in html


def test_deciding_without_choosing_an_outcome_says_so(client, login, moderator, flag_once):
    post, item = flag_once()
    login(moderator)
    response = client.post_form(f"/moderation/items/{item.id}/decide", {"version": "1"})
    assert response.status_code == 303
    assert response.location.endswith(f"/moderation/queue#item-{item.id}")
    html = client.get("/moderation/queue").get_data(as_text=True)
    assert _flash(html) == "対応を選んでから「この対応で決定する」を押してください。"
    db.session.expire_all()
    assert db.session.get(ModerationItem, item.id).status == "pending"


def test_old_api_action_names_still_work(client, moderator, flag_once):
    token = create_api_token(moderator)
    db.session.commit()
    for action, status in (("ignore", "ignored"), ("delete", "deleted")):
        post, item = flag_once()
        response = client.post(f"/api/v1/moderation/items/{item.id}/decision",
                               json={"action": action, "version": 1},
                               headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert response.status_code == 200 and response.get_json()["status"] == status


def test_priority_in_words_with_an_explanation(client, login, moderator, flag_once, user_factory):
    post, item = flag_once()  # one flag: 1 point
    login(moderator)
    html = client.get("/moderation/queue").get_data(as_text=True)
    assert "優先度：低" in html and not re.search(r"優先度\s*\d", html)
    assert "<summary>優先度（高・中・低）の決まり方</summary>" in html
    assert "高は10点以上、中は3〜9点、低は2点以下です。" in html
    for _ in range(2):
        flags.flag_post(post, user=user_factory(**established()), reason="spam")
    db.session.commit()
    assert "優先度：中" in client.get("/moderation/queue").get_data(as_text=True)
    token = create_api_token(moderator)
    db.session.commit()
    items = client.get("/api/v1/moderation/queue",
                       headers={"Authorization": f"Bearer {token}"}).get_json()["items"]  # fmt: skip
    assert [(i["score"], i["priority"]) for i in items] == [(3, "medium")]


@pytest.mark.parametrize(
    "score,level", [(0, "low"), (2, "low"), (3, "medium"), (9, "medium"), (10, "high"),
                    (101, "high")],
)  # fmt: skip
def test_priority_levels(score, level):
    assert queue.priority(ModerationItem(score=score)) == level


@pytest.fixture
def role_item(app, user_factory):
    requester = user_factory(display_name="佐藤 一郎", handle="ichiro")
    request = RoleRequest(user=requester, role=get_role("org_staff"), organisation="NPO法人ささえあい",
                          prefecture_code="20", municipality="長野市",
                          work_email="info@npo.example.org", status="in_review")  # fmt: skip
    db.session.add(request)
    db.session.flush()
    from moderation import verification

    item = verification.open_role_item(request)
    db.session.commit()
    return item


def test_role_request_wording_and_names_not_codes(client, login, moderator, role_item):
    login(moderator)
    html = client.get("/moderation/queue").get_data(as_text=True)
    section = html.split(f'id="item-{role_item.id}"', 1)[1].split("</article>", 1)[0]
    assert _radios(html, role_item.id) == [("approve", "承認する"), ("reject", "承認しない")]
    assert "<dd>長野県 長野市</dd>" in section and "20 長野市" not in section
    assert "<dd>団体担当者</dd>" in section
    assert "投稿者に伝えられます" not in section
    # what the requester is actually told: the outcome, not the reason
    assert "理由は通知されず、記録に残るだけです。" in section
    response = client.post_form(f"/moderation/items/{role_item.id}/decide",
                                {"action": "reject", "version": "1", "reason": "所属が確認できません"},
                                follow_redirects=True)  # fmt: skip
    role_name = get_role("org_staff").name
    assert _flash(response.get_data(as_text=True)) == (
        f"佐藤 一郎さんの「{role_name}」の申請を承認しませんでした。"
    )


def test_held_post_wording_and_result(client, login, moderator, user_factory, thread_factory):
    author = user_factory(display_name="秋田 花子")
    thread = thread_factory(title="見守り対象の方の情報共有")
    held = HeldPost(kind="reply", board_id=thread.board_id, thread_id=thread.id,
                    author_id=author.id, body_source="本文", body_html="<p>本文</p>")  # fmt: skip
    db.session.add(held)
    db.session.flush()
    item = queue.open_held_item(held, [{"code": "first_posts", "message": "はじめての投稿"}])
    db.session.commit()
    login(moderator)
    html = client.get("/moderation/queue").get_data(as_text=True)
    assert _radios(html, item.id) == [("approve", "公開する"), ("reject", "公開しない")]
    assert "理由は投稿者の「確認待ちの投稿と通報」のページに表示されます" in html
    assert "優先度：高" in html  # one reason: 10 points
    response = client.post_form(f"/moderation/items/{item.id}/decide",
                                {"action": "reject", "version": "1"}, follow_redirects=True)  # fmt: skip
    assert _flash(response.get_data(as_text=True)) == (
        "秋田 花子さんの投稿「見守り対象の方の情報共有」への返信を公開しないことにしました。"
    )


def test_space_join_wording_and_result(client, login, admin, user_factory):
    space = Space(slug="nagano", name="長野県プラットフォーム", kind="prefecture",
                  prefecture_code="20", description="", join_policy="approval")  # fmt: skip
    db.session.add(space)
    db.session.commit()
    member = user_factory(display_name="松本 次郎")
    assert spaces_service.request_join(member, space) == "pending"
    db.session.commit()
    item = db.session.scalars(
        db.select(ModerationItem).where(ModerationItem.kind == "space_join")
    ).one()
    login(admin)
    html = client.get("/moderation/queue").get_data(as_text=True)
    assert _radios(html, item.id) == [("approve", "参加を認める"), ("reject", "参加を認めない")]
    assert "理由は記録に残るだけで、申請した人には通知されません。" in html
    response = client.post_form(f"/moderation/items/{item.id}/decide",
                                {"action": "approve", "version": "1"}, follow_redirects=True)  # fmt: skip
    assert _flash(response.get_data(as_text=True)) == (
        "松本 次郎さんの「長野県プラットフォーム」への参加を認めました。"
    )


def _account_nav(html: str) -> str:
    return html.split('class="account-nav"', 1)[1].split("</nav>", 1)[0]


def test_one_header_entry_for_the_queue(client, login, moderator, flag_once, user_factory):
    flag_once()
    login(moderator)
    nav = _account_nav(client.get("/").get_data(as_text=True))
    assert '<a href="/moderation/queue">確認待ち（1）</a>' in nav
    assert "確認待ちの投稿と通報" not in nav
    # the moderator's own held posts and flags stay one link away, on the queue page
    assert 'href="/settings/moderation"' in client.get("/moderation/queue").get_data(as_text=True)
    client.post_form("/logout")
    login(user_factory())
    nav = _account_nav(client.get("/").get_data(as_text=True))
    assert "/moderation/queue" not in nav
    assert '<a href="/settings/moderation">確認待ちの投稿と通報</a>' in nav
