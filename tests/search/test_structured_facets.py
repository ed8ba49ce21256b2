"""Structured threads are searchable by their tags: type, prefecture, 8-block region, player
field and life-support domain, with or without a keyword."""

from __future__ import annotations


def test_cases_are_found_by_prefecture_block_field_and_domain(find, structured_factory):
    hyogo = structured_factory("case", title="移動販売で買い物を支える", prefecture="28",
                               life_domains=["kaimono"], player_fields=["butsuryu-hanbai"])  # fmt: skip
    structured_factory("case", title="見守り活動の事例", prefecture="05", life_domains=["mimamori"])
    structured_factory(
        "event", title="買い物支援の研修会", prefecture="28", life_domains=["kaimono"]
    )
    page = find("", type="case", prefecture="28", domain="kaimono")
    assert [hit.thread_id for hit in page.hits] == [hyogo.id]
    assert [h.thread_id for h in find("", type="case", block="kinki").hits] == [hyogo.id]
    assert [h.thread_id for h in find("買い物", field="butsuryu-hanbai").hits] == [hyogo.id]
    assert {h.thread_id for h in find("", domain="kaimono").hits} >= {hyogo.id}
    assert len(find("", domain="kaimono").hits) == 2


def test_events_are_found_by_their_event_dates(find, structured_factory):
    december = structured_factory("event", title="買い物支援の研修会", start_at="2026-12-15T10:00+09:00",
                                  end_at="2026-12-15T12:00+09:00")  # fmt: skip
    structured_factory("event", title="買い物支援の交流会", start_at="2027-02-01T10:00+09:00",
                       end_at="2027-02-01T12:00+09:00")  # fmt: skip
    hits = find("買い物", event_from="2026-12-01", event_to="2026-12-31").hits
    assert [h.thread_id for h in hits] == [december.id]
