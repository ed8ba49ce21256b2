"""Summary rows for the heaviest statistics (issue #18 item 4): 参加：月別の投稿 and
困りごと相談：最初の返信までの時間 read a few thousand summary rows instead of every post; all time
reads the month rows summed per fiscal year, and モデレーション the review queue's items with their
week and wait (``stats.moderation_summary``, folded in by the same step).

**What feeds it.** Every change to a post's or thread's counted columns (created, deleted,
hidden, moved to another thread or board, renumbered by a split, author erased) already leaves a
row in the search outbox, in the same transaction (``search.outbox.WATCHED``). :func:`refresh`
reads the rows after its mark, and rebuilds what they touch: each Tokyo month of a changed post
(and every month of a changed thread's posts) from the posts themselves, and each touched
thread's first reply. So nothing is added to a write, and the result equals the direct count.

**Audience.** Month rows of closed boards are kept per board; a reader adds only the closed boards
the audience rule lets the viewer read (``forum.audience.readable_filter``, as the direct query
does). Which boards are closed, and on which platform each board is, is fingerprinted at build
time: a board that changes its audience or platform makes the summary unusable (the statistics
are counted directly) until it is rebuilt, which the worker does at once.

**Freshness.** The background worker (``STATS_SUMMARY_POLL_SECONDS``) or ``flask stats refresh``
folds changes in; the page says 「集計時点」 with the time of the last fold. Before the first
build, or with ``STATS_SUMMARY = False``, the statistics are counted directly.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import and_, case, delete, func, insert, or_, select

from core.background import BackgroundLoop
from core.extensions import db
from core.types import utcnow
from forum.models import Board, Post, Thread
from search import outbox
from search.models import POST, THREAD
from stats import moderation_summary
from stats.item_summary import KINDS, rebuild_kind
from stats.models import StatsFirstReply, StatsPostMonth, StatsPostYear, StatsSummaryState
from stats.scope import (
    aware,
    fiscal_year_of_month,
    microseconds,
    month_bounds,
    month_of,
    months_between,
)
from structured.models import ThreadDetail

STATE_ID = 1
EVERY = -1  # the level of every board of the site (``board_id``), public and closed: for staff
BATCH = 5000  # outbox rows per step
GAP_SECONDS = 600  # how long a missing outbox id is waited for (a transaction still running)
MONTHS_PER_STEP = 3  # a building worker step stays short


# --- the boards it was built for ---------------------------------------------------------------


def _boards() -> dict[int, tuple[int, bool]]:
    """Board id → (platform, closed)."""
    rows = db.session.execute(select(Board.id, Board.space_id, Board.audience).order_by(Board.id))
    return {r.id: (r.space_id, r.audience != "public") for r in rows}


def _fingerprint(boards: dict[int, tuple[int, bool]]) -> str:
    text = ";".join(f"{b}:{s}:{int(c)}" for b, (s, c) in sorted(boards.items()))
    return hashlib.sha256(text.encode()).hexdigest()


# --- building -----------------------------------------------------------------------------------


def rebuild_month(month: int, boards: dict[int, tuple[int, bool]]) -> int:
    """Replace one month's rows from the posts; returns the number of rows written."""
    lo, hi = month_bounds(month)
    counted = db.session.execute(
        select(Thread.board_id, Post.author_id,
               func.coalesce(func.sum(case((Post.number == 1, 1), else_=0)), 0), func.count())
        .select_from(Post).join(Thread, Thread.id == Post.thread_id)
        .where(Post.created_at >= lo, Post.created_at < hi, Post.deleted_at.is_(None),
               Post.hidden_at.is_(None), Thread.is_deleted.is_(False), Thread.is_hidden.is_(False))
        .group_by(Thread.board_id, Post.author_id)
    )  # fmt: skip
    sums: dict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0, 0])
    for board_id, author_id, threads, posts in counted:
        space_id, closed = boards[board_id]
        levels = [(space_id, board_id)] if closed else [(0, 0), (space_id, 0)]
        levels.append((0, EVERY))  # for who reads every board of the site
        for space, board in levels:
            cell = sums[(space, board, author_id)]
            cell[0] += int(threads)
            cell[1] += int(posts)
    db.session.execute(delete(StatsPostMonth).where(StatsPostMonth.month == month))
    fiscal_year = fiscal_year_of_month(month)
    rows = [{"month": month, "space_id": s, "board_id": b, "author_id": a,
             "fiscal_year": fiscal_year, "threads": t, "posts": p}
            for (s, b, a), (t, p) in sums.items()]  # fmt: skip
    if rows:
        db.session.execute(insert(StatsPostMonth), rows)
    return len(rows)


def _first_reply_columns():
    """The thread's first reply from someone else, as ``stats.queries.question_response`` says:
    its time, and (to notice when it moves away) its id."""
    where = (Post.thread_id == Thread.id, Post.number > 1, Post.deleted_at.is_(None),
             Post.hidden_at.is_(None), Post.author_id != Thread.author_id)  # fmt: skip
    first_at = select(func.min(Post.created_at)).where(*where).correlate(Thread).scalar_subquery()
    first_id = (select(Post.id).where(*where).order_by(Post.created_at, Post.id).limit(1)
                .correlate(Thread).scalar_subquery())  # fmt: skip
    return first_at, first_id


def rebuild_threads(ids: list[int] | None) -> None:
    """Replace the first-reply rows of the threads ``ids`` (None: of every thread), with each
    thread's Tokyo month and its wait in microseconds (what the medians read)."""
    gone = delete(StatsFirstReply)
    if ids is not None:
        gone = gone.where(StatsFirstReply.thread_id.in_(ids))
    db.session.execute(gone)
    first_at, first_id = _first_reply_columns()
    query = select(Thread.id, Thread.board_id, Thread.created_at, first_at, first_id).where(
        Thread.is_deleted.is_(False), Thread.is_hidden.is_(False)
    )
    if ids is not None:
        query = query.where(Thread.id.in_(ids))
    rows = []
    for thread_id, board_id, created, replied, reply_id in db.session.execute(query):
        month = month_of(created)
        rows.append({"thread_id": thread_id, "board_id": board_id, "created_at": created,
                     "first_reply_at": replied, "first_reply_post_id": reply_id, "month": month,
                     "fiscal_year": fiscal_year_of_month(month),
                     "wait_us": None if replied is None else microseconds(aware(replied) - aware(created))})  # fmt: skip
        if len(rows) >= BATCH:
            db.session.execute(insert(StatsFirstReply), rows)
            rows = []
    if rows:
        db.session.execute(insert(StatsFirstReply), rows)


def rebuild_years(years: Iterable[int]) -> None:
    """Replace the fiscal years' rows of ``stats_post_years`` from their month rows."""
    m = StatsPostMonth
    for year in sorted(set(years)):
        db.session.execute(delete(StatsPostYear).where(StatsPostYear.fiscal_year == year))
        db.session.execute(insert(StatsPostYear).from_select(
            ["fiscal_year", "space_id", "board_id", "author_id", "threads", "posts"],
            select(m.fiscal_year, m.space_id, m.board_id, m.author_id, func.sum(m.threads),
                   func.sum(m.posts))
            .where(m.fiscal_year == year).group_by(m.fiscal_year, m.space_id, m.board_id, m.author_id)
        ))  # fmt: skip


def _state(*, lock: bool = False) -> StatsSummaryState:
    query = select(StatsSummaryState).where(StatsSummaryState.id == STATE_ID)
    state = db.session.scalar(query.with_for_update() if lock else query)
    if state is None:
        state = StatsSummaryState(id=STATE_ID, outbox_mark=0, gaps=[], boards="", built=False,
                                  building_mark=0)  # fmt: skip
        db.session.add(state)
        db.session.flush()
    return state


@dataclass
class Progress:
    months: int = 0  # months rebuilt
    threads: int = 0  # threads whose first reply was looked at again
    kinds: int = 0  # kinds of structured item counted again
    moderation: int = 0  # review queue items read again
    rows: int = 0  # outbox rows read
    building: bool = False
    months_left: int = 0
    more: bool = False  # call again at once


def start_build() -> None:
    """Throw the summary away and start a full build (the statistics are counted directly until
    it ends)."""
    state = _state(lock=True)
    state.building_mark = outbox.high_water()
    first = db.session.scalar(select(func.min(Post.created_at)))
    state.building_from = month_of(first) if first is not None else month_of(utcnow())
    state.built = False
    state.boards = _fingerprint(_boards())
    db.session.execute(delete(StatsPostMonth))
    db.session.execute(delete(StatsPostYear))
    rebuild_threads(None)
    moderation_summary.rebuild()
    for kind in KINDS:
        rebuild_kind(kind)
    db.session.commit()


def _build_months(state: StatsSummaryState, limit: int) -> Progress:
    boards = _boards()
    last = month_of(db.session.scalar(select(func.max(Post.created_at))) or utcnow())
    todo = months_between(state.building_from, last)
    for month in todo[:limit]:
        rebuild_month(month, boards)
    rebuild_years(fiscal_year_of_month(m) for m in todo[:limit])
    progress = Progress(months=min(limit, len(todo)), building=True)
    if len(todo) > limit:
        state.building_from = todo[limit]
        progress.months_left, progress.more = len(todo) - limit, True
    else:  # built: the changes since the build began are folded in by the next steps
        state.building_from, state.built = None, True
        state.outbox_mark, state.gaps = state.building_mark, []
        state.refreshed_at = utcnow()
        progress.more = True
    db.session.commit()
    return progress


def refresh(*, months_per_step: int = MONTHS_PER_STEP, batch: int = BATCH) -> Progress:
    """One step: build (part of) the summary, or fold in the changes the outbox names."""
    state = _state(lock=True)
    if state.building_from is not None:
        return _build_months(state, months_per_step)
    if not state.built or state.boards != _fingerprint(_boards()) or _outdated(state.refreshed_at):
        db.session.rollback()
        start_build()
        return Progress(building=True, more=True)
    started = utcnow()
    gaps = {int(i): at for i, at in (state.gaps or [])}
    rows = outbox.read_batch(after=state.outbox_mark, gaps=list(gaps), limit=batch)
    posts = {r.target_id for r in rows if r.kind == POST}
    threads = {r.target_id for r in rows if r.kind == THREAD}
    months: set[int] = set()
    reply_threads: set[int] = set(threads)
    for chunk in _chunks(sorted(posts)):
        for thread_id, created_at in db.session.execute(
            select(Post.thread_id, Post.created_at).where(Post.id.in_(chunk))
        ):
            months.add(month_of(created_at))
            reply_threads.add(thread_id)
        # a reply moved away (a split) was some thread's first reply: that thread is looked at too
        reply_threads.update(db.session.scalars(
            select(StatsFirstReply.thread_id).where(StatsFirstReply.first_reply_post_id.in_(chunk))
        ))  # fmt: skip
    for chunk in _chunks(sorted(threads)):
        for first, last in db.session.execute(
            select(func.min(Post.created_at), func.max(Post.created_at))
            .where(Post.thread_id.in_(chunk)).group_by(Post.thread_id)
        ):  # fmt: skip
            months.update(months_between(month_of(first), month_of(last)))
    # a structured item whose thread, details or RSVPs changed: its kind is counted again
    kinds: set[str] = set()
    for chunk in _chunks(sorted(threads)):
        kinds.update(db.session.scalars(
            select(ThreadDetail.kind).where(ThreadDetail.thread_id.in_(chunk)).distinct()
        ))  # fmt: skip
    boards = _boards()
    for month in sorted(months):
        rebuild_month(month, boards)
    rebuild_years(fiscal_year_of_month(m) for m in months)
    for kind in sorted(kinds & set(KINDS)):
        rebuild_kind(kind)
    for chunk in _chunks(sorted(reply_threads)):
        rebuild_threads(chunk)
    queue = moderation_summary.fold()
    # the mark moves past what was read; ids skipped below it are waited for a while
    seen = {r.id for r in rows}
    top = max(seen, default=state.outbox_mark)
    now = started.timestamp()
    if top - state.outbox_mark <= 4 * batch:  # ids far apart: a pruned stretch, not a gap
        for missing in range(state.outbox_mark + 1, top + 1):
            if missing not in seen:
                gaps.setdefault(missing, now)
    state.gaps = [[i, at] for i, at in sorted(gaps.items())
                  if i not in seen and now - at < GAP_SECONDS][:1000]  # fmt: skip
    state.outbox_mark = top
    more = len(rows) >= batch
    state.refreshed_at = rows[-1].created_at if more else started
    db.session.commit()
    return Progress(
        months=len(months),
        threads=len(reply_threads),
        kinds=len(kinds & set(KINDS)),
        moderation=queue,
        rows=len(rows),
        more=more,
    )


def months_to_build() -> int:
    """Months a build still has to do (a build not yet begun: all of them)."""
    state = db.session.scalar(select(StatsSummaryState).where(StatsSummaryState.id == STATE_ID))
    built = state is not None and state.built and state.building_from is None
    if built and state.boards == _fingerprint(_boards()):
        return 0
    first, last = db.session.execute(
        select(func.min(Post.created_at), func.max(Post.created_at))
    ).one()
    if first is None:
        return 0
    if state is not None and state.building_from is not None:
        return len(months_between(state.building_from, month_of(last)))
    return len(months_between(month_of(first), month_of(last)))


def background_worker(app: Flask, *, poll_seconds: float) -> BackgroundLoop:
    """The in-process refresher: a build a few months per step, then the changes every
    ``poll_seconds``."""

    def step() -> float | None:
        return 0 if refresh().more else None

    return BackgroundLoop("kyoso-stats", step, poll_seconds=poll_seconds, app=app)


def _outdated(refreshed_at: datetime | None) -> bool:
    """Older than the search outbox keeps its rows (the indexer prunes what it has applied after
    ``SEARCH_OUTBOX_KEEP_DAYS``), less a day: changes may be gone, so only a build is exact."""
    if refreshed_at is None:
        return True
    keep = timedelta(days=current_app.config["SEARCH_OUTBOX_KEEP_DAYS"] - 1)
    at = refreshed_at if refreshed_at.tzinfo else refreshed_at.replace(tzinfo=UTC)
    return at < utcnow() - keep


def refresh_all(*, on_progress: Callable[[Progress], None] | None = None) -> None:
    """Steps until nothing is left (the CLI; tests)."""
    while True:
        progress = refresh(months_per_step=6)
        if on_progress is not None:
            on_progress(progress)
        if not progress.more:
            return


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Usable:
    refreshed_at: datetime


def usable() -> Usable | None:
    """The summary's time when the statistics may read it (built, for today's boards), else None.
    Two statements, once per request."""
    if has_request_context() and "kyoso_stats_summary" in g:
        return g.kyoso_stats_summary
    found = None
    if current_app.config["STATS_SUMMARY"]:
        row = db.session.execute(
            select(StatsSummaryState.built, StatsSummaryState.building_from,
                   StatsSummaryState.boards, StatsSummaryState.refreshed_at)
            .where(StatsSummaryState.id == STATE_ID)
        ).first()  # fmt: skip
        ready = row is not None and row.built and row.building_from is None and row.refreshed_at
        if ready and not _outdated(row.refreshed_at) and row.boards == _fingerprint(_boards()):
            at = row.refreshed_at
            found = Usable(at if at.tzinfo else at.replace(tzinfo=UTC))
    if has_request_context():
        g.kyoso_stats_summary = found
    return found


def level_filter(space_id: int | None, readable_closed, rows=StatsPostMonth):
    """Rows a viewer counts (of ``rows``: the month rows, or the fiscal years'): the public
    boards' level (the site's, or the platform's), and the closed boards in ``readable_closed``
    (a select of board ids); None: the viewer reads every board of the site (the level of them
    all; ``space_id`` is then None)."""
    if readable_closed is None:
        return and_(rows.space_id == 0, rows.board_id == EVERY)
    public = and_(rows.space_id == (space_id or 0), rows.board_id == 0)
    return or_(public, and_(rows.board_id > 0, rows.board_id.in_(readable_closed)))


def status() -> dict:
    """For ``flask stats status``: the state and how many outbox rows wait."""
    state = db.session.scalar(select(StatsSummaryState).where(StatsSummaryState.id == STATE_ID))
    if state is None:
        return {"built": False, "building_from": None, "pending": None, "refreshed_at": None}
    return {
        "built": state.built,
        "building_from": state.building_from,
        "pending": outbox.count_after(state.outbox_mark),
        "refreshed_at": state.refreshed_at.isoformat() if state.refreshed_at else None,
        "gaps": len(state.gaps or []),
    }


def staleness(now: datetime | None = None) -> timedelta | None:
    found = usable()
    return None if found is None else (now or utcnow()) - found.refreshed_at
