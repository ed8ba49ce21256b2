"""Posting and editing structured threads through the web forms."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from forum.models import Thread
from structured.models import ThreadDetail, ThreadDetailRevision

EVENT_FORM = {
    "title": "買い物支援を考える研修会",
    "body": "地域の買い物支援について、事例を交えて話し合います。",
    "prefecture": "28",
    "municipality_name": "豊岡市",
    "municipality_code": "282090",
    "player_fields": ["iryo-kaigo-fukushi", "chiiki-kotsu"],
    "life_domains": ["kaimono"],
    "start_at": "2026-12-15T13:30",
    "end_at": "2026-12-15T16:00",
    "attendance_mode": "hybrid",
    "venue_name": "豊岡市民会館",
    "address": "兵庫県豊岡市立野町20-34",
    "online_url": "https://example.jp/meet",
    "organizer": "豊岡市 健康福祉部",
    "capacity": "80",
    "fee": "無料",
    "status": "scheduled",
}


def test_event_is_posted_from_the_form_and_shown_as_a_card(client, login, user_factory):
    login(user_factory(role="municipal_staff"))
    response = client.post_form("/b/events/new/event", EVENT_FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    thread = db.session.scalar(select(Thread).order_by(Thread.id.desc()))
    assert thread.kind == "event"
    detail = db.session.get(ThreadDetail, thread.id)
    assert detail.starts_at.isoformat() == "2026-12-15T04:30:00+00:00"  # 13:30 in Tokyo
    assert detail.attendance_mode == "hybrid"
    assert sorted(f.slug for f in detail.player_fields) == ["chiiki-kotsu", "iryo-kaigo-fukushi"]
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "2026年12月15日（火） 13:30〜16:00" in html
    assert "豊岡市民会館" in html and "ハイブリッド" in html
    assert '"@type": "Event"' in html


def test_bad_event_input_keeps_what_was_typed_and_names_the_fields(client, login, user_factory):
    login(user_factory(role="municipal_staff"))
    form = {**EVENT_FORM, "end_at": "2026-12-15T10:00", "prefecture": "99",
            "capacity": "-3", "online_url": "javascript:alert(1)"}  # fmt: skip
    response = client.post_form("/b/events/new/event", form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "終了日時は開始日時より後にしてください。" in html
    assert "「https://」で始まるURLを入力してください。" in html
    assert "0〜1,000,000の数字にしてください。" in html
    assert "買い物支援を考える研修会" in html  # nothing typed is lost
    assert "豊岡市 健康福祉部" in html
    assert db.session.scalar(select(Thread).where(Thread.kind == "event")) is None


def test_member_cannot_post_an_event_but_can_post_a_challenge(client, login, user_factory):
    login(user_factory())
    assert client.get("/b/events/new/event").status_code == 403
    response = client.post_form("/b/chiiki-kadai/new/challenge", {
        "title": "北部地区の買い物の足がない", "body": "バスが減便になりました。",
        "prefecture": "28", "life_domains": ["kaimono"], "area": "豊岡市北部",
        "partner_sought": "移動販売をしてくださる事業者", "status": "open",
    })  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)


def test_editing_keeps_a_revision_of_the_typed_fields(
    client, login, structured_factory, user_factory
):
    author = user_factory(role="municipal_staff")
    thread = structured_factory("event", author=author, title="研修会")
    login(author)
    page = client.get(f"/t/{thread.id}/edit-details")
    assert page.status_code == 200
    assert "豊岡市民会館" in page.get_data(as_text=True)
    form = {**EVENT_FORM, "title": "研修会", "status": "cancelled"}
    response = client.post_form(f"/t/{thread.id}/edit-details", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.get(ThreadDetail, thread.id).status == "cancelled"
    revision = db.session.scalar(select(ThreadDetailRevision))
    assert revision.fields["status"] == "scheduled"
    history = client.get(f"/t/{thread.id}/details/revisions").get_data(as_text=True)
    assert "開催予定" in history and "中止" in history
    assert "このイベントは中止になりました。" in client.get(f"/t/{thread.id}").get_data(
        as_text=True
    )


def test_empty_optional_numbers_and_dates_are_accepted(client, login, user_factory):
    """A browser sends empty strings for untouched number and date inputs."""
    login(user_factory(role="municipal_staff"))
    form = {
        **EVENT_FORM,
        "capacity": "",
        "apply_deadline": "",
        "end_at": "",
        "municipality_code": "",
    }
    response = client.post_form("/b/events/new/event", form)
    assert response.status_code == 302, response.get_data(as_text=True)
