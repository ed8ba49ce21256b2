"""事例の収集・分析・公表 (issue #18): a prefecture map on the listings, statistics pages, and
workbooks people open in Excel. Every figure is a :class:`core.tables.Table`, so a page, the API
and a workbook show the same numbers. The figures read summary rows that a background worker
keeps (``stats.summary``, ``stats.item_summary``)."""

from __future__ import annotations

from flask import Flask

from core import events as core_events
from core import openapi
from notifications.models import EventRsvp
from search.models import THREAD
from stats import api, api_schema, cli, prefecture_map, summary, views
from stats.models import (
    StatsFirstReply,
    StatsItemCount,
    StatsModerationItem,
    StatsPostMonth,
    StatsPostYear,
    StatsSummaryState,
)
from structured import listings
from structured.models import ThreadDetail

WORKER_KEY = "kyoso.stats"
WORKER_MODES = ("thread", "off")


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    views.register_template_helpers(app)
    openapi.declare(app, api_schema.contract)
    prefecture_map.register(app)
    listings.count_with(prefecture_map.counts)
    listings.add_panel(prefecture_map.panel)
    cli.register(app)
    # a structured item's details and its RSVPs count in the statistics: their changes name the
    # thread in the search outbox, in the same row insert as the rest of the transaction's
    core_events.watch(ThreadDetail, THREAD, ("updated_at", "kind", "prefecture_code", "status",
                                             "starts_at", "attendance_mode", "funding_kind",
                                             "population"), key="thread_id")  # fmt: skip
    core_events.watch(EventRsvp, THREAD, ("status",), key="thread_id")
    # the summary is the worker's bookkeeping: the statistics keep their own time-bound cache
    core_events.quiet(StatsFirstReply, StatsItemCount, StatsModerationItem, StatsPostMonth,
                      StatsPostYear, StatsSummaryState)  # fmt: skip
    mode = app.config.get("STATS_SUMMARY_WORKER") or ("off" if app.testing else "thread")
    if mode not in WORKER_MODES:
        raise ValueError(f"STATS_SUMMARY_WORKER must be one of {WORKER_MODES}, not {mode!r}")
    if mode == "thread":
        runner = summary.background_worker(
            app, poll_seconds=app.config["STATS_SUMMARY_POLL_SECONDS"]
        )
        app.extensions[WORKER_KEY] = runner
        app.before_request(runner.start)  # as the notification worker: never in a CLI command
