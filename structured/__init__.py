"""Structured threads (cases, events, policies, local problems): typed fields on the board
engine, their listings, calendar, exports and feeds."""

from __future__ import annotations

from flask import Flask, g

from core import openapi
from core.extensions import db
from forum import publishing, thread_page
from forum.models import Thread
from structured import (
    api,
    api_schema,
    cli,
    copies,
    display,
    exports,
    listings,
    models,
    views,
    workbooks,  # noqa: F401 - its routes join the blueprint
)
from structured.details import load_details, save_details, text_fields
from structured.schema import KIND_LABELS, status_label


def _save_draft_details(draft: publishing.Draft, outcome: publishing.Outcome) -> None:
    """On publication (directly or after approval) store a structured thread's typed fields."""
    if draft.details is None or outcome.thread is None or outcome.thread.kind == "discussion":
        return  # a discussion's typed fields are its tags (forum.tags)
    if draft.post is not None and draft.post.number != 1:
        return
    thread = outcome.thread
    save_details(thread=thread, kind=thread.kind, fields=draft.details, editor=draft.author)


def thread_detail(thread: Thread) -> models.ThreadDetail | None:
    """A thread page asks twice (JSON-LD in the head, the card): load once per request — the
    session's identity map holds objects weakly, so a second ``get`` would query again."""
    if thread.kind == "discussion":
        return None
    cache = g.setdefault("thread_details", {})
    if thread.id not in cache:
        cache[thread.id] = db.session.get(models.ThreadDetail, thread.id)
    return cache[thread.id]


def details_by_thread(thread_ids) -> dict[int, models.ThreadDetail]:
    """For listings that are not structured (board pages, search results): the typed fields of
    the structured threads among them, so that a status (中止, 終了) shows everywhere; one
    statement, none when no id is given."""
    return load_details(sorted({i for i in thread_ids if i}))


def register(app: Flask) -> None:
    copies.install()
    cli.register(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    openapi.declare(app, api_schema.contract)
    publishing.add_on_publish(_save_draft_details)
    thread_page.add_contributor("detail", lambda view: thread_detail(view.thread), order=10)
    publishing.set_details_text(text_fields)
    app.jinja_env.globals.update(
        thread_detail=thread_detail,
        details_by_thread=details_by_thread,
        kind_label=lambda kind: KIND_LABELS.get(kind, ""),
        status_label=status_label,
        card_rows=display.card_rows,
        draft_rows=display.draft_rows,
        card_sections=display.card_sections,
        card_videos=display.card_videos,
        event_when=display.event_when,
        card_value=display.card_value,
        place_label=display.place_label,
        municipality_options=display.municipality_options,
        prefecture_label=display.prefecture_name,
        municipality_label=display.municipality_name,
        event_jsonld=exports.event_jsonld,
        sections=listings.SECTIONS,
        case_question_url=listings.case_question_url,
    )
    app.jinja_env.filters["tokyo_time"] = display.tokyo_time
    app.jinja_env.filters["dict_without"] = lambda d, *keys: {
        k: v for k, v in d.items() if k not in keys
    }
