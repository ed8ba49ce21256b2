"""Notifications: watch levels, mentions, replies, moderation outcomes, event reminders, the
notification centre with its header badge, live updates, e-mail and digests.

The door of the package: ``register(app)``. Forum and moderation events reach it through their
after-commit signals: ``notifications.jobs`` records each queued event as one job row in the
same transaction (``before_commit``), and the worker (``notifications.worker``: an in-process
thread by default, or ``flask --app app notifications process``) fans it out after commit.
Neither the forum nor moderation imports this package.
"""

from __future__ import annotations

from flask import Flask, current_app, has_app_context
from flask_login import current_user

from core import events as core_events
from core import health, openapi
from core.types import utcnow
from forum import thread_page
from notifications import (
    api,
    api_schema,
    cli,
    events,
    inbox,
    jobs,
    mailing,
    reading,
    reminders,
    views,
    watching,
)
from notifications.kinds import LEVEL_LABELS
from notifications.models import (
    Notification,
    NotificationJob,
    NotificationSettings,
    ReadPosition,
    UserMute,
    Watch,
)
from notifications.worker import background_worker

WORKER_KEY = "kyoso.notifications"
WORKER_MODES = ("thread", "off")


def register(app: Flask) -> None:
    mode = app.config.get("NOTIFICATION_WORKER") or ("off" if app.testing else "thread")
    if mode not in WORKER_MODES:
        raise ValueError(f"NOTIFICATION_WORKER must be one of {WORKER_MODES}, not {mode!r}")
    if mode == "thread":
        runner = background_worker(app, poll_seconds=app.config["NOTIFICATION_POLL_SECONDS"])
        app.extensions[WORKER_KEY] = runner
        # started by the first request, so CLI commands never start a thread of their own
        app.before_request(runner.start)
    jobs.install()
    # one member's own settings and reading, and the worker's queue: no page shows them to others
    core_events.quiet(
        ReadPosition, Notification, NotificationJob, NotificationSettings, UserMute, Watch
    )
    for signal in jobs.EVENTS:
        signal.connect(_wake, weak=False)
    thread_page.add_contributor("watch_level", _page_watch_level)
    thread_page.add_contributor("rsvp", _page_rsvp)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    openapi.declare(app, api_schema.contract)
    cli.register(app)
    health.add_check(app, "notifications", readiness)
    health.add_figures(app, "notifications", jobs.figures)
    health.add_figures(app, "mail", mailing.figures)
    app.jinja_env.globals.update(
        notification_unread_count=_unread_count,
        notification_watch_level=_watch_level,
        notification_levels=watching.levels_for,
        notification_level_labels=LEVEL_LABELS,
        event_rsvp=_event_rsvp,
        thread_unread_counts=_thread_unread_counts,
    )


def add_event(signal, name: str, handler) -> None:
    """A higher package's after-commit ``signal`` becomes a notification job ``name`` like the
    forum's (recorded in the committing transaction, fanned out by the worker), handled by
    ``handler(job) -> [user ids]`` (e.g. co-creation's offers). Once per process."""
    jobs.EVENTS[signal] = name
    events.HANDLERS[name] = handler
    signal.connect(_wake, weak=False)


def close(app: Flask) -> None:
    runner = app.extensions.get(WORKER_KEY)
    if runner is not None:
        runner.stop()


def _wake(_sender, **_payload) -> None:
    """A job was committed in this process: run it now rather than at the next poll."""
    if has_app_context():
        runner = current_app.extensions.get(WORKER_KEY)
        if runner is not None:
            runner.wake()


def _unread_count() -> int:
    """The header badge: one indexed COUNT (0 for visitors, without a query)."""
    if not current_user.is_authenticated:
        return 0
    return inbox.unread_count(current_user.id)


def _watch_level(target_kind: str, key: object) -> str:
    if not current_user.is_authenticated:
        return "normal"
    return watching.get_level(current_user, target_kind, key)


def _page_watch_level(view) -> str:
    """Thread-page contributor: the viewer's watch level of the thread."""
    if not getattr(view.viewer, "is_authenticated", False):
        return "normal"
    return watching.get_level(view.viewer, "thread", view.thread.id)


def _page_rsvp(view) -> dict | None:
    """Thread-page contributor: RSVP counts and the viewer's own, on events."""
    if view.thread.kind != "event":
        return None
    user_id = view.viewer.id if getattr(view.viewer, "is_authenticated", False) else None
    return reminders.rsvp_summary(view.thread.id, user_id)


def _event_rsvp(thread) -> dict:
    user_id = current_user.id if current_user.is_authenticated else None
    return reminders.rsvp_summary(thread.id, user_id)


def _thread_unread_counts(threads) -> dict[int, int]:
    """新着 N of a listing: one statement per page (none for visitors)."""
    user_id = current_user.id if current_user.is_authenticated else None
    return reading.unread_counts(user_id, threads)


def readiness() -> dict:
    """``/readyz``: how long the oldest due fan-out job has waited for a worker."""
    now = utcnow()
    oldest = jobs.oldest_due(now)
    lag = (now - oldest).total_seconds() if oldest is not None else 0.0
    return health.lag_check(lag, current_app.config["READY_NOTIFICATION_LAG_SECONDS"])
