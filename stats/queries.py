"""The statistics (issue #18): each function answers one question as a :class:`Table`.

What counts, everywhere: threads that are neither deleted nor hidden, in boards the viewer may
read (``forum.audience.readable_filter``: closed boards count only for those who may read
them); posts that are neither deleted nor hidden; members who confirmed their address and were
not erased. Held posts are not in ``posts`` until a moderator approves them, so they never
count. The period is a fiscal year (Tokyo time): items by the day they were registered, events
by the day they are held. Each table is one or two aggregate statements over indexed columns
(the monthly posts: one statement per month); months are counted with one bounded sum per month
(no database-specific date functions).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, distinct, func, or_, select

from auth.models import Role, User, user_player_fields
from auth.spaces import ACTIVE, SpaceMember
from core.extensions import db
from core.tables import DATE, FLOAT, INT, TEXT, Column, Table
from core.templating import reiwa_fiscal_year
from core.types import TOKYO, utcnow
from directory.models import Organization
from forum import audience
from forum.models import Board, Post, Thread
from moderation.models import ModerationItem
from notifications.models import EventRsvp
from stats import item_summary, moderation_summary, summary
from stats.item_summary import counts as kept
from stats.models import StatsFirstReply, StatsItemCount, StatsPostMonth, StatsPostYear
from stats.scope import Scope, fiscal_year_bounds, tokyo_midnight
from structured.models import ThreadDetail, thread_life_domains
from structured.models import thread_player_fields as detail_fields
from structured.schema import (
    ATTENDANCE_MODES,
    CHALLENGE_STATUSES,
    FUNDING_KINDS,
    NATIONAL_ONLINE,
    POPULATION_BANDS,
)
from taxonomy.models import LifeDomain, PlayerField, Prefecture, Region

QUESTION_BOARD = "komarigoto"  # 困りごと相談 (and each platform's copy, "<space>-komarigoto")


# --- what counts --------------------------------------------------------------------------------


def _visible_threads(scope: Scope, *, period_column=None) -> list:
    """Conditions on ``Thread`` (and the period on ``period_column``, default its creation)."""
    conditions = [
        Thread.is_deleted.is_(False),
        Thread.is_hidden.is_(False),
        audience.readable_filter(Thread.board_id, audience.viewer()),
    ]
    if scope.space_id is not None:
        conditions.append(Thread.board_id.in_(select(Board.id).where(Board.space_id == scope.space_id)))
    bounds = scope.bounds()
    if bounds is not None:
        column = Thread.created_at if period_column is None else period_column
        conditions += [column >= bounds[0], column < bounds[1]]
    return conditions


def _items(kind: str, scope: Scope, *, period_column=None) -> list:
    """Conditions for structured items of ``kind`` (``ThreadDetail`` joined to ``Thread``)."""
    conditions = [ThreadDetail.kind == kind, *_visible_threads(scope, period_column=period_column)]
    if scope.prefecture:
        conditions.append(ThreadDetail.prefecture_code == scope.prefecture)
    return conditions


def _detail_join(query):
    return query.select_from(ThreadDetail).join(Thread, Thread.id == ThreadDetail.thread_id)


def _members(scope: Scope) -> list:
    conditions = [User.erased_at.is_(None), User.email_confirmed_at.is_not(None)]
    if scope.prefecture:
        conditions.append(User.prefecture_code == scope.prefecture)
    if scope.space_id is not None:
        conditions.append(
            User.id.in_(select(SpaceMember.user_id).where(SpaceMember.space_id == scope.space_id,
                                                          SpaceMember.status == ACTIVE))
        )  # fmt: skip
    return conditions


# --- small helpers ------------------------------------------------------------------------------


def _regions() -> list[tuple[str, str]]:
    return list(db.session.execute(select(Region.code, Region.name).order_by(Region.position)))


def _prefectures() -> list:
    return list(
        db.session.execute(
            select(Prefecture.code, Prefecture.name, Prefecture.region_code).order_by(Prefecture.code)
        )
    )


def _domains() -> list:
    return list(db.session.execute(select(LifeDomain.id, LifeDomain.slug, LifeDomain.name)
                                   .order_by(LifeDomain.position)))  # fmt: skip


def _fields() -> list:
    return list(db.session.execute(select(PlayerField.id, PlayerField.slug, PlayerField.name)
                                   .order_by(PlayerField.position)))  # fmt: skip


@dataclass(frozen=True)
class Bucket:
    """A month of the fiscal year (or, for all time, a fiscal year): label and UTC bounds."""

    label: str
    start: datetime
    end: datetime


def buckets(scope: Scope) -> list[Bucket]:
    if scope.fiscal_year is not None:
        out = []
        for i in range(12):
            month = (4 + i - 1) % 12 + 1
            year = scope.fiscal_year + (1 if month < 4 else 0)
            nxt = date(year + (month == 12), month % 12 + 1, 1)
            out.append(Bucket(_("%(year)s年%(month)s月", year=year, month=month),
                              tokyo_midnight(date(year, month, 1)), tokyo_midnight(nxt)))  # fmt: skip
        return out
    from stats.scope import FIRST_FISCAL_YEAR, current_fiscal_year

    return [
        Bucket(reiwa_fiscal_year(y), *fiscal_year_bounds(y))
        for y in range(FIRST_FISCAL_YEAR, current_fiscal_year() + 1)
    ]


def _bucket_sums(column, periods: list[Bucket], *, distinct_of=None) -> list:
    """One aggregate per bucket: ``count`` of rows, or of distinct ``distinct_of``."""
    out = []
    for b in periods:
        inside = and_(column >= b.start, column < b.end)
        if distinct_of is None:
            out.append(func.coalesce(func.sum(case((inside, 1), else_=0)), 0))
        else:
            out.append(func.count(distinct(case((inside, distinct_of), else_=None))))
    return out


def _index(rows) -> dict:
    return {tuple(r[:-1]) if len(r) > 2 else r[0]: r[-1] for r in rows}


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


# --- 取組事例 ------------------------------------------------------------------------------------
# Each structured table reads the summary rows (stats/item_summary.py) when they are usable, and
# counts the items directly otherwise; both give the same numbers (tests/stats/test_summary.py).


def cases_by_domain_region(scope: Scope) -> Table:
    regions = _regions()
    if summary.usable() is not None:
        value, region = StatsItemCount.value, Prefecture.region_code
        by_cell = {(int(v), r): n for v, r, n, _g in kept("case", "domain", scope, value, region,
                                                          region=True)}  # fmt: skip
        per_region = {r: n for r, n, _g in kept("case", "all", scope, region, region=True)}
    else:
        by_cell = _index(db.session.execute(
            _detail_join(select(thread_life_domains.c.life_domain_id, Prefecture.region_code,
                                func.count(distinct(ThreadDetail.thread_id))))
            .join(thread_life_domains, thread_life_domains.c.thread_id == ThreadDetail.thread_id)
            .join(Prefecture, Prefecture.code == ThreadDetail.prefecture_code)
            .where(*_items("case", scope))
            .group_by(thread_life_domains.c.life_domain_id, Prefecture.region_code)
        ))  # fmt: skip
        per_region = _index(db.session.execute(
            _detail_join(select(Prefecture.region_code, func.count()))
            .join(Prefecture, Prefecture.code == ThreadDetail.prefecture_code)
            .where(*_items("case", scope)).group_by(Prefecture.region_code)
        ))  # fmt: skip
    columns = [Column("domain", _("生活支援の領域"), TEXT, 16)]
    columns += [Column(code, name, INT, 9) for code, name in regions]
    columns.append(Column("total", _("合計"), INT, 8))
    rows = []
    for domain_id, _slug, name in _domains():
        counts = [by_cell.get((domain_id, code), 0) for code, _ in regions]
        rows.append([name, *counts, sum(counts)])
    totals = [per_region.get(code, 0) for code, _ in regions]
    rows.append([_("事例数（重複なし）"), *totals, sum(totals)])
    return Table("cases-domain-region", _("取組事例：生活支援の領域×地方"), columns, rows,
                 _("1件の事例が複数の領域にあたるときは、それぞれの領域に数えます。"
                   "0の欄は、まだ事例がない組み合わせです。"))  # fmt: skip


def cases_by_field(scope: Scope) -> Table:
    if summary.usable() is not None:
        counts = {int(v): n for v, n, _g in kept("case", "field", scope, StatsItemCount.value)}
    else:
        counts = _index(db.session.execute(
            _detail_join(select(detail_fields.c.player_field_id,
                                func.count(distinct(ThreadDetail.thread_id))))
            .join(detail_fields, detail_fields.c.thread_id == ThreadDetail.thread_id)
            .where(*_items("case", scope)).group_by(detail_fields.c.player_field_id)
        ))  # fmt: skip
    rows = [[name, counts.get(fid, 0)] for fid, _slug, name in _fields()]
    return Table("cases-field", _("取組事例：担い手の分野別"),
                 [Column("field", _("担い手の分野"), TEXT, 24), Column("cases", _("事例数"), INT)],
                 rows, _("1件の事例に複数の分野が関わるときは、それぞれに数えます。"))  # fmt: skip


def cases_by_population(scope: Scope) -> Table:
    bands = [
        (key, label, and_(ThreadDetail.population >= low,
                          ThreadDetail.population < high) if high else ThreadDetail.population >= low)
        for key, (label, low, high) in POPULATION_BANDS.items()
    ]  # fmt: skip
    if summary.usable() is not None:
        found = {v: n for v, n, _g in kept("case", "band", scope, StatsItemCount.value)}
        row = [found.get(key, 0) for key in POPULATION_BANDS] + [found.get("none", 0)]
    else:
        sums = [func.coalesce(func.sum(case((cond, 1), else_=0)), 0) for _k, _l, cond in bands]
        sums.append(func.coalesce(func.sum(case((ThreadDetail.population.is_(None), 1),
                                                else_=0)), 0))  # fmt: skip
        row = db.session.execute(_detail_join(select(*sums)).where(*_items("case", scope))).one()
    rows = [[str(label), row[i]] for i, (_k, label, _c) in enumerate(bands)]
    rows.append([_("記入なし"), row[-1]])
    return Table("cases-population", _("取組事例：市区町村の人口規模別"),
                 [Column("band", _("人口規模"), TEXT, 16), Column("cases", _("事例数"), INT)], rows)  # fmt: skip


def cases_by_funding(scope: Scope) -> Table:
    if summary.usable() is not None:  # "" is a case without a funding kind
        counts = {v: n for v, n, _g in kept("case", "funding", scope, StatsItemCount.value)}
    else:
        counts = _index(db.session.execute(
            _detail_join(select(ThreadDetail.funding_kind, func.count()))
            .where(*_items("case", scope)).group_by(ThreadDetail.funding_kind)
        ))  # fmt: skip
    rows = [[str(label), counts.get(key, 0)] for key, label in FUNDING_KINDS.items()]
    rows.append([_("記入なし"), sum(v for k, v in counts.items() if k not in FUNDING_KINDS)])
    return Table("cases-funding", _("取組事例：財源別"),
                 [Column("funding", _("財源"), TEXT, 16), Column("cases", _("事例数"), INT)], rows)  # fmt: skip


# --- イベント -----------------------------------------------------------------------------------


def _rsvps():
    return (
        select(EventRsvp.thread_id, func.count().label("going"))
        .where(EventRsvp.status == "going")
        .group_by(EventRsvp.thread_id)
        .subquery()
    )


def _events_per_mode(scope: Scope, periods: list[Bucket]) -> dict:
    """Attendance mode → the events held in each period, then the members going in each."""
    if summary.usable() is not None:
        c = StatsItemCount
        if scope.fiscal_year is not None:
            key, where = c.month, ()
            keys = [summary.month_of(b.start) for b in periods]
        else:
            key, where = c.fiscal_year, (c.month != 0,)
            keys = [summary.fiscal_year_of_month(summary.month_of(b.start)) for b in periods]
        found: dict = defaultdict(dict)
        for mode, k, n, going in kept("event", "mode", scope, c.value, key, where_also=where):
            found[mode or None][k] = (n, going)
        return {mode: [cells.get(k, (0, 0))[0] for k in keys]
                + [cells.get(k, (0, 0))[1] for k in keys] for mode, cells in found.items()}  # fmt: skip
    rsvps = _rsvps()
    start = ThreadDetail.starts_at
    result = db.session.execute(
        _detail_join(select(
            ThreadDetail.attendance_mode,
            *_bucket_sums(start, periods),
            *[func.coalesce(func.sum(case((and_(start >= b.start, start < b.end), rsvps.c.going),
                                          else_=0)), 0) for b in periods],
        ))
        .outerjoin(rsvps, rsvps.c.thread_id == ThreadDetail.thread_id)
        .where(*_items("event", scope, period_column=start), start.is_not(None))
        .group_by(ThreadDetail.attendance_mode)
    ).all()  # fmt: skip
    return {r[0]: r[1:] for r in result}


def events_by_month(scope: Scope) -> Table:
    periods = buckets(scope)
    rows_out = []
    modes = list(ATTENDANCE_MODES)
    per_mode = _events_per_mode(scope, periods)
    n = len(periods)
    for i, b in enumerate(periods):
        counts = [int(per_mode.get(m, [0] * 2 * n)[i]) for m in modes]
        going = sum(int(r[n + i]) for r in per_mode.values())
        rows_out.append([b.label, *counts, sum(counts), going])
    columns = [Column("month", _("月") if scope.fiscal_year else _("年度"), TEXT, 12)]
    columns += [Column(m, str(label), INT) for m, label in ATTENDANCE_MODES.items()]
    columns += [Column("total", _("合計"), INT), Column("going", _("参加予定の人数"), INT, 14)]
    return Table("events-month", _("イベント：開催月別（会場・オンライン・ハイブリッド）"), columns,
                 rows_out, _("開催日で数えます。参加予定の人数は、サイトで「参加する」と答えた会員の数です。"))  # fmt: skip


def events_by_prefecture(scope: Scope) -> Table:
    if summary.usable() is not None:  # "": an online event of national scope
        result = {p or None: (n, going) for p, n, going in
                  kept("event", "all", scope, StatsItemCount.prefecture_code)}  # fmt: skip
    else:
        rsvps = _rsvps()
        result = {r[0]: r[1:] for r in db.session.execute(
            _detail_join(select(ThreadDetail.prefecture_code, func.count(),
                                func.coalesce(func.sum(rsvps.c.going), 0)))
            .outerjoin(rsvps, rsvps.c.thread_id == ThreadDetail.thread_id)
            .where(*_items("event", scope, period_column=ThreadDetail.starts_at))
            .group_by(ThreadDetail.prefecture_code)
        )}  # fmt: skip
    regions = dict(_regions())
    rows = [[regions.get(region, ""), name, int(result.get(code, (0, 0))[0]),
             int(result.get(code, (0, 0))[1])]
            for code, name, region in _prefectures() if not scope.prefecture or code == scope.prefecture]  # fmt: skip
    if not scope.prefecture:  # online events of national scope have no prefecture
        national = result.get(None, (0, 0))
        rows.append([_("全国"), str(NATIONAL_ONLINE), int(national[0]), int(national[1])])
    return Table("events-prefecture", _("イベント：都道府県別"),
                 [Column("region", _("地方"), TEXT, 10), Column("prefecture", _("都道府県"), TEXT, 10),
                  Column("events", _("イベント数"), INT), Column("going", _("参加予定の人数"), INT, 14)],
                 rows, _("開催日で数えます。"))  # fmt: skip


# --- 地域課題 -----------------------------------------------------------------------------------


def challenges_by_status(scope: Scope) -> Table:
    if summary.usable() is not None:
        counts = {v: n for v, n, _g in kept("challenge", "status", scope, StatsItemCount.value)}
    else:
        counts = _index(db.session.execute(
            _detail_join(select(ThreadDetail.status, func.count()))
            .where(*_items("challenge", scope)).group_by(ThreadDetail.status)
        ))  # fmt: skip
    rows = [[str(label), counts.get(key, 0)] for key, label in CHALLENGE_STATUSES.items()]
    return Table("challenges-status", _("地域課題：状況別"),
                 [Column("status", _("状況"), TEXT, 12), Column("challenges", _("件数"), INT)], rows)  # fmt: skip


def challenges_partnership(scope: Scope) -> Table:
    """Days from registration to the edit that first set 連携成立, from the details' history
    (``stats.item_summary.partnership_days``)."""
    if summary.usable() is not None:  # each measured value kept as text, with its multiplicity
        days = [float(v) for v, n, _g in kept("challenge", "days", scope, StatsItemCount.value)
                for _ in range(n)]  # fmt: skip
        partnered = {v: n for v, n, _g in kept("challenge", "status", scope, StatsItemCount.value)}
        partnered_now = partnered.get("partnered", 0)
    else:
        threads = {r.thread_id: r for r in db.session.execute(
            _detail_join(select(ThreadDetail.thread_id, ThreadDetail.status, Thread.created_at))
            .where(*_items("challenge", scope), ThreadDetail.status.in_(("partnered", "closed")))
        )}  # fmt: skip
        days = list(item_summary.partnership_days(threads).values())
        partnered_now = sum(1 for r in threads.values() if r.status == "partnered")
    rows = [
        [_("連携成立までの日数（中央値）"), _median(days)],
        [_("連携成立までの日数を測れた件数"), len(days)],
        [_("いま「連携成立」の件数"), partnered_now],
    ]
    return Table("challenges-partnership", _("地域課題：連携成立までの日数"),
                 [Column("measure", _("項目"), TEXT, 30), Column("value", _("値"), FLOAT)], rows,
                 _("登録から、状況が初めて「連携成立」に変わった編集までの日数です。"
                   "登録したときから「連携成立」だったものは数えません。"))  # fmt: skip


# --- 参加 ---------------------------------------------------------------------------------------


def _verified():
    return User.role_id.in_(select(Role.id).where(Role.badge != ""))


def members_by_field(scope: Scope) -> Table:
    members = _index(db.session.execute(
        select(user_player_fields.c.player_field_id, func.count())
        .join(User, User.id == user_player_fields.c.user_id)
        .where(*_members(scope)).group_by(user_player_fields.c.player_field_id)
    ))  # fmt: skip
    verified = _index(db.session.execute(
        select(user_player_fields.c.player_field_id, func.count())
        .join(User, User.id == user_player_fields.c.user_id)
        .where(*_members(scope), _verified()).group_by(user_player_fields.c.player_field_id)
    ))  # fmt: skip
    org_where = [Organization.is_listed.is_(True)]
    if scope.prefecture:
        org_where.append(Organization.prefecture_code == scope.prefecture)
    orgs = _index(db.session.execute(
        select(Organization.player_field_id, func.count()).where(*org_where)
        .group_by(Organization.player_field_id)
    ))  # fmt: skip
    rows = [[name, members.get(fid, 0), verified.get(fid, 0), orgs.get(fid, 0)]
            for fid, _slug, name in _fields()]  # fmt: skip
    return Table("members-field", _("参加：担い手の分野別の会員と団体"),
                 [Column("field", _("担い手の分野"), TEXT, 24), Column("members", _("会員数"), INT),
                  Column("verified", _("うち所属確認済み"), INT, 14),
                  Column("organizations", _("団体名簿の団体数"), INT, 14)], rows,
                 _("会員数は、プロフィールで分野を選んだ会員の数です（複数選べます）。"))  # fmt: skip


def members_by_prefecture(scope: Scope) -> Table:
    members = {r[0]: r[1:] for r in db.session.execute(
        select(User.prefecture_code, func.count(),
               func.coalesce(func.sum(case((_verified(), 1), else_=0)), 0))
        .where(*_members(scope)).group_by(User.prefecture_code)
    )}  # fmt: skip
    orgs = _index(db.session.execute(
        select(Organization.prefecture_code, func.count())
        .where(Organization.is_listed.is_(True)).group_by(Organization.prefecture_code)
    ))  # fmt: skip
    regions = dict(_regions())
    rows = []
    for code, name, region in _prefectures():
        if scope.prefecture and code != scope.prefecture:
            continue
        m, v = members.get(code, (0, 0))
        rows.append([regions.get(region, ""), name, int(m), int(v), orgs.get(code, 0)])
    return Table("members-prefecture", _("参加：都道府県別の会員と団体"),
                 [Column("region", _("地方"), TEXT, 10), Column("prefecture", _("都道府県"), TEXT, 10),
                  Column("members", _("会員数"), INT), Column("verified", _("うち所属確認済み"), INT, 14),
                  Column("organizations", _("団体名簿の団体数"), INT, 14)], rows,
                 _("会員の都道府県は、プロフィールに書かれたものです。"))  # fmt: skip


def activity_by_month(scope: Scope) -> Table:
    """Threads, replies and members who wrote, per month. The prefecture filter does not apply:
    a post has no prefecture (its platform does: use the platform filter)."""
    periods = buckets(scope)
    if summary.usable() is not None:
        rows = _activity_from_summary(scope, periods)
    else:
        rows = _activity_counted(scope, periods)
    return Table("activity-month", _("参加：月別の投稿と、投稿した会員"),
                 [Column("month", _("月") if scope.fiscal_year else _("年度"), TEXT, 12),
                  Column("threads", _("新しいスレッド"), INT, 14), Column("replies", _("返信"), INT),
                  Column("active", _("投稿した会員"), INT, 12)], rows,
                 _("削除・非表示の投稿は数えません。都道府県の絞り込みはこの表にはかかりません。"))  # fmt: skip


def _activity_counted(scope: Scope, periods: list[Bucket]) -> list[list]:
    unscoped = Scope(fiscal_year=scope.fiscal_year, space=scope.space, space_id=scope.space_id)
    post_where = [Post.deleted_at.is_(None), Post.hidden_at.is_(None),
                  *_visible_threads(unscoped, period_column=Post.created_at)]  # fmt: skip
    # One statement per month: each reads one range of ix_posts_created (which covers the post's
    # columns used here). Twelve CASE sums and twelve DISTINCTs over the whole year in one
    # statement cost ten times as much at a million posts (bench/README.md, issue #18).
    counted = select(func.coalesce(func.sum(case((Post.number == 1, 1), else_=0)), 0),
                     func.count(), func.count(distinct(Post.author_id)))  # fmt: skip
    rows = []
    for b in periods:
        threads, posts, active = db.session.execute(
            counted.select_from(Post).join(Thread, Thread.id == Post.thread_id)
            .where(*post_where, Post.created_at >= b.start, Post.created_at < b.end)
        ).one()  # fmt: skip
        rows.append([b.label, int(threads), int(posts) - int(threads), int(active)])
    return rows


def _readable_closed_boards(scope: Scope):
    """The closed boards (of the platform, if one is chosen) this viewer may read; None when
    they may read every board of the site (``stats.summary.EVERY``)."""
    readable = audience.readable_filter(Board.id, audience.viewer())
    if readable is True and scope.space_id is None:
        return None
    query = select(Board.id).where(Board.audience != "public")
    if readable is not True:
        query = query.where(readable)
    if scope.space_id is not None:
        query = query.where(Board.space_id == scope.space_id)
    return query


def _activity_from_summary(scope: Scope, periods: list[Bucket]) -> list[list]:
    """The same figures from ``stats_post_months`` (stats/summary.py): one statement."""
    # a fiscal year: its months' rows; all time: the rows summed per fiscal year
    s = StatsPostMonth if scope.fiscal_year is not None else StatsPostYear
    key = s.month if scope.fiscal_year is not None else s.fiscal_year
    where = [summary.level_filter(scope.space_id, _readable_closed_boards(scope), s)]
    if scope.fiscal_year is not None:
        where.append(s.fiscal_year == scope.fiscal_year)
        keys = [summary.month_of(b.start) for b in periods]
    else:
        keys = [summary.fiscal_year_of_month(summary.month_of(b.start)) for b in periods]
        where.append(key.between(keys[0], keys[-1]))
    found = {r[0]: r[1:] for r in db.session.execute(
        select(key, func.sum(s.threads), func.sum(s.posts), func.count(distinct(s.author_id)))
        .where(*where).group_by(key)
    )}  # fmt: skip
    rows = []
    for b, k in zip(periods, keys, strict=True):
        threads, posts, active = found.get(k, (0, 0, 0))
        rows.append([b.label, int(threads or 0), int(posts or 0) - int(threads or 0), int(active)])
    return rows


def question_response(scope: Scope) -> Table:
    """困りごと相談: how soon a question gets its first reply from someone else."""
    periods = buckets(scope)
    unscoped = Scope(fiscal_year=scope.fiscal_year, space=scope.space, space_id=scope.space_id)
    first_reply = (
        select(func.min(Post.created_at))
        .where(Post.thread_id == Thread.id, Post.number > 1, Post.deleted_at.is_(None),
               Post.hidden_at.is_(None), Post.author_id != Thread.author_id)
        .correlate(Thread).scalar_subquery()
    )  # fmt: skip
    boards = select(Board.id).where(
        or_(Board.slug == QUESTION_BOARD, Board.slug.like(f"%-{QUESTION_BOARD}"))
    )
    if summary.usable() is not None:  # each thread's month and wait, kept (stats/summary.py)
        hours_of = _waits_from_summary(scope, periods, boards)
    else:
        per: dict[int, list] = defaultdict(list)
        for created, replied in db.session.execute(
            select(Thread.created_at, first_reply)
            .where(*_visible_threads(unscoped), Thread.board_id.in_(boards))
        ):  # fmt: skip
            for i, b in enumerate(periods):
                if b.start <= created < b.end:
                    per[i].append(None if replied is None
                                  else (_as_utc(replied) - created).total_seconds() / 3600)
                    break
        hours_of = per
    rows = []
    for i, b in enumerate(periods):
        waits = hours_of.get(i, [])
        hours = [h for h in waits if h is not None]
        rows.append([b.label, len(waits), len(hours), _median(hours)])
    return Table("questions-response", _("困りごと相談：最初の返信までの時間"),
                 [Column("month", _("月") if scope.fiscal_year else _("年度"), TEXT, 12),
                  Column("questions", _("相談"), INT), Column("answered", _("返信あり"), INT),
                  Column("median_hours", _("最初の返信までの時間（中央値・時間）"), FLOAT, 22)], rows,
                 _("相談した本人以外の、最初の返信までです。"))  # fmt: skip


def _waits_from_summary(scope: Scope, periods: list[Bucket], boards) -> dict[int, list]:
    """Period index → each question's hours to its first reply (None: none yet), from
    ``stats_first_replies``' months and waits: integers, one statement."""
    f = StatsFirstReply
    where = [f.board_id.in_(boards), audience.readable_filter(f.board_id, audience.viewer())]
    if scope.space_id is not None:
        where.append(f.board_id.in_(select(Board.id).where(Board.space_id == scope.space_id)))
    if scope.fiscal_year is not None:
        key, where = f.month, [*where, f.fiscal_year == scope.fiscal_year]
        keys = [summary.month_of(b.start) for b in periods]
    else:
        keys = [summary.fiscal_year_of_month(summary.month_of(b.start)) for b in periods]
        key, where = f.fiscal_year, [*where, f.fiscal_year.between(keys[0], keys[-1])]
    position = {k: i for i, k in enumerate(keys)}
    per: dict[int, list] = defaultdict(list)
    # through Core: the ORM would build each of these thousands of rows three times slower
    for k, wait in db.session.connection().execute(select(key, f.wait_us).where(*where)).all():
        per[position[k]].append(None if wait is None else wait / 10**6 / 3600)
    return per


def _as_utc(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- モデレーション（運営のみ） -----------------------------------------------------------------


def moderation_weekly(scope: Scope) -> Table:
    """Items per week and the median time to a decision, from the review queue."""
    where = []
    bounds = scope.bounds()
    if bounds is None:
        bounds = (utcnow() - timedelta(weeks=52), utcnow())
    where += [ModerationItem.created_at >= bounds[0], ModerationItem.created_at < bounds[1]]
    if scope.space_id is not None:
        where.append(or_(
            ModerationItem.space_id == scope.space_id,
            ModerationItem.board_id.in_(select(Board.id).where(Board.space_id == scope.space_id)),
        ))  # fmt: skip
    if summary.usable() is not None:  # the items' weeks and waits (stats/moderation_summary.py)
        weeks = moderation_summary.weekly(bounds, scope.space_id)
    else:
        weeks = defaultdict(list)
        for created, decided in db.session.execute(
            select(ModerationItem.created_at, ModerationItem.decided_at).where(*where)
        ):
            day = _as_utc(created).astimezone(TOKYO).date()
            weeks[day - timedelta(days=day.weekday())].append(
                decided and (_as_utc(decided) - _as_utc(created)).total_seconds() / 3600
            )
    rows = []
    for monday in sorted(weeks):
        items = weeks[monday]
        hours = [h for h in items if h is not None]
        rows.append([monday, len(items), len(hours), _median(hours)])

    return Table("moderation-weekly", _("モデレーション：週ごとの件数と判断までの時間"),
                 [Column("week", _("週（月曜日）"), DATE, 12), Column("items", _("件数"), INT),
                  Column("decided", _("対応済み"), INT),
                  Column("median_hours", _("判断までの時間（中央値・時間）"), FLOAT, 22)], rows,
                 _("確認キューに入った週で数えます（全期間を選んだときは直近52週）。"))  # fmt: skip


# --- the catalogue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stat:
    name: str
    title: object  # lazy string
    build: Callable[[Scope], Table]
    section: str  # cases | events | challenges | participation | moderation
    chart: str  # heat | bars | columns | stacked | none
    staff_only: bool = False
    series: tuple[int, ...] = ()  # the plotted columns (default: the first number)
    summarised: bool = False  # read from the summary rows when they are usable (stats/summary.py)


CATALOGUE = [
    Stat("cases-domain-region", _l("取組事例：生活支援の領域×地方"), cases_by_domain_region, "cases", "heat", summarised=True),
    Stat("cases-field", _l("取組事例：担い手の分野別"), cases_by_field, "cases", "bars", summarised=True),
    Stat("cases-population", _l("取組事例：市区町村の人口規模別"), cases_by_population, "cases", "bars", summarised=True),
    Stat("cases-funding", _l("取組事例：財源別"), cases_by_funding, "cases", "bars", summarised=True),
    Stat("events-month", _l("イベント：開催月別"), events_by_month, "events", "stacked",
         series=(1, 2, 3), summarised=True),
    Stat("events-prefecture", _l("イベント：都道府県別"), events_by_prefecture, "events", "bars", summarised=True),
    Stat("challenges-status", _l("地域課題：状況別"), challenges_by_status, "challenges", "bars", summarised=True),
    Stat("challenges-partnership", _l("地域課題：連携成立までの日数"), challenges_partnership,
         "challenges", "none", summarised=True),
    Stat("members-field", _l("参加：担い手の分野別の会員と団体"), members_by_field, "participation", "bars"),
    Stat("members-prefecture", _l("参加：都道府県別の会員と団体"), members_by_prefecture,
         "participation", "bars"),
    Stat("activity-month", _l("参加：月別の投稿と、投稿した会員"), activity_by_month, "participation",
         "stacked", series=(1, 2), summarised=True),
    Stat("questions-response", _l("困りごと相談：最初の返信までの時間"), question_response,
         "participation", "columns", series=(3,), summarised=True),
    Stat("moderation-weekly", _l("モデレーション：週ごとの件数と判断までの時間"), moderation_weekly,
         "moderation", "columns", staff_only=True, summarised=True),
]  # fmt: skip
BY_NAME = {s.name: s for s in CATALOGUE}
SECTIONS = {
    "cases": _l("取組事例"),
    "events": _l("イベント"),
    "challenges": _l("地域課題"),
    "participation": _l("参加の状況"),
    "moderation": _l("モデレーション（運営者のみ）"),
}

