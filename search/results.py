"""What a search returns: hits, facet values and the page (plain data for the page and API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup

from search.params import SearchParams


@dataclass(frozen=True)
class Hit:
    post_id: int
    thread_id: int
    number: int
    title: str
    title_html: Markup
    snippet_html: Markup
    type: str
    board_slug: str
    board_name: str
    author_handle: str | None
    author_name: str | None
    prefecture: str | None
    created_at: datetime


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchPage:
    params: SearchParams
    sort: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    next_cursor: str | None = None
    index_ready: bool = True
