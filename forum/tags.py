"""A discussion's tags (issue #14, item 5): a prefecture, life-support domains and player fields,
so that coordinators can find plain questions by region and domain as they find cases.

The tags travel as a discussion's typed fields (``Draft.details``, the keys the structured kinds
use: ``prefecture``, ``life_domains``, ``player_fields``). So a held question keeps them until a
moderator approves it, and web and API go through one publishing path; ``save_on_publish``
stores them when the thread is published. Rows live in ``thread_tags``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import g
from flask_babel import gettext as _
from sqlalchemy import exists, literal, select, union_all

from core.extensions import db
from forum import publishing
from forum.models import Thread, ThreadTag
from taxonomy import queries as taxonomy
from taxonomy.models import LifeDomain, PlayerField, Prefecture

#: facet → the key of a discussion's typed fields, and how many values it takes
FACETS = {"prefecture": ("prefecture", 1), "domain": ("life_domains", 5),
          "field": ("player_fields", 5)}  # fmt: skip
#: what a URL's filter value may look like before it is looked up (bounded, no SQL wildcards)
_VALUE = re.compile(r"[a-z0-9-]{1,40}")


def _choices() -> dict[str, dict[str, str]]:
    """facet → {value: name}, read once per request (admins may edit the taxonomies)."""
    if "tag_choices" not in g:
        g.tag_choices = {
            "prefecture": {p.code: p.name for p in taxonomy.list_prefectures()},
            "domain": {d.slug: d.name for d in taxonomy.list_life_domains()},
            "field": {f.slug: f.name for f in taxonomy.list_player_fields()},
        }
    return g.tag_choices


def clean(raw: Mapping[str, Any] | None) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """(the tags in the typed-field form, or None when there are none; errors by field)."""
    if not raw:
        return None, {}
    if not isinstance(raw, Mapping):
        return None, {"tags": [_("タグの形式が正しくありません。")]}
    unknown = set(raw) - {key for key, _n in FACETS.values()}
    if unknown:
        return None, {
            "tags": [_("使えないタグの種類です：%(keys)s", keys="、".join(sorted(unknown)))]
        }
    if not any(raw.get(key) not in (None, "", []) for key, _n in FACETS.values()):
        return None, {}  # nothing chosen: no look-up
    choices, tags, errors = _choices(), {}, {}
    for facet, (key, most) in FACETS.items():
        value = raw.get(key)
        if value in (None, "", []):
            continue
        values = [value] if isinstance(value, str) and most == 1 else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            errors[key] = [_("タグの形式が正しくありません。")]
            continue
        values = list(dict.fromkeys(v.strip() for v in values if v.strip()))
        if len(values) > most:
            errors[key] = [_("%(n)s個まで選べます。", n=most)]
        elif bad := [v for v in values if v not in choices[facet]]:
            errors[key] = [_("選べない値です：%(values)s", values="、".join(bad[:3]))]
        elif values:
            tags[key] = values[0] if most == 1 else values
    return (tags or None), errors


def words(thread: Thread) -> list[tuple[str, str]]:
    """(facet, value) of the thread's tags, from ``tag_words`` (no statement)."""
    pairs = (w.partition(":") for w in (thread.tag_words or "").split())
    return [(facet, value) for facet, _sep, value in pairs if facet in FACETS and value]


def as_fields(thread: Thread) -> dict[str, Any]:
    """The thread's tags in the typed-field form (the API's ``tags``)."""
    found: dict[str, Any] = {"prefecture": None, "life_domains": [], "player_fields": []}
    for facet, value in words(thread):
        key, most = FACETS[facet]
        if most == 1:
            found[key] = value
        else:
            found[key].append(value)
    return found


def same(fields: Mapping[str, Any] | None, thread: Thread) -> bool:
    """Whether ``fields`` (cleaned) are the tags ``thread`` already carries."""
    have = as_fields(thread)
    return all(
        sorted(_as_list((fields or {}).get(key))) == sorted(_as_list(have[key]))
        for key, _n in FACETS.values()
    )


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def save(thread: Thread, fields: Mapping[str, Any] | None) -> None:
    """Replace the thread's tags with ``fields`` (already cleaned): rows and words."""
    wanted = set()
    for facet, (key, most) in FACETS.items():
        value = (fields or {}).get(key)
        for v in [value] if most == 1 and value else value or []:
            wanted.add((facet, v))
    thread.tags = [t for t in thread.tags if (t.facet, t.value) in wanted]
    have = {(t.facet, t.value) for t in thread.tags}
    thread.tags += [ThreadTag(facet=f, value=v) for f, v in sorted(wanted - have)]
    order = list(FACETS)
    ordered = sorted(wanted, key=lambda p: (order.index(p[0]), p[1]))
    thread.tag_words = " ".join(f"{f}:{v}" for f, v in ordered) or None


def save_on_publish(draft: publishing.Draft, outcome: publishing.Outcome) -> None:
    """On publication (directly or after approval) store a new discussion's tags."""
    thread = outcome.thread
    if thread is None or thread.kind != "discussion" or draft.details is None:
        return
    if draft.post is not None and draft.post.number != 1:
        return
    save(thread, draft.details)


def filters_from(args: Mapping[str, str]) -> dict[str, str]:
    """facet → value from a board page's query (``pref``, ``domain``, ``field``); values that
    cannot be tags are dropped (a board page never errors on its filters)."""
    wanted = {facet: args.get(name, "") for facet, name in URL_NAMES.items()}
    return {facet: value for facet, value in wanted.items() if _VALUE.fullmatch(value or "")}


#: facet → its name in a URL (``filters_from`` reads them, ``url_args`` writes them)
URL_NAMES = {"prefecture": "pref", "domain": "domain", "field": "field"}


def url_args(filters: Mapping[str, str]) -> dict[str, str]:
    """The URL arguments of ``filters`` (for a pager's links)."""
    return {URL_NAMES[facet]: value for facet, value in filters.items()}


def tagged(filters: Mapping[str, str]) -> list:
    """SQL conditions on ``Thread``: it carries every tag in ``filters``."""
    return [
        exists().where(
            ThreadTag.thread_id == Thread.id, ThreadTag.facet == facet, ThreadTag.value == value
        )  # fmt: skip
        for facet, value in filters.items()
    ]


def labels_for(threads) -> dict[int, list[tuple[str, str]]]:
    """thread id → (facet, name) of its tags, for a page of threads: no statement when none is
    tagged, else one for the names."""
    wanted = {pair for thread in threads for pair in words(thread)}
    if not wanted:
        return {}
    by_facet = {f: [v for facet, v in wanted if facet == f] for f in FACETS}
    parts = [
        select(literal("prefecture"), Prefecture.code, Prefecture.name).where(
            Prefecture.code.in_(by_facet["prefecture"] or [""])
        ),
        select(literal("domain"), LifeDomain.slug, LifeDomain.name).where(
            LifeDomain.slug.in_(by_facet["domain"] or [""])
        ),
        select(literal("field"), PlayerField.slug, PlayerField.name).where(
            PlayerField.slug.in_(by_facet["field"] or [""])
        ),
    ]
    names = {(f, v): n for f, v, n in db.session.execute(union_all(*parts))}
    return {
        thread.id: [(f, names.get((f, v), v)) for f, v in words(thread)]
        for thread in threads
        if thread.tag_words
    }


def draft_rows(fields: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(label, names) of the tags of a discussion not published yet (a held question's
    「確認待ち」 page shows what its author sent)."""
    if not fields:
        return []
    choices, labels = _choices(), {"prefecture": _("都道府県"), "domain": _("生活支援の領域"),
                                   "field": _("分野")}  # fmt: skip
    rows = []
    for facet, (key, _most) in FACETS.items():
        values = _as_list(fields.get(key))
        if values:
            rows.append((labels[facet], "、".join(choices[facet].get(v, v) for v in values)))
    return rows


def options() -> dict[str, list[tuple[str, str]]]:
    """facet → (value, name) choices, for the board's filter and the new-thread form."""
    return {facet: list(names.items()) for facet, names in _choices().items()}


def register() -> None:
    publishing.add_on_publish(save_on_publish)
