"""The review queue as モデレーション：週ごと reads it (issue #18 item 4): each item's Tokyo week and
time to a decision, kept in ``stats_moderation_items`` by the summary's worker fold
(:func:`stats.summary.refresh`), so the table reads integers instead of parsing and subtracting
two timestamps per item.

**What it follows.** Only a pending item changes (a decision sets ``decided_at``, a moved thread
refiles its board); a decided one never does. Each fold therefore reads the items newer than the
newest kept, and again those kept as pending that have since been decided or refiled (found by
one join; the others are left as they are). Items that appear below that id (a transaction
that committed late) or disappear (a platform deleted with its join requests) show as a
difference of counts, and are then found both ways by id.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import delete, func, insert, or_, select

from core.extensions import db
from core.types import TOKYO
from forum.models import Board
from moderation.models import ModerationItem
from stats.models import StatsModerationItem
from stats.scope import aware, microseconds

CHUNK = 500


def _week(moment) -> int:
    day = moment.astimezone(TOKYO).date()
    monday = day - timedelta(days=day.weekday())
    return monday.year * 10_000 + monday.month * 100 + monday.day


def _store(items) -> int:
    rows = []
    for item_id, created, decided, space_id, board_id in items:
        created = aware(created)
        rows.append({"item_id": item_id, "created_at": created, "week": _week(created),
                     "space_id": space_id, "board_id": board_id,
                     "wait_us": None if decided is None else microseconds(aware(decided) - created)})  # fmt: skip
    if rows:
        db.session.execute(insert(StatsModerationItem), rows)
    return len(rows)


def _columns():
    m = ModerationItem
    return select(m.id, m.created_at, m.decided_at, m.space_id, m.board_id)


def _replace(ids: list[int]) -> int:
    n = 0
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        db.session.execute(
            delete(StatsModerationItem).where(StatsModerationItem.item_id.in_(chunk))
        )
        n += _store(db.session.execute(_columns().where(ModerationItem.id.in_(chunk))))
    return n


def rebuild() -> int:
    """Every item again (a full build)."""
    db.session.execute(delete(StatsModerationItem))
    return _store(db.session.execute(_columns()))


def _fingerprint(model, created, decided) -> tuple:
    return tuple(db.session.execute(
        select(func.count(), func.count(decided), func.max(created)).select_from(model)
    ).one())  # fmt: skip


def fold() -> int:
    """Bring the rows up to the queue; returns how many items were read again."""
    s, m = StatsModerationItem, ModerationItem
    top = db.session.scalar(select(func.max(s.item_id))) or 0
    # the items kept as pending that have changed since: decided, refiled to another board or
    # platform, or an id used again (one statement; those that have not are left alone)
    changed = list(db.session.scalars(
        select(m.id).join(s, s.item_id == m.id).where(
            s.wait_us.is_(None),
            or_(m.decided_at.is_not(None), m.board_id.is_distinct_from(s.board_id),
                m.space_id.is_distinct_from(s.space_id), m.created_at != s.created_at),
        )
    ))  # fmt: skip
    n = _replace(changed)
    n += _store(db.session.execute(_columns().where(m.id > top)))
    # an item committed below the newest kept id, or one deleted (or its id used again): rare,
    # and then every item is read again
    kept = _fingerprint(s, s.created_at, s.wait_us)
    if kept != _fingerprint(m, m.created_at, m.decided_at):
        n = rebuild()
    return n


def weekly(bounds, space_id: int | None) -> dict[date, list]:
    """Week (its Monday) → each item's hours to a decision (None: pending), for the items
    registered within ``bounds``, of the platform ``space_id`` if one is given."""
    s = StatsModerationItem
    where = [s.created_at >= bounds[0], s.created_at < bounds[1]]
    if space_id is not None:
        where.append(or_(s.space_id == space_id,
                         s.board_id.in_(select(Board.id).where(Board.space_id == space_id))))  # fmt: skip
    by_week: dict[int, list] = defaultdict(list)
    # through Core: the ORM would build each of these thousands of rows three times slower
    for week, wait in (
        db.session.connection().execute(select(s.week, s.wait_us).where(*where)).all()
    ):
        by_week[week].append(None if wait is None else wait / 10**6 / 3600)
    return {date(w // 10_000, w // 100 % 100, w % 100): v for w, v in by_week.items()}
