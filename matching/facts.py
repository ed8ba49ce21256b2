"""What the scoring reads of a local problem, an organisation, a case: plain values, loaded in
bulk (a few statements per page whatever the number of candidates), never ORM objects per row."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from core.extensions import db
from structured.schema import POPULATION_BANDS
from taxonomy import municipalities
from taxonomy.models import LifeDomain, PlayerField, Prefecture, Region

#: a municipality's kind as a stand-in for its size band when no population is known
KIND_BANDS = {"村": "lt10k", "町": "10k-50k", "市": "50k-200k", "特別区": "200k-plus"}


@dataclass(frozen=True)
class Taxonomy:
    """Names of fields, domains, prefectures and blocks, and each domain's and field's key words."""

    fields: dict[int, str]
    domains: dict[int, str]
    prefectures: dict[str, str]
    blocks: dict[str, str]  #: prefecture code → block (region) code
    block_names: dict[str, str]
    field_words: dict[int, tuple[str, ...]] = field(default_factory=dict)
    domain_words: dict[int, tuple[str, ...]] = field(default_factory=dict)


def key_words(label: str) -> tuple[str, ...]:
    """「移動（交通）」 → 移動, 交通; 「ボランティア・地域活動」 → ボランティア, 地域活動; words of one
    character are left out (too many false hits)."""
    parts = re.split(r"[・（）()、/／]", label)
    return tuple(dict.fromkeys(p.strip() for p in parts if len(p.strip()) >= 2))


#: where each application keeps (loaded at, taxonomy): ``app.extensions`` — one application per
#: process, and one per test, whose database may share its URL with the previous test's
_EXTENSION = "kyoso.matching_taxonomy"
#: how long a process keeps the names (admins may rename a field or move a prefecture to
#: another block at /admin/taxonomies: suggestions say so within this time)
TAXONOMY_SECONDS = 60.0


def taxonomy() -> Taxonomy:
    """Names and blocks, kept per process and database for :data:`TAXONOMY_SECONDS` (three
    small statements when loaded)."""
    extensions = current_app.extensions
    found = extensions.get(_EXTENSION)
    if found is not None and time.monotonic() - found[0] < TAXONOMY_SECONDS:
        return found[1]
    fields = dict(db.session.execute(select(PlayerField.id, PlayerField.name)).all())
    domains = dict(db.session.execute(select(LifeDomain.id, LifeDomain.name)).all())
    prefectures: dict[str, str] = {}
    blocks: dict[str, str] = {}
    block_names: dict[str, str] = {}
    for code, name, region, region_name in db.session.execute(
        select(Prefecture.code, Prefecture.name, Region.code, Region.name).join(
            Region, Region.code == Prefecture.region_code
        )
    ):
        prefectures[code], blocks[code], block_names[region] = name, region, region_name
    result = Taxonomy(
        fields, domains, prefectures, blocks, block_names,
        field_words={i: key_words(n) for i, n in fields.items()},
        domain_words={i: key_words(n) for i, n in domains.items()},
    )  # fmt: skip
    extensions[_EXTENSION] = (time.monotonic(), result)
    return result


def population_band(population: int | None, municipality_code: str | None) -> str | None:
    """The band slug of ``structured.schema.POPULATION_BANDS`` from a population, else from the
    municipality's kind; None when neither is known."""
    if population is not None:
        for slug, (_label, low, high) in POPULATION_BANDS.items():
            if population >= low and (high is None or population < high):
                return slug
    muni = municipalities.by_code(municipality_code) if municipality_code else None
    return KIND_BANDS.get(muni.kind) if muni is not None else None


def band_label(slug: str) -> str:
    return str(POPULATION_BANDS[slug][0])


@dataclass
class ThreadFacts:
    """A case or a local problem as the scoring sees it."""

    id: int
    kind: str
    title: str
    prefecture: str | None
    band: str | None
    status: str
    fields: set[int] = field(default_factory=set)
    domains: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class OrgFacts:
    id: int
    slug: str
    name: str
    field: int | None
    prefecture: str | None
    description: str
