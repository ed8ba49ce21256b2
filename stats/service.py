"""The one way to a statistic, for the page, the API and the workbooks: who may see it, and a
short per-process cache of the result.

The cache key holds everything the numbers depend on: the table, the scope, the language of its
labels, and what the viewer may read (site staff, or ``forum.audience.viewer_key``),
so two viewers share a result only when the audience rule gives them the same rows. Statistics
may be ``STATS_CACHE_SECONDS`` old (default 300; the page says when they were counted), and those
read from the summary rows as old as their last refresh (``stats.summary``): the time shown.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from auth.permissions import MODERATION_REVIEW, has
from core.tables import Table
from core.templating import current_locale
from core.types import utcnow
from forum import audience
from stats import summary
from stats.queries import BY_NAME, CATALOGUE, Stat
from stats.scope import Scope

_lock = threading.Lock()
MAX_ENTRIES = 500


@dataclass
class Result:
    stat: Stat
    table: Table
    counted_at: datetime


def is_staff(user) -> bool:
    return has(user, MODERATION_REVIEW)


def visible_stats(user) -> list[Stat]:
    staff = is_staff(user)
    return [s for s in CATALOGUE if staff or not s.staff_only]


def find(name: str, user) -> Stat | None:
    """The statistic, or None when there is none or the viewer may not see it (both: 404)."""
    stat = BY_NAME.get(name)
    if stat is None or (stat.staff_only and not is_staff(user)):
        return None
    return stat


def _viewer_key(user) -> tuple:
    """Staff see the staff tables; otherwise viewers share when they may read the same boards."""
    return (is_staff(user), audience.viewer_key(user))


def compute(stat: Stat, scope: Scope, user) -> Result:
    seconds = current_app.config["STATS_CACHE_SECONDS"]
    key = (stat.name, scope.key(), current_locale(), _viewer_key(user))
    cache = current_app.extensions.setdefault("kyoso_stats_cache", {})
    now = time.monotonic()
    if seconds > 0:
        hit = cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
    table = stat.build(scope)
    # a table read from the summary rows is as fresh as their last refresh (the page says when)
    kept = summary.usable() if stat.summarised else None
    result = Result(stat, table, kept.refreshed_at if kept is not None else utcnow())
    if seconds > 0:
        with _lock:
            if len(cache) >= MAX_ENTRIES:
                for old in [k for k, v in cache.items() if v[0] <= now] or list(cache)[:50]:
                    cache.pop(old, None)
            cache[key] = (now + seconds, result)
    return result
