"""The one outcome → JSON translation of the API (the web has its HTML twin in
``forum.responses``): the same statuses map to the same HTTP codes on every route."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, jsonify
from flask_babel import gettext as _

from api.serialize import post_json
from core.extensions import db
from core.jsonapi import api_error
from core.urls import absolute_path
from forum import publishing
from forum.publishing import Outcome


def concerns_json(outcome: Outcome) -> list[dict]:
    return [{"code": c.code, "message": c.message, "matches": list(c.details)}
            for c in outcome.concerns]  # fmt: skip


def held_page_json(outcome: Outcome) -> dict:
    """Where the author sees a held item waiting (the web's 「確認待ち」 page, the same one the
    web form lands on) and the review time the site aims for."""
    page = publishing.held_page_url(outcome)
    if page is None:
        return {}
    return {
        "pending_url": absolute_path(page),
        "expected_review_hours": current_app.config["MODERATION_EXPECTED_REVIEW_HOURS"],
    }


def respond(
    outcome: Outcome, done: Callable[[], tuple], *, held: Callable[[], tuple] | None = None
):
    """Commit and answer ``done()`` when published/done; held → 202 ``pending_review`` (saved,
    waiting for a moderator; ``held()`` answers instead when given); forbidden → 403; invalid → 422 with fields; needs confirmation or
    refused → 422 with the concerns; conflict → 409 with the current post. Nothing is committed
    unless something was saved."""
    if outcome.status in ("published", "done"):
        response = done()  # built from what is in memory: nothing is read again after commit
        db.session.commit()
        return response
    if outcome.status == "held":
        response = held() if held is not None else (
            jsonify(status="pending_review", reasons=concerns_json(outcome),
                    **held_page_json(outcome)), 202
        )  # fmt: skip
        db.session.commit()
        return response
    if outcome.status == "forbidden":
        return api_error(403, "forbidden", outcome.message)
    if outcome.status == "invalid":
        return api_error(422, "validation", _("入力内容を確認してください。"), outcome.errors)
    if outcome.status == "conflict":
        return api_error(409, "conflict", outcome.message, current=post_json(outcome.post))
    if outcome.status == "needs_confirmation":
        message = _(
            "送信する前に確認してください。よければ confirm: true を付けて送り直してください。"
        )
        return api_error(422, "needs_confirmation", message, concerns=concerns_json(outcome))
    return api_error(
        422, "refused", _("この内容は投稿できません。"), concerns=concerns_json(outcome)
    )
