"""Demo content of うまれる: a problem with two offers, one partnership and the case it produced."""

from __future__ import annotations

from sqlalchemy import select

from cocreation.models import Offer
from core.extensions import db
from forum.models import Thread
from structured.models import CaseOrigin, ThreadDetail


def test_cocreation_demo_problem_offers_partnership_and_case(app, client):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert "demo content loaded" in result.output, result.output
    origin = db.session.scalar(select(CaseOrigin))
    problem = db.session.get(Thread, origin.challenge_thread_id)
    case = db.session.get(Thread, origin.case_thread_id)
    assert problem.kind == "challenge" and case.kind == "case"
    assert db.session.get(ThreadDetail, problem.id).status == "partnered"
    offers = db.session.scalars(select(Offer).where(Offer.thread_id == problem.id)).all()
    assert sorted(o.status for o in offers) == ["declined", "partnered"]
    assert db.session.get(ThreadDetail, case.id).data["partners"] == "生活協同組合ひだまり"
    page = client.get(f"/t/{case.id}").get_data(as_text=True)
    assert "きっかけとなった地域課題" in page and problem.title in page
    page = client.get(f"/t/{problem.id}").get_data(as_text=True)
    assert "この課題から生まれた事例" in page and "連携の申し出 1件" in page
    assert "生活協同組合ひだまり" in page
    listing = client.get("/cases?origin=platform").get_data(as_text=True)
    assert case.title in listing
