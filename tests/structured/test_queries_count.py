"""SQL statement counts of the structured pages and exports: pinned, and the same for 5 items as
for 25 (different authors, prefectures and tags per item, so nothing is loaded one by one)."""

from __future__ import annotations

import pytest

from core.extensions import db
from forum import posting

PREFECTURES = ["28", "27", "26", "13", "01", "47", "34"]
DOMAINS = ["kaimono", "ido", "mimamori", "kenko"]

#: name → (kind, URL, statements). The four listings' pages include the prefecture map (issue
#: #18), which adds exactly one statement: its counts, one GROUP BY over the same conditions
#: (made here on every request: the map's per-process cache is off below, and a cache hit adds
#: none — tests/stats/test_prefecture_map.py). The calendar, exports and feeds have no map.
PAGES = {
    "cases": ("case", "/cases", 9),
    "cases_filtered": ("case", "/cases?block=kinki&field=iryo-kaigo-fukushi&domain=kaimono"
                               "&population=50k-200k&funding=community_support", 12),
    "events": ("event", "/events", 9),
    "events_filtered": ("event", "/events?block=kinki&mode=venue&domain=kaimono", 11),
    "events_past": ("event", "/events?when=past", 9),
    "calendar": ("event", "/events/calendar?month=2030-12", 8),
    "calendar_filtered": ("event", "/events/calendar?month=2030-12&prefecture=28", 9),
    "policies": ("policy", "/policies", 10),
    "policies_filtered": ("policy", "/policies?ministry=厚生労働省&fiscal_year=2026", 10),
    "challenges": ("challenge", "/challenges", 9),
    "challenges_filtered": ("challenge", "/challenges?status=open&prefecture=28", 10),
    "events_ics": ("event", "/events.ics", 2),  # the events, their first posts (no tags)
    "events_csv": ("event", "/events.csv", 2),
    # the items, their two tag lists (for all of them), the spaces (the プラットフォーム column);
    # filtered: and the prefecture and the domain looked up
    "cases_xlsx": ("case", "/cases.xlsx", 4),
    "events_xlsx": ("event", "/events.xlsx", 4),
    "policies_xlsx": ("policy", "/policies.xlsx", 4),
    "challenges_xlsx": ("challenge", "/challenges.xlsx", 4),
    "cases_xlsx_filtered": ("case", "/cases.xlsx?prefecture=28&domain=kaimono", 6),
    "cases_feed": ("case", "/feeds/cases.atom", 5),
    "events_feed": ("event", "/feeds/events.atom", 5),
    "policies_feed": ("policy", "/feeds/policies.atom", 5),
}  # fmt: skip


@pytest.fixture
def make_items(structured_factory, user_factory):
    made = {"n": 0}

    def make(kind: str, count: int) -> None:
        for _ in range(count):
            i = made["n"]
            made["n"] += 1
            extra = {}
            if kind == "event":
                extra = {"start_at": f"2030-12-{1 + i % 28:02d}T10:00+09:00", "end_at": None}
            if kind == "event" and i == 3:
                extra["start_at"] = "2020-01-10T10:00+09:00"  # one past event
            structured_factory(kind, author=user_factory(role="admin"),
                               prefecture=PREFECTURES[i % len(PREFECTURES)],
                               life_domains=[DOMAINS[i % len(DOMAINS)], "kaimono"], **extra)  # fmt: skip

    return make


@pytest.fixture
def app_config() -> dict:
    """The statements of making each page: the warm-up GET must not leave it in the anonymous
    page cache (core/pagecache.py; tests/core/test_pagecache.py counts that one), nor the map's
    counts in their cache (stats/prefecture_map.py)."""
    return {"ANON_PAGE_CACHE_SECONDS": 0, "STATS_MAP_CACHE_SECONDS": 0}


def _count(client, count_queries, url: str):
    assert client.get(url).status_code == 200  # warm-up: process-wide caches
    with count_queries() as log:
        response = client.get(url)
    assert response.status_code == 200
    return log


@pytest.mark.parametrize("name", list(PAGES))
def test_statement_count_is_pinned_and_flat(client, make_items, count_queries, name):
    kind, url, expected = PAGES[name]
    make_items(kind, 5)
    few = _count(client, count_queries, url)
    make_items(kind, 20)
    many = _count(client, count_queries, url)
    assert few.count == expected, str(few)
    assert many.count == expected, str(many)


@pytest.mark.parametrize("kind", ["case", "event", "policy", "challenge"])
def test_a_structured_thread_page(client, structured_factory, user_factory, count_queries, kind):
    thread = structured_factory(kind, player_fields=["chiiki-kotsu", "iryo-kaigo-fukushi"],
                                life_domains=["kaimono", "ido", "mimamori"])  # fmt: skip
    few = _count(client, count_queries, f"/t/{thread.id}")
    for i in range(8):
        posting.create_reply(thread=thread, author=user_factory(), body=f"返信{i}")
    db.session.commit()
    many = _count(client, count_queries, f"/t/{thread.id}")
    assert few.count == many.count, f"{few}\n----\n{many}"
    assert few.count == THREAD_PAGE[kind], str(few)


#: thread, board, posts with their authors, the detail and its two tag lists (once, not twice); cases,
#: events and policies also load their files (one statement), events their RSVP counts (one); a
#: local problem its 「連携先の候補」 (matching): the organisations, the cases and problems sharing a
#: domain (three; none here shares one, no index is built: tests/matching pins the full page);
#: co-creation (issue #16): a case the problem it was born from (one), a problem its offers (one)
THREAD_PAGE = {"case": 7, "event": 7, "policy": 6, "challenge": 9}  # thread and board in one


def test_no_writes_on_get(client, make_items, count_queries):
    for kind in ("case", "event", "policy", "challenge"):
        make_items(kind, 3)
    for _, url, _ in PAGES.values():
        log = _count(client, count_queries, url)
        writes = [s for s in log.statements if s.split()[0].upper() in
                  ("INSERT", "UPDATE", "DELETE")]  # fmt: skip
        assert not writes, (url, writes)
