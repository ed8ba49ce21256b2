"""Matching suggestions (うまれる): for a local problem, the organisations that could help, similar
cases elsewhere and other open problems like it; for an organisation, the local problems that
fit it. Every score is the documented sum of :mod:`matching.weights`, and every feature that adds
to it is a reason shown in plain Japanese.

Never suggests what the viewer may not read: threads go through ``forum.audience`` (the one
audience rule of every listing and search), are neither deleted nor hidden, and the problem
itself must be readable (``can(viewer, "thread.view", thread)``); organisations must be listed.
A GET never writes; the page's statements are pinned by tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, literal, or_, select, union_all

from core.extensions import db
from directory.models import Organization
from forum import audience
from forum.models import Post, Thread
from matching import weights as W
from matching.facts import OrgFacts, Taxonomy, ThreadFacts, band_label, population_band, taxonomy
from search.extension import searcher
from search.service import similar_threads
from structured.models import ThreadDetail, thread_life_domains, thread_player_fields

#: local problems still looking for partners
OPEN_STATUSES = ("open", "negotiating")
#: candidates sharing a domain, newest first, read from the database per kind
DOMAIN_CANDIDATES = 150
#: open problems considered for one organisation
ORG_CHALLENGE_CANDIDATES = 200
#: organisations scored exactly, of those with the best upper bound (``_org_rows``)
ORG_PRESELECT = 60
#: per domain, the newest threads read from its index before the kind and audience are checked
PER_DOMAIN = 400


@dataclass(frozen=True)
class Suggestion:
    kind: str  #: organization | case | challenge
    id: int
    title: str
    score: float
    reasons: list[str]
    slug: str = ""  #: organisations: for the link
    prefecture: str | None = None


@dataclass
class Suggestions:
    organizations: list[Suggestion] = field(default_factory=list)
    cases: list[Suggestion] = field(default_factory=list)
    challenges: list[Suggestion] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.organizations or self.cases or self.challenges)


# --- a local problem ---------------------------------------------------------------------------


def problem_facts(detail: ThreadDetail, title: str) -> ThreadFacts:
    return ThreadFacts(
        id=detail.thread_id, kind=detail.kind, title=title, prefecture=detail.prefecture_code,
        band=population_band(detail.population, detail.municipality_code), status=detail.status,
        fields={f.id for f in detail.player_fields}, domains={d.id for d in detail.life_domains},
    )  # fmt: skip


def problem_text(thread: Thread, detail: ThreadDetail, body: str) -> str:
    data = detail.data or {}
    parts = [thread.title, body, data.get("partner_sought") or "", data.get("area") or ""]
    return "\n".join(p for p in parts if p)


def first_post_body(thread: Thread) -> str:
    return (
        db.session.scalar(
            select(Post.body_source).where(Post.thread_id == thread.id, Post.number == 1)
        )
        or ""
    )


def for_challenge(
    thread: Thread, *, viewer: Any, detail: ThreadDetail | None = None,
    body: str | None = None, limits: dict[str, int] | None = None,
) -> Suggestions:  # fmt: skip
    """The suggestions for a local problem that ``viewer`` may read (the caller checked that).
    ``detail`` and ``body`` (its first post's Markdown) are loaded when not given."""
    if detail is None:
        detail = db.session.get(ThreadDetail, thread.id)
    if detail is None or detail.kind != "challenge":
        return Suggestions()
    if body is None:
        body = first_post_body(thread)
    limits = {**W.LIMIT, **(limits or {})}
    tax = taxonomy()
    problem = problem_facts(detail, thread.title)
    text = problem_text(thread, detail, body)
    return Suggestions(
        organizations=_organizations(problem, text, tax, limits["organization"]),
        **_threads(problem, text, tax, viewer, limits),
    )


# --- organisations for a problem ---------------------------------------------------------------


def _fields_named(text: str, tax: Taxonomy) -> dict[int, str]:
    """Fields whose key words the problem's text names: field id → the word found."""
    named = {}
    for fid, words in tax.field_words.items():
        for word in words:
            if word in text:
                named[fid] = word
                break
    return named


def _org_rows(problem: ThreadFacts, named: dict[int, str], tax: Taxonomy) -> list[OrgFacts]:
    """The listed organisations with the best upper bound of :func:`score_organization`, one
    statement: the same weights summed in SQL (without the domain cap), best first, at most
    :data:`ORG_PRESELECT` — 5,000 organisations are one scan of a small table, and only these
    few are scored exactly (with their reasons) in Python."""
    w = W.ORGANIZATION
    desc = Organization.description
    domain_matches = [
        or_(*[desc.contains(word, autoescape=True) for word in words])
        for d in sorted(problem.domains)
        if (words := tax.domain_words.get(d))
    ]
    field_ids = sorted(problem.fields)
    conditions = [*domain_matches]
    if field_ids or named:
        conditions.append(Organization.player_field_id.in_(sorted({*field_ids, *named})))
    if not conditions:
        return []
    block = sorted(
        code for code, region in tax.blocks.items()
        if problem.prefecture and region == tax.blocks.get(problem.prefecture)
    )  # fmt: skip
    bound = (
        case((Organization.player_field_id.in_(field_ids), w["org_field"]),
             (Organization.player_field_id.in_(sorted(named)), w["org_field_text"]), else_=0.0)
        + sum((case((m, w["org_domain"]), else_=0.0) for m in domain_matches), literal(0.0))
        + case((Organization.prefecture_code == (problem.prefecture or ""), w["org_prefecture"]),
               (Organization.prefecture_code.in_(block), w["org_block"]), else_=0.0)
    )  # fmt: skip
    rows = db.session.execute(
        select(Organization.id, Organization.slug, Organization.name,
               Organization.player_field_id, Organization.prefecture_code,
               Organization.description)
        .where(Organization.is_listed.is_(True), or_(*conditions))
        .order_by(bound.desc(), Organization.id)
        .limit(ORG_PRESELECT)
    )  # fmt: skip
    return [OrgFacts(*row) for row in rows]


def score_organization(
    org: OrgFacts, problem: ThreadFacts, named: dict[int, str], tax: Taxonomy,
    *, for_org: bool = False,
) -> tuple[float, list[str]]:  # fmt: skip
    """(score, reasons) of one organisation for one problem (see :mod:`matching.weights`);
    ``for_org``: the reasons as the organisation reads them (「兵庫県の課題」, not 「兵庫県で活動」)."""
    w = W.ORGANIZATION
    score, reasons = 0.0, []
    if org.field is not None and org.field in problem.fields:
        score += w["org_field"]
        reasons.append(_("分野: %(name)s", name=tax.fields[org.field]))
    elif org.field is not None and org.field in named:
        score += w["org_field_text"]
        reasons.append(_("分野: %(name)s（「%(word)s」）", name=tax.fields[org.field],
                         word=named[org.field]))  # fmt: skip
    shared = [
        d for d in sorted(problem.domains)
        if any(word in org.description for word in tax.domain_words.get(d, ()))
    ][: W.DOMAIN_CAP]  # fmt: skip
    if shared:
        score += w["org_domain"] * len(shared)
        reasons.append(_("領域: %(names)s", names="、".join(tax.domains[d] for d in shared)))
    if org.prefecture and org.prefecture == problem.prefecture:
        score += w["org_prefecture"]
        pref = tax.prefectures[org.prefecture]
        reasons.append(
            _("%(pref)sの課題", pref=pref) if for_org else _("%(pref)sで活動", pref=pref)
        )
    elif (
        org.prefecture and problem.prefecture
        and tax.blocks.get(org.prefecture) == tax.blocks.get(problem.prefecture)
    ):  # fmt: skip
        score += w["org_block"]
        block = tax.block_names[tax.blocks[org.prefecture]]
        if for_org:
            reasons.append(_("同じ%(block)s地方の課題（%(pref)s）", block=block,
                             pref=tax.prefectures[problem.prefecture]))  # fmt: skip
        else:
            reasons.append(_("%(block)s地方で活動（%(pref)s）", block=block,
                             pref=tax.prefectures[org.prefecture]))  # fmt: skip
    return score, reasons


def _organizations(problem: ThreadFacts, text: str, tax: Taxonomy, limit: int) -> list[Suggestion]:
    named = _fields_named(text, tax)
    scored = []
    for org in _org_rows(problem, named, tax):
        score, reasons = score_organization(org, problem, named, tax)
        if score >= W.MIN_SCORE["organization"]:
            scored.append(Suggestion("organization", org.id, org.name, score, reasons,
                                     slug=org.slug, prefecture=org.prefecture))  # fmt: skip
    scored.sort(key=lambda s: (-s.score, s.title, s.id))
    return scored[:limit]


# --- cases and other problems ------------------------------------------------------------------


def _readable(viewer: Any):
    return (
        Thread.is_deleted.is_(False),
        Thread.is_hidden.is_(False),
        audience.readable_filter(Thread.board_id, viewer),
    )


def _recent_with_domains(domains: set[int]):
    """The newest :data:`PER_DOMAIN` threads of each domain, read backwards on the index
    (life_domain_id, thread_id): a bounded set whatever the number of threads."""
    parts = [
        select(thread_life_domains.c.thread_id)
        .where(thread_life_domains.c.life_domain_id == d)
        .order_by(thread_life_domains.c.thread_id.desc())
        .limit(PER_DOMAIN)
        .subquery()
        .select()
        for d in sorted(domains)
    ]
    return parts[0] if len(parts) == 1 else union_all(*parts)


def _domain_candidates(kind: str, domains: set[int], viewer: Any, exclude: int) -> list[int]:
    """Recent readable threads of ``kind`` sharing a domain with the problem, newest first."""
    if not domains:
        return []
    query = (
        select(ThreadDetail.thread_id)
        .join(Thread, Thread.id == ThreadDetail.thread_id)
        .where(
            ThreadDetail.kind == kind,
            ThreadDetail.thread_id != exclude,
            ThreadDetail.thread_id.in_(_recent_with_domains(domains)),
            *_readable(viewer),
        )
        .order_by(ThreadDetail.thread_id.desc())
        .limit(DOMAIN_CANDIDATES)
    )
    if kind == "challenge":
        query = query.where(ThreadDetail.status.in_(OPEN_STATUSES))
    return list(db.session.scalars(query))


def load_thread_facts(ids: set[int], viewer: Any) -> dict[int, ThreadFacts]:
    """Facts of the readable, visible threads among ``ids``: two statements."""
    if not ids:
        return {}
    ordered = sorted(ids)
    facts = {
        tid: ThreadFacts(tid, kind, title, pref, population_band(pop, muni), status or "")
        for tid, kind, title, pref, pop, muni, status in db.session.execute(
            select(
                ThreadDetail.thread_id,
                ThreadDetail.kind,
                Thread.title,
                ThreadDetail.prefecture_code,
                ThreadDetail.population,
                ThreadDetail.municipality_code,
                ThreadDetail.status,
            )
            .join(Thread, Thread.id == ThreadDetail.thread_id)
            .where(ThreadDetail.thread_id.in_(ordered), *_readable(viewer))
        )  # fmt: skip
    }
    if not facts:
        return {}
    kept = sorted(facts)
    tags = (
        select(
            thread_player_fields.c.thread_id, literal("f"), thread_player_fields.c.player_field_id
        )
        .where(thread_player_fields.c.thread_id.in_(kept))
        .union_all(
            select(
                thread_life_domains.c.thread_id, literal("d"), thread_life_domains.c.life_domain_id
            ).where(thread_life_domains.c.thread_id.in_(kept))
        )
    )
    for tid, tag, value in db.session.execute(tags):
        (facts[tid].fields if tag == "f" else facts[tid].domains).add(value)
    return facts


def score_thread(
    other: ThreadFacts, problem: ThreadFacts, similarity: float, words: list[str], tax: Taxonomy
) -> tuple[float, list[str]]:
    """(score, reasons) of a case or another problem for one problem."""
    w = W.CASE if other.kind == "case" else W.CHALLENGE
    score, reasons = 0.0, []
    if similarity > 0:
        score += w["text"] * similarity
        shared_words = [_as_written(word, other.title) for word in words if word in other.title]
        shared_words = shared_words[:3]
        if shared_words:
            reasons.append(_("内容が似ています（%(words)s）", words="、".join(shared_words)))
        else:
            reasons.append(_("内容が似ています"))
    domains = sorted(problem.domains & other.domains)[: W.DOMAIN_CAP]
    if domains:
        score += w["domain"] * len(domains)
        reasons.append(_("領域: %(names)s", names="、".join(tax.domains[d] for d in domains)))
    fields = sorted(problem.fields & other.fields)[: W.FIELD_CAP]
    if fields:
        score += w["field"] * len(fields)
        reasons.append(_("分野: %(names)s", names="、".join(tax.fields[f] for f in fields)))
    if problem.band and problem.band == other.band:
        score += w["population"]
        reasons.append(_("同じ規模の自治体（%(band)s）", band=band_label(other.band)))
    if other.prefecture and other.prefecture == problem.prefecture:
        score += w["prefecture"]
        reasons.append(_("同じ%(pref)s", pref=tax.prefectures[other.prefecture]))
    return score, reasons


def _as_written(word: str, title: str) -> str:
    """The index folds 「タクシー」 to 「タクシ」: show the word as the title writes it."""
    return word + "ー" if word + "ー" in title else word


def _similar(text: str, viewer: Any, exclude: int) -> tuple[dict[int, float], list[str]]:
    with searcher() as s:
        if s is None:  # no index yet: the other features still suggest
            return {}, []
        return similar_threads(text, kinds=("case", "challenge"), user=viewer, searcher=s,
                               limit=W.TEXT_CANDIDATES, terms=W.QUERY_TERMS, exclude=exclude)  # fmt: skip


def _threads(
    problem: ThreadFacts, text: str, tax: Taxonomy, viewer: Any, limits: dict[str, int]
) -> dict[str, list[Suggestion]]:
    similarity, words = _similar(text, viewer, problem.id)
    ids = set(similarity)
    for kind in ("case", "challenge"):
        ids.update(_domain_candidates(kind, problem.domains, viewer, problem.id))
    ids.discard(problem.id)
    found: dict[str, list[Suggestion]] = {"cases": [], "challenges": []}
    for other in load_thread_facts(ids, viewer).values():
        if other.kind == "challenge" and other.status not in OPEN_STATUSES:
            continue
        if other.kind not in ("case", "challenge"):
            continue
        score, reasons = score_thread(other, problem, similarity.get(other.id, 0.0), words, tax)
        if score >= W.MIN_SCORE[other.kind]:
            key = "cases" if other.kind == "case" else "challenges"
            found[key].append(Suggestion(other.kind, other.id, other.title, score, reasons,
                                         prefecture=other.prefecture))  # fmt: skip
    for key, kind in (("cases", "case"), ("challenges", "challenge")):
        found[key].sort(key=lambda s: (-s.score, -s.id))
        found[key] = found[key][: limits[kind]]
    return found


# --- problems for an organisation --------------------------------------------------------------


def org_facts(org: Organization) -> OrgFacts:
    return OrgFacts(org.id, org.slug, org.name, org.player_field_id, org.prefecture_code,
                    org.description or "")  # fmt: skip


def for_organization(
    org: Organization, *, viewer: Any, limit: int = W.LIMIT["challenge"],
    since: datetime | None = None,
) -> list[Suggestion]:  # fmt: skip
    """The open local problems ``viewer`` may read that fit ``org`` best (the same features and
    weights as :func:`score_organization`, seen from the other side); ``since``: only
    problems posted since then (the weekly digest)."""
    tax = taxonomy()
    facts = org_facts(org)
    domains = {
        d for d, words in tax.domain_words.items()
        if any(word in facts.description for word in words)
    }  # fmt: skip
    parts = []
    if facts.field is not None:
        parts.append(
            select(thread_player_fields.c.thread_id)
            .where(thread_player_fields.c.player_field_id == facts.field)
            .order_by(thread_player_fields.c.thread_id.desc())
            .limit(PER_DOMAIN)
            .subquery()
            .select()
        )
    if domains:
        parts.append(_recent_with_domains(domains).subquery().select())
    if not parts:
        return []
    conditions = [ThreadDetail.thread_id.in_(parts[0] if len(parts) == 1 else union_all(*parts))]
    ids = set(
        db.session.scalars(
            select(ThreadDetail.thread_id)
            .join(Thread, Thread.id == ThreadDetail.thread_id)
            .where(
                ThreadDetail.kind == "challenge",
                ThreadDetail.status.in_(OPEN_STATUSES),
                Thread.created_at >= since if since is not None else True,
                or_(*conditions),
                *_readable(viewer),
            )
            .order_by(ThreadDetail.thread_id.desc())
            .limit(ORG_CHALLENGE_CANDIDATES)
        )
    )
    scored = []
    for problem in load_thread_facts(ids, viewer).values():
        score, reasons = score_organization(facts, problem, {}, tax, for_org=True)
        if score >= W.MIN_SCORE["organization"]:
            scored.append(Suggestion("challenge", problem.id, problem.title, score, reasons,
                                     prefecture=problem.prefecture))  # fmt: skip
    scored.sort(key=lambda s: (-s.score, -s.id))
    return scored[:limit]
