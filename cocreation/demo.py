"""Demo content of うまれる: a local problem with two offers — one became a partnership, one was
declined kindly — and the case the partnership produced, linked both ways. Made through the
same services as members' actions (the offers are screened, the answers audited)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from auth.models import User
from cocreation import cases, service
from core.extensions import db
from forum import posting
from forum.models import Board
from structured.details import save_details, to_api
from structured.forms import details_form
from structured.models import CaseOrigin, ThreadDetail

PROBLEM = (
    "雪の季節の買い物と見守りを一緒に担ってくださる団体を探しています",
    "横手市山内地区では、12月から3月まで移動販売車が入れない集落があります。"
    "冬のあいだの買い物と、あわせて安否の確認を担ってくださる団体を探しています。",
    {"prefecture": "05", "municipality_name": "横手市", "player_fields": ["butsuryu-hanbai"],
     "life_domains": ["kaimono", "mimamori"], "area": "横手市山内地区（冬季に孤立しやすい5集落）",
     "partner_sought": "冬季の**宅配・移動販売**ができる事業者、見守りの訪問ができる団体",
     "status": "open"},
)  # fmt: skip
OFFERS = (
    ("coop_tokyo", "生協の個配の仕組みで、週1回の食料品の宅配ができます。配達員が玄関先で"
                   "ひと声かけ、気になる様子があれば社協さんにお知らせします。", "partner"),
    ("npo_hyogo", "見守りボランティアの研修の進め方をお伝えできます。オンラインでの研修会の"
                  "開催も可能です。", "decline"),
)  # fmt: skip
CASE = (
    "雪の季節の宅配と見守り（横手市山内地区）",
    "地域課題への申し出から始まった、生協の個配を使った冬季の買い物支援と見守りの取組です。",
    {"summary": "冬季に孤立しやすい5集落へ、生協の個配で週1回食料品を届け、配達時に**ひと声**かけて"
                "様子を社会福祉協議会に伝えています。",
     "activities": "- 12月〜3月、週1回の宅配\n- 配達員による声かけと、気になる様子の連絡\n"
                   "- 月1回、社協・生協・地区の会長で振り返り",
     "outcomes": "冬のあいだ、5集落の23世帯が買い物を続けられました。",
     "implementer": "横手市社会福祉協議会", "partners": "生活協同組合ひだまり",
     "area": "横手市山内地区", "start_year": 2026},
)  # fmt: skip


def seed_cocreation_demo(users: dict[str, User]) -> None:
    author = users.get("sato_akita")
    if author is None or any(users.get(h) is None for h, *_ in OFFERS):
        return
    boards = {b.slug: b for b in db.session.scalars(select(Board))}
    title, body, fields = PROBLEM
    problem = posting.create_thread(board=boards["chiiki-kadai"], author=author, title=title,
                                    body=body, kind="challenge")  # fmt: skip
    _save(problem, "challenge", fields, author)
    made = []
    for handle, message, answer in OFFERS:
        outcome = service.make_offer(actor=users[handle], thread=problem, message=message)
        if not outcome.saved:
            raise ValueError(f"demo offer of {handle}: {outcome.status} {outcome.message}")
        made.append((outcome.offer, answer))
    for offer, answer in reversed(made):  # declined first: a partnered problem takes no offers
        done = service.answer_offer(actor=author, offer=offer, action=answer)
        if not done.saved:
            raise ValueError(f"demo answer {answer}: {done.status} {done.message}")
    title, body, extra = CASE
    with current_app.test_request_context():  # the link back is built with url_for (SITE_URL)
        _title, _body, prefill = cases.prefill(problem, db.session.get(ThreadDetail, problem.id))
    case = posting.create_thread(board=boards[cases.CASE_BOARD], author=author, title=title,
                                 body=body, kind="case")  # fmt: skip
    _save(case, "case", {**prefill, **extra}, author)
    db.session.add(CaseOrigin(case_thread_id=case.id, challenge_thread_id=problem.id,
                              created_by_id=author.id))  # fmt: skip
    db.session.flush()


def _save(thread, kind: str, fields: dict, author: User) -> None:
    form = details_form(kind, json=fields)  # demo data passes the same validation as users'
    if not form.validate():
        raise ValueError(f"demo {kind}: {form.errors}")
    save_details(thread=thread, kind=kind, fields=to_api(form.values()), editor=author)
