"""From partnership to case: 「この取組を事例として公開する」 opens the case form prefilled from the
problem; publishing links both ways; the case listing (page, API, .xlsx, Atom) filters on cases
born on the platform."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from cocreation import cases, service
from core.extensions import db
from moderation import queue
from moderation.models import ModerationItem
from structured.models import CaseOrigin, ThreadDetail
from tests.cocreation.conftest import MESSAGE
from tests.fixtures.structured import valid_fields


def _partnered(world):
    outcome = service.make_offer(actor=world.offerer, thread=world.problem, message=MESSAGE)
    db.session.commit()
    service.answer_offer(actor=world.author, offer=outcome.offer, action="partner")
    db.session.commit()
    return outcome.offer


def _field(page: str, name: str) -> str | None:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'<textarea[^>]*name="{name}"[^>]*>\s*([^<]*)</textarea>', page
    )
    return match.group(1) if match else None


def _publish(client, login, world):
    login(world.author)
    page = client.get(f"/t/{world.problem.id}/publish-case").get_data(as_text=True)
    data = {"title": "冬の買い物支援（連携の事例）", "body": _field(page, "body") or "本文",
            "prefecture": "28", "municipality_name": "豊岡市", "summary": "宅配と見守りの取組です。",
            "implementer": _field(page, "implementer") or "横手市",
            "partners": _field(page, "partners") or "", "player_fields": ["iryo-kaigo-fukushi"],
            "life_domains": ["kaimono"]}  # fmt: skip
    return page, client.post_form(f"/t/{world.problem.id}/publish-case", data)


def test_cases_only_for_a_partnered_problem_and_its_author_side(client, login, world):
    login(world.author)
    assert client.get(f"/t/{world.problem.id}/publish-case").status_code == 403
    client.post_form("/logout")
    _partnered(world)
    login(world.offerer)
    assert client.get(f"/t/{world.problem.id}/publish-case").status_code == 403
    client.post_form("/logout")
    login(world.colleague)
    assert client.get(f"/t/{world.problem.id}/publish-case").status_code == 200


def test_cases_form_is_prefilled_and_publishing_links_both_ways(client, login, world):
    offer = _partnered(world)
    page, response = _publish(client, login, world)
    assert _field(page, "partners") == offer.organization.name
    assert _field(page, "implementer") == world.author_org.name
    assert _field(page, "area") == "豊岡市北部"
    assert f"/t/{world.problem.id}" in page  # the link back, in the body and the background
    assert (
        'value="kaimono" checked' in page
        or 'checked value="kaimono"' in page
        or re.search(r'value="kaimono"[^>]*checked', page)
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    link = db.session.scalar(select(CaseOrigin))
    assert link.challenge_thread_id == world.problem.id
    case_page = client.get(f"/t/{link.case_thread_id}").get_data(as_text=True)
    assert "きっかけとなった地域課題" in case_page and world.problem.title in case_page
    problem_page = client.get(f"/t/{world.problem.id}").get_data(as_text=True)
    assert (
        "この課題から生まれた事例" in problem_page
        and "冬の買い物支援（連携の事例）" in problem_page
    )
    assert (
        db.session.get(ThreadDetail, link.case_thread_id).data["partners"]
        == offer.organization.name
    )


def test_cases_listing_filters_cases_born_here(client, login, world, structured_factory):
    _partnered(world)
    structured_factory("case", title="よそで生まれた事例")
    _publish(client, login, world)
    client.post_form("/logout")
    page = client.get("/cases?origin=platform").get_data(as_text=True)
    assert "冬の買い物支援（連携の事例）" in page and "よそで生まれた事例" not in page
    assert "このプラットフォームから生まれた事例" in page  # the filter form's checkbox
    everything = client.get("/cases").get_data(as_text=True)
    assert "よそで生まれた事例" in everything
    api = client.get("/api/v1/cases?origin=platform").get_json()
    assert [c["title"] for c in api["cases"]] == ["冬の買い物支援（連携の事例）"]
    assert api["filters"] == {"origin": "platform"}
    feed = client.get("/feeds/cases.atom?origin=platform").get_data(as_text=True)
    assert "冬の買い物支援（連携の事例）" in feed and "よそで生まれた事例" not in feed
    book = load_workbook(io.BytesIO(client.get("/cases.xlsx?origin=platform").data))
    cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value]
    assert any("冬の買い物支援" in c for c in cells) and not any("よそで" in c for c in cells)
    bad = client.get("/api/v1/cases?origin=elsewhere")
    assert bad.status_code == 400 and "生まれた場所" in bad.get_json()["error"]["message"]


def test_cases_a_case_held_for_review_is_linked_when_approved(world, moderator):
    """A case that the personal-information guard holds keeps its origin in the held draft: the
    moderator's approval publishes it linked to its problem."""
    _partnered(world)
    fields = valid_fields("case", summary="連絡は担当の山田（090-1234-5678）まで。")
    outcome = cases.publish_case(actor=world.author, challenge=world.problem, title="保留される事例",
                                 body="本文です。", fields=fields, confirmed=True)  # fmt: skip
    assert outcome.status == "held"
    db.session.commit()
    assert db.session.scalar(select(CaseOrigin)) is None
    item = db.session.scalar(select(ModerationItem).where(ModerationItem.kind == "held_post"))
    queue.decide(item, moderator=moderator, action="approve", version=item.version)
    db.session.commit()
    link = db.session.scalar(select(CaseOrigin))
    assert link is not None and link.challenge_thread_id == world.problem.id
