"""The prefecture map on the listings (issue #18): its counts against independent SQL on generated
data (hidden, deleted, held and closed-board items among them), for viewers who read different
boards; the links keep the other filters; the SVG is well-formed XML and says the same as the
table; a bad prefecture keeps its Japanese error; the per-process cache never mixes viewers and
forgets after a write."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, select, text

from core import cursors
from core.extensions import db
from core.types import UTCDateTime
from forum import boards
from forum.models import Post
from moderation import actions as moderation
from spaces import service
from structured.schema import TOKYO, to_tokyo_iso
from taxonomy.models import Prefecture
from tests.fixtures.app import PASSWORD, Client
from tests.stats.helpers import (
    map_counts,
    map_links,
    map_svg,
    query_of,
    table,
    table_counts,
    unplaced,
)

SECTIONS = {"case": "cases", "event": "events", "policy": "policies", "challenge": "challenges"}
PREFECTURES = ["01", "13", "13", "20", "20", "20", "27", "28", "47", "15"]
DOMAINS = ["kaimono", "ido", "mimamori", "kenko", "ibasho"]
#: which board audiences each viewer reads: the rule restated here, not read from the app
READS = {
    "anonymous": ("public",),
    "member": ("public", "members"),  # signed in: a member of the national platform
    "official": ("public", "members", "roles"),  # a municipal official: 行政職員限定 too
}
VIEWER_ROLES = {"member": "member", "official": "municipal_staff"}


def _at(days: int, hour: int = 10) -> str:
    day = datetime.now(UTC).astimezone(TOKYO).date() + timedelta(days=days)
    return to_tokyo_iso(datetime(day.year, day.month, day.day, hour, tzinfo=TOKYO))


@pytest.fixture
def closed_boards(app) -> dict[str, str]:
    """Two closed boards of the national platform: members only, and 行政職員限定."""
    made = {
        "members": boards.create_board(
            actor=service.SYSTEM, space=None, slug="map-kaiin", name="会員限定の事例",
            audience=boards.Audience("members"),
        ),
        "roles": boards.create_board(
            actor=service.SYSTEM, space=None, slug="map-gyosei", name="行政職員限定の事例",
            audience=boards.Audience("roles", ("municipal_staff",)),
        ),
    }  # fmt: skip
    db.session.commit()
    return {audience: board.slug for audience, board in made.items()}


@pytest.fixture
def world(structured_factory, user_factory, closed_boards):
    """14 items of each kind over a few prefectures, a third of them in closed boards, some
    hidden or deleted by a moderator; events from 40 days ago to a month ahead."""
    rng = random.Random(1818)
    admin = user_factory(role="admin")
    for kind in SECTIONS:
        for _ in range(14):
            extra: dict = {}
            if kind == "event":
                extra = {"start_at": _at(rng.choice([-40, -3, -1, 0, 1, 5, 30])), "end_at": None,
                         "attendance_mode": rng.choice(["venue", "online"])}  # fmt: skip
            if kind == "case":
                extra = {"population": rng.choice([5_000, 30_000, 120_000])}
            board = rng.choice([None, None, None, None, *closed_boards.values()])
            thread = structured_factory(
                kind, author=admin, board_slug=board, prefecture=rng.choice(PREFECTURES),
                life_domains=rng.sample(DOMAINS, 2), **extra,
            )  # fmt: skip
            first = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
            fate = rng.random()
            if fate < 0.15:
                moderation.hide_post(first, actor=admin, reason="テスト")
            elif fate < 0.3:
                moderation.delete_post(first, actor=admin, reason="テスト")
            db.session.commit()
    return admin


@pytest.fixture
def clients(app, client, user_factory) -> dict[str, Client]:
    out = {"anonymous": client}
    for viewer, role in VIEWER_ROLES.items():
        user = user_factory(role=role)
        client = app.test_client()
        response = client.post_form("/login", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
        out[viewer] = client
    return out


def expected(kind: str, viewer: str, *, domain: str | None = None, when: str | None = "upcoming",
             mode: str | None = None, status: str | None = None,
             population: tuple[int, int] | None = None) -> dict[str | None, int]:  # fmt: skip
    """Counts by prefecture code, by plain SQL over the tables and the rule restated above."""
    where = ["d.kind = :kind", "NOT t.is_deleted", "NOT t.is_hidden", "b.audience IN :audiences"]
    params: dict = {"kind": kind, "audiences": list(READS[viewer])}
    extra = [bindparam("audiences", expanding=True)]
    if status:
        where.append("d.status = :status")
        params["status"] = status
    if population:
        where.append("d.population >= :low AND d.population < :high")
        params["low"], params["high"] = population
    if domain:
        where.append("d.thread_id IN (SELECT x.thread_id FROM thread_life_domains x JOIN"
                     " life_domains l ON l.id = x.life_domain_id WHERE l.slug = :domain)")  # fmt: skip
        params["domain"] = domain
    if mode:
        where.append("d.attendance_mode = :mode")
        params["mode"] = mode
    if kind == "event" and when in ("upcoming", "past"):
        today = datetime.now(UTC).astimezone(TOKYO).replace(hour=0, minute=0, second=0,
                                                             microsecond=0)  # fmt: skip
        where.append("d.starts_at >= :today" if when == "upcoming" else "d.starts_at < :today")
        params["today"] = today
        extra.append(bindparam("today", type_=UTCDateTime))
    sql = text(
        "SELECT d.prefecture_code, count(*) FROM thread_details d"
        " JOIN threads t ON t.id = d.thread_id JOIN boards b ON b.id = t.board_id"
        f" WHERE {' AND '.join(where)} GROUP BY d.prefecture_code"
    ).bindparams(*extra)
    return {code: count for code, count in db.session.execute(sql, params)}


def by_name(counts: dict[str | None, int]) -> dict[str, int]:
    names = dict(db.session.execute(select(Prefecture.code, Prefecture.name)).all())
    return {name: counts.get(code, 0) for code, name in names.items()}


def _page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


# --- counts --------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", list(READS))
@pytest.mark.parametrize("kind", list(SECTIONS))
def test_map_counts_match_independent_sql(world, clients, kind, viewer):
    page = _page(clients[viewer], f"/{SECTIONS[kind]}")
    want = expected(kind, viewer)
    assert sum(want.values()) > 0
    assert map_counts(page) == by_name(want)
    assert unplaced(page) == want.get(None, 0)


def test_map_counts_see_through_hidden_deleted_and_closed_items(world, clients):
    """The world really holds what must be left out (else the test above proves little)."""
    everything = db.session.execute(text(
        "SELECT b.audience, t.is_hidden, t.is_deleted FROM thread_details d"
        " JOIN threads t ON t.id = d.thread_id JOIN boards b ON b.id = t.board_id"
    )).all()  # fmt: skip
    assert {a for a, _h, _d in everything} == {"public", "members", "roles"}
    assert any(h for _a, h, _d in everything) and any(d for _a, _h, d in everything)
    anonymous = map_counts(_page(clients["anonymous"], "/cases"))
    official = map_counts(_page(clients["official"], "/cases"))
    assert sum(official.values()) > sum(anonymous.values())


@pytest.mark.parametrize("viewer", ["anonymous", "official"])
def test_map_counts_keep_the_other_filters_but_not_the_place(world, clients, viewer):
    client = clients[viewer]
    page = _page(client, "/cases?domain=kaimono&prefecture=20&block=chubu")
    assert map_counts(page) == by_name(expected("case", viewer, domain="kaimono"))
    same = _page(client, "/cases?domain=kaimono")
    assert map_counts(same) == map_counts(page)


@pytest.mark.parametrize("status", ["open", "closed"])
@pytest.mark.parametrize("viewer", ["anonymous", "official"])
def test_map_counts_of_a_filter_with_an_index_of_its_own(world, clients, viewer, status):
    """Grouped by an expression then (``queries._OWN_INDEX``): the same counts, none lost to
    the items without a prefecture."""
    page = _page(clients[viewer], f"/challenges?status={status}")
    want = expected("challenge", viewer, status=status)
    assert (sum(want.values()) > 0) == (status == "open")
    assert map_counts(page) == by_name(want)
    assert unplaced(page) == want.get(None, 0)


@pytest.mark.parametrize("viewer", ["anonymous", "official"])
def test_map_counts_of_a_population_band(world, clients, viewer):
    """Counted from the items found first (``population`` and ``funding``): the same counts."""
    page = _page(clients[viewer], "/cases?population=10k-50k&domain=kaimono")
    want = expected("case", viewer, domain="kaimono", population=(10_000, 50_000))
    assert 0 < sum(want.values()) < sum(expected("case", viewer, domain="kaimono").values())
    assert map_counts(page) == by_name(want)
    assert unplaced(page) == want.get(None, 0)


@pytest.mark.parametrize(("query", "when", "mode"), [
    ("", "upcoming", None), ("?when=upcoming", "upcoming", None), ("?when=past", "past", None),
    ("?when=all", "all", None), ("?mode=online", "upcoming", "online"),
    ("?when=past&mode=venue&block=kanto", "past", "venue"),
])  # fmt: skip
def test_map_counts_of_events_follow_the_listing_s_time_window(world, clients, query, when, mode):
    page = _page(clients["member"], f"/events{query}")
    assert map_counts(page) == by_name(expected("event", "member", when=when, mode=mode))


def test_map_counts_of_events_in_a_date_range(world, clients):
    today = datetime.now(UTC).astimezone(TOKYO).date()
    start, end = today - timedelta(days=3), today + timedelta(days=5)
    page = _page(clients["anonymous"], f"/events?from={start}&to={end}&prefecture=13")
    rows = db.session.execute(
        text("SELECT d.prefecture_code, d.starts_at FROM thread_details d JOIN threads t"
             " ON t.id = d.thread_id JOIN boards b ON b.id = t.board_id WHERE d.kind = 'event'"
             " AND NOT t.is_deleted AND NOT t.is_hidden AND b.audience = 'public'")
        .columns(prefecture_code=Prefecture.code.type, starts_at=UTCDateTime)
    ).all()  # fmt: skip
    want: dict[str | None, int] = {}
    for code, starts in rows:
        if start <= starts.astimezone(TOKYO).date() <= end:
            want[code] = want.get(code, 0) + 1
    assert map_counts(page) == by_name(want)


@pytest.mark.parametrize("app_config", [{"MODERATION_HOLD_FIRST_POSTS": 2}], indirect=True)
def test_map_leaves_out_an_item_held_for_review(client, user_factory):
    """A case waiting for a moderator is not on the map (nor the list). A verified role's first
    posts are not held (issue #14): the board is pre-moderated here."""
    from forum import actions
    from forum.models import Board
    from moderation.models import HeldPost
    from tests.fixtures.structured import valid_fields

    newcomer = user_factory(role="org_staff")
    board = db.session.scalar(select(Board).where(Board.slug == "jirei"))
    board.is_premoderated = True
    db.session.commit()
    outcome = actions.start_thread(actor=newcomer, board=board, title="保留中の事例",
                                   body="確認待ちです。", kind="case",
                                   details=valid_fields("case", prefecture="20"))  # fmt: skip
    db.session.commit()
    assert outcome.status == "held"
    assert db.session.scalar(select(HeldPost.details).where(HeldPost.author_id == newcomer.id))
    page = _page(client, "/cases")
    assert map_counts(page)["長野県"] == 0 and "保留中の事例" not in page


def test_map_a_closed_board_s_item_counts_only_for_its_readers(
    client, login, app, structured_factory, user_factory, closed_boards
):
    """Leak-matrix style: an item in the 行政職員限定 board does not change what anonymous
    visitors (or members outside the audience) see on the map; a municipal official sees it."""
    structured_factory("case", prefecture="20")
    reader = app.test_client()
    official = user_factory(role="municipal_staff")
    assert reader.post_form("/login", {"email": official.email,
                                       "password": PASSWORD}).status_code == 302  # fmt: skip
    outsider = app.test_client()
    member = user_factory(role="member")
    assert outsider.post_form("/login", {"email": member.email,
                                         "password": PASSWORD}).status_code == 302  # fmt: skip
    before = {name: map_counts(_page(c, "/cases?domain=kaimono"))
              for name, c in (("anonymous", client), ("member", outsider), ("official", reader))}  # fmt: skip
    structured_factory("case", prefecture="20", board_slug=closed_boards["roles"],
                       title="行政だけの事例")  # fmt: skip
    after = {name: map_counts(_page(c, "/cases?domain=kaimono"))
             for name, c in (("anonymous", client), ("member", outsider), ("official", reader))}  # fmt: skip
    assert after["anonymous"] == before["anonymous"] and before["anonymous"]["長野県"] == 1
    assert after["member"] == before["member"]
    assert after["official"]["長野県"] == before["official"]["長野県"] + 1 == 2
    assert sum(after["official"].values()) == sum(before["official"].values()) + 1


# --- links, markup, table ------------------------------------------------------------------------


def test_map_links_narrow_to_a_prefecture_and_keep_the_other_filters(world, clients):
    cursor = cursors.encode(10**9)
    page = _page(clients["anonymous"],
                 f"/cases?domain=kaimono&population=10k-50k&block=kinki&prefecture=27&cursor={cursor}")  # fmt: skip
    links = map_links(page)
    assert len(links) == 47
    codes = dict(db.session.execute(select(Prefecture.name, Prefecture.code)).all())
    for name, (_count, href, _a) in links.items():
        assert href.startswith("/cases?")
        assert query_of(href) == {"domain": ["kaimono"], "population": ["10k-50k"],
                                  "prefecture": [codes[name]]}, href  # fmt: skip
    rows = table(page).rows
    assert {name: href for _r, name, _c, href in rows} == {n: h for n, (_c, h, _a) in links.items()}
    # a 地方 in the table filters by block instead, still keeping the rest
    kinki = table(page).region_links["近畿"]
    assert query_of(kinki) == {"domain": ["kaimono"], "population": ["10k-50k"], "block": ["kinki"]}


def test_map_following_a_tile_narrows_the_list(world, clients):
    client = clients["official"]
    page = _page(client, "/challenges")
    count, href, _a = map_links(page)["長野県"]
    narrowed = _page(client, href)
    assert narrowed.count('class="listing-item') == count > 0
    assert map_counts(narrowed) == map_counts(page)  # the map still shows every prefecture


def test_map_is_well_formed_svg_with_the_choice_marked(world, clients):
    page = _page(clients["anonymous"], "/policies?prefecture=20")
    svg = map_svg(page)  # parses as XML
    assert svg.get("viewBox") and svg.get("aria-label")
    links = map_links(page)
    chosen = [name for name, (_c, _h, a) in links.items() if a.get("aria-current") == "true"]
    assert chosen == ["長野県"]
    marks = [e for e in svg.iter() if e.get("class") == "selected-mark"]
    assert len(marks) == 1
    tile = links["長野県"][2].find("{http://www.w3.org/2000/svg}rect")
    assert (marks[0].get("x"), marks[0].get("y")) == (str(int(tile.get("x")) - 1),
                                                      str(int(tile.get("y")) - 1))  # fmt: skip
    assert '<option value="20" selected>長野県</option>' in page  # the filter form agrees
    assert "すべての都道府県を表示" in page
    none_chosen = _page(clients["anonymous"], "/policies")
    assert not [e for e in map_svg(none_chosen).iter() if e.get("class") == "selected-mark"]


def test_map_and_table_agree(world, clients):
    for viewer in ("anonymous", "official"):
        page = _page(clients[viewer], "/cases?domain=ido")
        counts = map_counts(page)
        assert table_counts(page) == counts
        found = table(page)
        regions = dict(db.session.execute(
            text("SELECT p.name, r.name FROM prefectures p JOIN regions r ON r.code = p.region_code")
        ).all())  # fmt: skip
        assert {name: region for region, name, _c, _h in found.rows} == regions
        assert found.footer["全国・地域指定なし"] == unplaced(page)
        assert found.footer["合計"] == sum(counts.values()) + unplaced(page)
        assert "都道府県別の件数（表）" in page and "地図で見る（都道府県別）" in page


def test_map_the_fill_of_a_tile_follows_its_count(world, clients):
    from stats import geo

    page = _page(clients["official"], "/cases")
    fills = {}
    for name, (count, _href, a) in map_links(page).items():
        rect = a.find("{http://www.w3.org/2000/svg}rect")
        fills[name] = (count, rect.get("fill"))
        texts = [t.get("fill") for t in a.iter("{http://www.w3.org/2000/svg}text")]
        assert (rect.get("fill"), texts[0]) in [geo.ZERO, *geo.STEPS]
    assert {fill for count, fill in fills.values() if count == 0} <= {geo.ZERO[0]}
    ordered = sorted(fills.values())
    shades = [geo.STEPS.index(next(s for s in geo.STEPS if s[0] == f)) for c, f in ordered if c]
    assert shades == sorted(shades)  # more items, never a lighter blue


def test_map_with_a_bad_prefecture_keeps_the_japanese_error(world, clients):
    page = _page(clients["anonymous"], "/cases?prefecture=99&domain=kaimono", status=400)
    assert "都道府県コードが正しくありません。" in page and 'role="alert"' in page
    assert map_counts(page) == by_name(expected("case", "anonymous"))  # no filter applies


# --- the cache -----------------------------------------------------------------------------------

#: the map's counting statement: over the items, or over their kept counts (structured.counts)
GROUP_BY = ("GROUP BY thread_details.prefecture_code", "GROUP BY kept_counts.code")


def _counting_statements(client, count_queries, url: str) -> int:
    with count_queries() as log:
        assert client.get(url).status_code == 200
    return sum(any(g in s for g in GROUP_BY) for s in log.statements)


def test_map_cache_keeps_counts_and_forgets_them_after_a_write(
    client, count_queries, structured_factory
):
    structured_factory("case", prefecture="20")
    assert _counting_statements(client, count_queries, "/cases") == 1
    assert _counting_statements(client, count_queries, "/cases") == 0
    assert _counting_statements(client, count_queries, "/cases?prefecture=20&block=chubu") == 0
    assert _counting_statements(client, count_queries, "/cases?domain=kaimono") == 1
    structured_factory("case", prefecture="20")  # a write: this process forgets at once
    page = client.get("/cases").get_data(as_text=True)
    assert map_counts(page)["長野県"] == 2


def test_map_cache_is_never_shared_between_viewers_who_read_different_boards(
    world, clients, count_queries
):
    for viewer in ("anonymous", "official", "member", "anonymous", "official"):
        page = _page(clients[viewer], "/challenges")
        assert map_counts(page) == by_name(expected("challenge", viewer)), viewer


@pytest.mark.parametrize("app_config", [{"STATS_MAP_CACHE_SECONDS": 0}], indirect=True)
def test_map_cache_can_be_turned_off(client, count_queries, structured_factory):
    structured_factory("event", prefecture="20")
    for _ in range(2):
        assert _counting_statements(client, count_queries, "/events") == 1


def test_map_cache_keeps_counts_through_a_reply_but_not_through_hiding_a_thread(
    client, login, count_queries, structured_factory, user_factory
):
    """A reply writes a post and its thread's and board's counters, which change no count: the
    counts stay. Hiding the thread (its first post) changes them: they go at once."""
    thread = structured_factory("case", prefecture="20")
    structured_factory("case", prefecture="20")
    login(user_factory(role="municipal_staff"))
    assert _counting_statements(client, count_queries, "/cases") == 1
    response = client.post_form(f"/t/{thread.id}/reply", {"body": "現地の様子を教えてください。"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(select(Post.id).where(Post.thread_id == thread.id, Post.number == 2))
    assert _counting_statements(client, count_queries, "/cases") == 0
    first = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 1))
    moderation.hide_post(first, actor=None, reason="テスト")
    db.session.commit()
    page = client.get("/cases").get_data(as_text=True)
    assert map_counts(page)["長野県"] == 1
