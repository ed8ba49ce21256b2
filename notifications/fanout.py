"""Fan-out: who hears about an event, and writing their notifications in bulk.

Runs in the worker, never in the posting request. Every recipient passes the same filters:
not the actor, an active (not suspended) account, not muting the actor, not muting the thread
(or, without a thread-level choice, its board or tag), and allowed to see the post
(``auth.permissions.can``). Writes are idempotent: see :func:`deliver`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import BigInteger, and_, case, insert, literal, or_, select, update

from auth.models import BoardModerator, Role, RolePermission, User
from auth.permissions import can
from auth.spaces import SpaceMember
from core.extensions import db
from core.types import utcnow
from forum.mentions import mentioned_handles
from forum.models import Post, Thread
from notifications import kinds
from notifications.kinds import COLLAPSING, DAILY, IMMEDIATE, WEEKLY
from notifications.models import (
    EMAIL_DIGEST,
    EMAIL_NONE,
    EMAIL_PENDING,
    MUTED,
    NORMAL,
    TRACKING,
    WATCHING,
    WATCHING_FIRST_POST,
    Notification,
    NotificationSettings,
    NotificationSource,
    UserMute,
    Watch,
)
from notifications.watching import email_mode
from structured.models import ThreadDetail, thread_life_domains, thread_player_fields

CHUNK = 250
#: set by the worker while it runs a job: called between chunks of a large fan-out (it commits,
#: so SQLite's write lock is never held for long; safe because :func:`deliver` is idempotent)
between_chunks: ContextVar[Callable[[], None] | None] = ContextVar("between_chunks", default=None)
QUOTE_LINK_RE = re.compile(r"\(/p/(\d+)\)")
#: when one user has several reasons to hear about one post, the first of these wins
PRIORITY = (kinds.MENTIONED, kinds.QUOTED, kinds.REPLIED, kinds.POSTED, kinds.NEW_THREAD)
#: board/tag levels, most notifying first
TAG_ORDER = {WATCHING: 0, WATCHING_FIRST_POST: 1, TRACKING: 2, NORMAL: 3}


@dataclass
class Plan:
    """What one event tells whom: user id → (kind, quiet)."""

    kinds: dict[int, tuple[str, bool]] = field(default_factory=dict)

    def offer(self, user_id: int, kind: str, quiet: bool = False) -> None:
        current = self.kinds.get(user_id)
        if current is None or _rank(kind, quiet) < _rank(*current):
            self.kinds[user_id] = (kind, quiet)


def _rank(kind: str, quiet: bool) -> tuple[int, int]:
    return (PRIORITY.index(kind) if kind in PRIORITY else len(PRIORITY), int(quiet))


# --- reading a post --------------------------------------------------------------------------


def quoted_post_ids(source: str) -> list[int]:
    ids = []
    for line in source.splitlines():
        if line.lstrip().startswith(">"):
            ids += [int(m) for m in QUOTE_LINK_RE.findall(line)]
    return list(dict.fromkeys(ids))[:10]


def _mention_targets(post: Post) -> list[int]:
    handles = mentioned_handles(post.body_source, current_app.config["NOTIFICATION_MENTION_CAP"])
    if not handles:
        return []
    return list(db.session.scalars(select(User.id).where(User.handle.in_(handles))))


def _quote_targets(post: Post) -> list[int]:
    ids = quoted_post_ids(post.body_source)
    if not ids:
        return []
    return list(db.session.scalars(select(Post.author_id).where(Post.id.in_(ids))))


# --- watchers --------------------------------------------------------------------------------


def thread_tags(thread: Thread) -> list[tuple[str, str]]:
    """The board and taxonomy targets a thread belongs to (for board and tag watches)."""
    tags = [("board", str(thread.board_id))]
    fields = set(
        db.session.scalars(
            select(thread_player_fields.c.player_field_id).where(
                thread_player_fields.c.thread_id == thread.id
            )
        )
    )
    if thread.board.player_field_id:
        fields.add(thread.board.player_field_id)
    tags += [("player_field", str(f)) for f in sorted(fields)]
    domains = db.session.scalars(
        select(thread_life_domains.c.life_domain_id).where(
            thread_life_domains.c.thread_id == thread.id
        )
    )
    tags += [("life_domain", str(d)) for d in domains]
    prefecture = db.session.scalar(
        select(ThreadDetail.prefecture_code).where(ThreadDetail.thread_id == thread.id)
    )
    if prefecture:
        tags.append(("prefecture", prefecture))
    return tags


def thread_levels(thread_id: int) -> dict[int, str]:
    rows = db.session.execute(
        select(Watch.user_id, Watch.level).where(
            Watch.target_kind == "thread", Watch.target_key == str(thread_id)
        )
    )
    return dict(rows.all())


def tag_levels(tags: list[tuple[str, str]]) -> dict[int, str]:
    """Each watcher's combined board/tag level: muted if any is muted, else the most notifying."""
    if not tags:
        return {}
    condition = or_(*(and_(Watch.target_kind == k, Watch.target_key == v) for k, v in tags))
    combined: dict[int, str] = {}
    for user_id, level in db.session.execute(select(Watch.user_id, Watch.level).where(condition)):
        current = combined.get(user_id)
        if current == MUTED:
            continue
        if level == MUTED or current is None or TAG_ORDER[level] < TAG_ORDER[current]:
            combined[user_id] = level
    return combined


def muted_thread_for(user_id: int, thread_levels_: dict[int, str], tags_: dict[int, str]) -> bool:
    level = thread_levels_.get(user_id)
    if level is not None:
        return level == MUTED
    return tags_.get(user_id) == MUTED


# --- planning per event ----------------------------------------------------------------------


def plan_post(post: Post, *, new_thread: bool) -> Plan:
    """A new thread (its first post) or a new reply."""
    thread = post.thread
    plan = Plan()
    for user_id in _mention_targets(post):
        plan.offer(user_id, kinds.MENTIONED)
    tlevels = thread_levels(thread.id)
    tags = tag_levels(thread_tags(thread))
    if new_thread:
        for user_id, level in tags.items():
            if level in (WATCHING, WATCHING_FIRST_POST):
                plan.offer(user_id, kinds.NEW_THREAD)
            elif level == TRACKING:
                plan.offer(user_id, kinds.NEW_THREAD, quiet=True)
    else:
        for user_id in _quote_targets(post):
            plan.offer(user_id, kinds.QUOTED)
        plan.offer(thread.author_id, kinds.REPLIED)
        for user_id, level in tags.items():
            if user_id in tlevels:
                continue  # a thread-level choice overrides the board and tags
            if level == WATCHING:
                plan.offer(user_id, kinds.POSTED)
            elif level == TRACKING:
                plan.offer(user_id, kinds.POSTED, quiet=True)
        for user_id, level in tlevels.items():
            if level == WATCHING:
                plan.offer(user_id, kinds.POSTED)
            elif level == TRACKING:
                plan.offer(user_id, kinds.POSTED, quiet=True)
    plan.kinds = {
        uid: v for uid, v in plan.kinds.items() if not muted_thread_for(uid, tlevels, tags)
    }
    return plan


def plan_mentions(post: Post) -> Plan:
    """An edit: only mentions (already notified ones are skipped by :func:`deliver`)."""
    plan = Plan()
    targets = _mention_targets(post)
    if targets:
        tlevels = thread_levels(post.thread_id)
        tags = tag_levels(thread_tags(post.thread))
        for user_id in targets:
            if not muted_thread_for(user_id, tlevels, tags):
                plan.offer(user_id, kinds.MENTIONED)
    return plan


# --- writing ---------------------------------------------------------------------------------


class Recipient:
    """What ``auth.permissions.can`` needs to know about a user, read in bulk without building
    a full ORM ``User`` per watcher (10,000 of them cost a second). ``is_active`` and
    ``is_silenced`` are the ``User`` properties themselves."""

    is_authenticated = True
    is_active = property(User.is_active.fget)
    is_silenced = property(User.is_silenced.fget)

    def __init__(self, row, permissions: frozenset[str], boards: frozenset[int],
                 role_slug: str = "", space_roles: dict[int, str] | None = None) -> None:  # fmt: skip
        self.id = row.id
        self.role_slug = role_slug
        self.space_roles = space_roles or {}
        self.is_suspended = row.is_suspended
        self.suspended_until = row.suspended_until
        self.silenced_until = row.silenced_until
        self.permissions = permissions
        self.moderated_board_ids = boards


def load_users(ids: Iterable[int], *, spaces: bool = False) -> list[Recipient]:
    """``spaces``: also their space memberships (needed when the board is not public)."""
    ids = list(ids)
    if not ids:
        return []
    perms: dict[int, set[str]] = {}
    for role_id, permission in db.session.execute(
        select(RolePermission.role_id, RolePermission.permission)
    ):
        perms.setdefault(role_id, set()).add(permission)
    frozen = {role_id: frozenset(names) for role_id, names in perms.items()}
    boards: dict[int, set[int]] = {}
    for user_id, board_id in db.session.execute(
        select(BoardModerator.user_id, BoardModerator.board_id).where(
            BoardModerator.user_id.in_(ids)
        )
    ):
        boards.setdefault(user_id, set()).add(board_id)
    memberships: dict[int, dict[int, str]] = {}
    if spaces:
        for user_id, space_id, role in db.session.execute(
            select(SpaceMember.user_id, SpaceMember.space_id, SpaceMember.role).where(
                SpaceMember.user_id.in_(ids), SpaceMember.status == "active"
            )
        ):
            memberships.setdefault(user_id, {})[space_id] = role
    rows = db.session.execute(
        select(User.id, User.role_id, User.is_suspended, User.suspended_until,
               User.silenced_until, Role.slug).join(Role, Role.id == User.role_id)
        .where(User.id.in_(ids))
    )  # fmt: skip
    return [
        Recipient(row, frozen.get(row.role_id, frozenset()), frozenset(boards.get(row.id, ())),
                  row.slug, memberships.get(row.id))  # fmt: skip
        for row in rows
    ]


def may_see(user: User | Recipient, post: Post | None, thread: Thread | None) -> bool:
    if not user.is_active:  # suspended
        return False
    if thread is not None and not can(user, "thread.view", thread):
        return False
    if post is not None:
        if post.is_deleted:
            return False
        if post.is_hidden and not can(user, "post.view_hidden", post):
            return False
    return True


@dataclass
class Source:
    """What the notifications of one event point at."""

    collapse_key: str
    source_id: int
    thread: Thread | None = None
    post: Post | None = None
    actor_id: int | None = None
    data: dict = field(default_factory=dict)


def key_for(kind: str, post: Post | None, thread: Thread | None, fallback: str) -> str:
    if kind in (kinds.POSTED, kinds.REPLIED) and thread is not None:
        return f"{kind}:{thread.id}"
    if kind == kinds.NEW_THREAD and thread is not None:
        return f"{kind}:{thread.id}"
    if kind in (kinds.MENTIONED, kinds.QUOTED) and post is not None:
        return f"{kind}:{post.id}"
    return fallback


def deliver_plan(plan: Plan, *, post: Post, thread: Thread, actor_id: int) -> list[int]:
    """Write a post event's plan, grouped by (kind, quiet)."""
    groups: dict[tuple[str, bool], list[int]] = {}
    for user_id, value in plan.kinds.items():
        groups.setdefault(value, []).append(user_id)
    notified: list[int] = []
    for (kind, quiet), user_ids in groups.items():
        source_id = thread.id if kind == kinds.NEW_THREAD else post.id
        source = Source(
            collapse_key=key_for(kind, post, thread, f"{kind}:{post.id}"),
            source_id=source_id, thread=thread, post=post, actor_id=actor_id,
        )  # fmt: skip
        notified += deliver(kind, user_ids, source, quiet=quiet)
    return notified


def deliver(
    kind: str, user_ids: Iterable[int], source: Source, *, quiet: bool = False
) -> list[int]:
    """Create or collapse notifications of ``kind`` for the users who pass the filters; returns
    the ids of users who got a new or updated non-quiet notification.

    Idempotent whatever the order jobs run in: a user who already has a row with this collapse
    key that counted this source (a :class:`NotificationSource` row), read or not, is skipped;
    an unread row of a collapsing kind is counted up and records the source; otherwise a row is
    inserted with it. Ids are never compared: a job re-run after a crash or a database error
    lands after later posts' jobs and must still count. Two workers counting the same source
    at once collide on the source set's primary key (or the partial unique index on unread
    rows): the loser's job fails and is retried, and then finds the source counted.
    """
    user_ids = [uid for uid in dict.fromkeys(user_ids) if uid != source.actor_id]
    notified: list[int] = []
    now = utcnow()
    delay = timedelta(seconds=current_app.config["NOTIFICATION_EMAIL_DELAY_SECONDS"])
    for start in range(0, len(user_ids), CHUNK):
        chunk = user_ids[start : start + CHUNK]
        muting = set()
        if source.actor_id is not None:
            muting = set(
                db.session.scalars(
                    select(UserMute.user_id).where(
                        UserMute.muted_user_id == source.actor_id, UserMute.user_id.in_(chunk)
                    )
                )
            )
        closed = source.thread is not None and source.thread.board.audience != "public"
        users = [
            u for u in load_users(chunk, spaces=closed)
            if u.id not in muting and may_see(u, source.post, source.thread)
        ]  # fmt: skip
        if not users:
            continue
        ids = [u.id for u in users]
        same_key = and_(Notification.user_id.in_(ids),
                        Notification.collapse_key == source.collapse_key)  # fmt: skip
        done = set(
            db.session.scalars(
                select(Notification.user_id)
                .join(NotificationSource, NotificationSource.notification_id == Notification.id)
                .where(same_key, NotificationSource.source_id == source.source_id)
            )
        )
        unread = {
            user_id: nid for user_id, nid in db.session.execute(
                select(Notification.user_id, Notification.id)
                .where(same_key, Notification.read_at.is_(None))
            )
            if user_id not in done
        }  # fmt: skip
        if unread and kind in COLLAPSING:
            _count_in(list(unread.values()), source, quiet=quiet, now=now)
            if not quiet:
                notified += list(unread)
        settings = {
            s.user_id: s
            for s in db.session.scalars(
                select(NotificationSettings).where(
                    NotificationSettings.user_id.in_([u.id for u in users])
                )
            )
        }
        rows = []
        for user in users:
            if user.id in done or user.id in unread:
                continue
            mode = email_mode(settings.get(user.id), kind)
            if quiet:
                state, due = EMAIL_NONE, None
            elif mode == IMMEDIATE:
                state, due = EMAIL_PENDING, now + delay
            elif mode in (DAILY, WEEKLY):
                state, due = EMAIL_DIGEST, None
            else:
                state, due = EMAIL_NONE, None
            rows.append({
                "user_id": user.id, "kind": kind,
                "thread_id": source.thread.id if source.thread is not None else None,
                "post_id": source.post.id if source.post is not None else None,
                "last_source_id": source.source_id, "actor_id": source.actor_id, "count": 1,
                "data": source.data, "collapse_key": source.collapse_key, "is_quiet": quiet,
                "created_at": now, "updated_at": now, "email_state": state,
                "email_due_at": due, "email_attempts": 0,
            })  # fmt: skip
            if not quiet:
                notified.append(user.id)
        if rows:
            db.session.execute(Notification.__table__.insert(), rows)
            # the rows just written are their users' only unread ones with this key
            db.session.execute(
                insert(NotificationSource).from_select(
                    ["notification_id", "source_id"],
                    select(Notification.id, literal(source.source_id, BigInteger())).where(
                        Notification.user_id.in_([row["user_id"] for row in rows]),
                        Notification.collapse_key == source.collapse_key,
                        Notification.read_at.is_(None),
                    ),
                )
            )
        hook = between_chunks.get()
        if hook is not None and start + CHUNK < len(user_ids):
            hook()
    return notified


def _count_in(notification_ids: list[int], source: Source, *, quiet: bool, now) -> None:
    """Count ``source`` into unread collapsed rows that have not counted it. A late source (older
    than one already counted) counts the same; it moves the link (``post_id``) back to itself
    when it is the earlier post, and leaves the actor and ``last_source_id`` to the newer one."""
    db.session.execute(
        insert(NotificationSource),
        [{"notification_id": nid, "source_id": source.source_id} for nid in notification_ids],
    )
    newer = Notification.last_source_id < source.source_id
    values = {
        "count": Notification.count + 1,
        "last_source_id": case((newer, source.source_id), else_=Notification.last_source_id),
        "actor_id": case((newer, source.actor_id), else_=Notification.actor_id),
        "updated_at": now,
        "is_quiet": quiet,
    }
    if source.post is not None:
        values["post_id"] = case(
            (Notification.post_id > source.post.id, source.post.id), else_=Notification.post_id
        )
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(notification_ids))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
