"""SQL statement counts of a local problem's page with offers: pinned, and the same with two
offers as with eight (organisations and authors come with the offers, in one statement)."""

from __future__ import annotations

from cocreation import service
from core.extensions import db
from tests.cocreation.conftest import MESSAGE


def _offers(world, offerer_factory, n: int) -> None:
    for _ in range(n):
        outcome = service.make_offer(actor=offerer_factory(), thread=world.problem, message=MESSAGE)
        assert outcome.saved
    db.session.commit()


def _count(client, count_queries, url: str, warm: bool = True) -> tuple[int, object]:
    if warm:
        client.get(url)  # warm up (caches of roles and taxonomies)
    with count_queries() as log:
        response = client.get(url)
    assert response.status_code == 200
    return log.count, log


def test_page_queries_author_side_with_offers(client, login, world, offerer_factory,
                                              count_queries):  # fmt: skip
    url = f"/t/{world.problem.id}"
    login(world.author)
    _offers(world, offerer_factory, 2)
    small, _log = _count(client, count_queries, url)
    _offers(world, offerer_factory, 6)
    big, log = _count(client, count_queries, url)
    assert "連携の申し出 8件" in client.get(url).get_data(as_text=True)
    assert small == big, (small, big)
    # the login with its user, the thread, the posts, the typed fields and their two tag lists,
    # the watch level, the badge; co-creation adds one: the offers (organisations and their
    # authors joined); a partnered problem one more, the cases born from it (below); the
    # matching suggestions three: the organisations, the cases and the problems sharing a domain;
    # and one for the private conversations the offers opened (each offer links to its own)
    assert big == 13, str(log)


def test_page_queries_visitor_sees_a_count_for_the_same_price(client, world, offerer_factory,
                                                               count_queries):  # fmt: skip
    """Visitors' pages are cached (``core.pagecache``) until the next write: counted here is
    the first visit after the offers were written."""
    url = f"/t/{world.problem.id}"
    client.get(url)  # the taxonomy names the suggestions read once per process: read here
    _offers(world, offerer_factory, 2)
    small, _log = _count(client, count_queries, url, warm=False)
    _offers(world, offerer_factory, 6)
    big, log = _count(client, count_queries, url, warm=False)
    assert "連携の申し出 8件" in client.get(url).get_data(as_text=True)
    # 6, and the suggestions' three statements (the taxonomy names they read once per process
    # were read by the first visit)
    assert small == big and big == 9, str(log)


def test_page_queries_a_partnered_problem_adds_its_cases(client, world, offerer_factory,
                                                         count_queries):  # fmt: skip
    client.get(f"/t/{world.problem.id}")  # the suggestions' taxonomy names, once per process
    _offers(world, offerer_factory, 2)
    offer = service.offers_of(world.problem.id)[0]
    service.answer_offer(actor=world.author, offer=offer, action="partner")
    db.session.commit()
    count, log = _count(client, count_queries, f"/t/{world.problem.id}", warm=False)
    assert count == 10, str(log)  # the visitor's 9 and the cases born from the problem


def test_page_queries_the_page_does_not_write(client, login, world, offerer_factory, count_queries):
    _offers(world, offerer_factory, 2)
    login(world.author)
    with count_queries() as log:
        client.get(f"/t/{world.problem.id}")
    assert [s for s in log.statements if not s.upper().startswith(("SELECT", "WITH"))] == []


def test_page_queries_write_paths_are_pinned(client, bearer, world, count_queries):
    """``POST …/offers`` and ``POST /offers/<id>/accept`` (with the problem's status following):
    their statements, the notification jobs and the audit entries included."""
    offerer, author = bearer(world.offerer), bearer(world.author)
    url = f"/api/v1/challenges/{world.problem.id}/offers"
    with count_queries() as log:
        response = client.post(url, headers=offerer, json={"message": MESSAGE})
    assert response.status_code == 201
    created = log.count
    offer_id = response.get_json()["id"]
    with count_queries() as log:
        response = client.post(f"/api/v1/offers/{offer_id}/accept", headers=author)
    assert response.status_code == 200
    assert (created, log.count) == (CREATE, ACCEPT), f"{created}, {log.count}\n{log}"


#: create: the token, the problem with its board, the role permissions, its fields (and their two
#: tag lists), its author (the author side), the live-offer check, the screening (watched words,
#: the duplicate check), the insert, the notification job, the offer read back, the token's use;
#: and the private conversation the offer opens (+7: its rows — conversation, participants,
#: message — with the conversation's own checks and its notification job);
#: accept: the token, the offer, the problem and its fields, two audit entries (the offer, the
#: status), the two updates, one job row per event, the offer read back, the token's last use;
#: and the search outbox row the status change writes (the statistics' summary follows it)
CREATE, ACCEPT = 21, 15
