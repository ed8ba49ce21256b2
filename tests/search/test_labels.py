"""Facet lists: the author facet's top values do not depend on the order of the matches."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

from search.labels import FACET_SIZE, facet_values
from search.params import SearchParams


class _Lookup:
    prefectures: dict = {}
    regions: dict = {}
    fields: dict = {}
    domains: dict = {}
    boards: list = []

    def board_by_id(self, _board_id):
        return None

    def authors(self, ids):
        return {i: SimpleNamespace(handle=f"u{i}", display_name=f"U{i}") for i in ids}


def test_author_facet_breaks_ties_at_the_cut_by_the_lower_id(app):
    assert FACET_SIZE == 10
    for order in (1, -1):  # the same counts, met in opposite orders
        authors = [("", 50), *((str(i), 10 - i) for i in range(1, 8))]
        authors += [(str(i), 1) for i in (19, 18, 17, 16, 15)]
        counts = {name: Counter() for name in ("type", "prefecture", "field", "domain", "board")}
        counts["author"] = Counter(dict(authors[::order]))
        with app.test_request_context():
            facets = facet_values(counts, SearchParams(), _Lookup())
        # the empty author takes a place and is not shown, as before; then the lowest ids
        assert [(v.value, v.count) for v in facets["author"]] == [
            *((f"u{i}", 10 - i) for i in range(1, 8)),
            ("u15", 1),
            ("u16", 1),
        ]
