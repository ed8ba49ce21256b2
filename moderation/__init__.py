"""Moderation: flags, one review queue, holds before publication, the personal-information
guard, sanctions, audit log. Uses ``forum`` and ``auth``; the forum knows it only through the
gatekeeper/holder hooks of ``forum.publishing``, the move listener of ``forum.moving`` and the
after-commit ``forum.signals``."""

from __future__ import annotations

from flask import Flask

from auth import accounts
from core import openapi
from forum import moving, publishing, thread_page
from moderation import (
    api,
    api_schema,
    holds,
    message_views,
    messages,
    queue,
    verification,
    verification_views,
    views,
    watched,
)
from moderation.history import held_page_url, hidden_reasons_for


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.jinja_env.globals["review_count"] = views.review_count  # the header's 「確認待ち（N）」
    app.register_blueprint(api.bp)
    openapi.declare(app, api_schema.contract)
    app.register_blueprint(verification_views.bp)
    app.register_blueprint(message_views.bp)
    messages.install()  # private conversations: the same screening, flags, audited reading
    for check in holds.GATEKEEPERS:
        publishing.add_gatekeeper(check)
    publishing.set_holder(holds.hold_draft)
    publishing.set_held_page(held_page_url)
    publishing.add_rewriter(holds.censor_watched_words)
    publishing.add_after_publish(holds.flag_watched_words)
    moving.add_move_listener(queue.refile_thread_items)
    watched.install()
    thread_page.add_contributor("hidden_reasons", hidden_reasons_for)
    accounts.add_after_register(verification.queue_new_account)
