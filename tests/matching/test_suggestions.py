"""「連携先の候補」 on a local problem's page: each suggestion with its reasons; never what the
viewer may not read (a members-only board's case); the statements pinned; suggestions follow
the directory and the cases as they change (nothing cached)."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from core.extensions import db
from matching import service
from tests.matching.conftest import add_org


def _page(client, thread) -> str:
    response = client.get(f"/t/{thread.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _section(page: str) -> str:
    start = page.index('id="suggestions-h"')
    return page[start : page.index("</section>", start)]


def test_suggestions_show_each_reason_in_plain_japanese(client, world):
    section = _section(_page(client, world["problem"]))
    assert "連携先の候補" in _page(client, world["problem"])
    assert "生協たじま" in section
    assert "理由: 分野: 物流・販売／領域: 買い物、移動（交通）／兵庫県で活動" in section
    assert "移動販売車で山間部の買い物を支える" in section  # the similar case elsewhere
    assert "内容が似ています（" in section
    assert "移動販売車の巡回ルートを一緒に考える事業者を募集" in section  # another open problem


def test_suggestions_leave_out_what_does_not_fit(client, world):
    section = _section(_page(client, world["problem"]))
    assert "東京文化の会" not in section  # no field, domain or area in common
    assert "非掲載の販売会社" not in section  # not listed in the directory
    assert "運転手（募集終了）" not in section  # a closed problem is not 「募集中」
    assert "山間部の買い物と移動販売の担い手" not in section  # not itself


def test_suggestions_never_show_a_closed_board_to_an_outsider(app, client, login, world,
                                                              user_factory):  # fmt: skip
    secret = "会員限定：移動販売車で山間部の買い物を支えた記録"
    assert secret not in _page(client, world["problem"])  # anyone
    api = client.get(f"/api/v1/challenges/{world['problem'].id}/suggestions").get_json()
    assert secret not in str(api)
    with app.test_request_context("/"):
        anyone = service.for_challenge(world["problem"], viewer=AnonymousUserMixin())
        member = service.for_challenge(world["problem"], viewer=user_factory())
    assert world["secret"].id not in {c.id for c in anyone.cases}
    # the same case *is* suggested to a reader of the board: only the audience keeps it out
    assert world["secret"].id in {c.id for c in member.cases}


def test_suggestions_never_show_hidden_or_deleted_threads(client, world):
    world["case"].is_hidden = True
    world["other"].is_deleted = True
    db.session.commit()
    section = _section(_page(client, world["problem"]))
    assert "移動販売車で山間部の買い物を支える" not in section
    assert "巡回ルートを一緒に考える" not in section


def test_suggestions_follow_the_directory_and_the_cases(client, world, structured_factory):
    assert "まちの配達便" not in _section(_page(client, world["problem"]))
    org = add_org("haitatsu", "まちの配達便", "butsuryu-hanbai", "28", "宅配と見守り")
    assert "まちの配達便" in _section(_page(client, world["problem"]))
    org.is_listed = False
    db.session.commit()
    assert "まちの配達便" not in _section(_page(client, world["problem"]))
    # a case posted now is suggested at once (the domains alone, before the index catches up)
    structured_factory("case", title="新しい買い物支援の事例", life_domains=["kaimono", "ido"],
                       prefecture="01", municipality_name="札幌市")  # fmt: skip
    assert "新しい買い物支援の事例" in _section(_page(client, world["problem"]))


def test_suggestions_only_on_local_problems(client, world):
    assert 'id="suggestions-h"' not in _page(client, world["case"])


@pytest.fixture
def app_config():
    return {"ANON_PAGE_CACHE_SECONDS": 0}


#: the challenge page's own 6 (tests/structured/test_queries_count.py: 5, and the offers of
#: cocreation 1) + organisations (1), the
#: closed boards for the index's audience filter (1, once per request), the cases and problems
#: sharing a domain (2), their facts and tags (2); the taxonomy's names are kept per process
#: (matching.facts), the similar texts come from the index
PROBLEM_PAGE = 12


def test_problem_page_statements_are_pinned_and_flat(client, world, count_queries,
                                                     structured_factory):  # fmt: skip
    url = f"/t/{world['problem'].id}"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for i in range(6):
        structured_factory("case", title=f"買い物の事例{i}", life_domains=["kaimono", "ido"],
                           player_fields=["butsuryu-hanbai"])  # fmt: skip
        add_org(f"org{i}", f"販売の団体{i}", "butsuryu-hanbai", "28", "買い物")
    with count_queries() as many:
        page = client.get(url).get_data(as_text=True)
    assert "買い物の事例5" in page and "販売の団体0" in page, _section(page)
    assert few.count == many.count == PROBLEM_PAGE, f"{few}\n----\n{many}"
    writes = [s for s in many.statements if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert not writes
