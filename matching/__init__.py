"""Matching suggestions (うまれる, issue #16 item 5): on a local problem's page 「連携先の候補」
(organisations, similar cases elsewhere, other open problems like it), on an organisation's page
「あなたの団体に合いそうな地域課題」 for its members, ``GET /api/v1/challenges/<id>/suggestions``, and
the weekly digest for organisations. Scoring: ``matching.weights`` (documented, one place);
the work: ``matching.service``."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_login import current_user

from core import openapi
from directory.models import Organization
from forum import thread_page
from matching import api, api_schema, digest, service
from notifications import worker


def _page_suggestions(view: thread_page.ThreadView) -> service.Suggestions | None:
    """The thread page's part: only on the first page of a local problem (the viewer may read
    it: the forum checked). The first post and the typed fields are the page's own."""
    detail = view.parts.get("detail")
    if view.thread.kind != "challenge" or not view.first_page or detail is None:
        return None
    first = view.posts[0] if view.posts and view.posts[0].number == 1 else None
    return service.for_challenge(
        view.thread, viewer=view.viewer, detail=detail,
        body=first.body_source if first is not None else None,
    )  # fmt: skip


def organization_matches(org: Organization) -> list[service.Suggestion] | None:
    """For the organisation page: its members only (None for anyone else)."""
    if not current_user.is_authenticated or current_user.organization_id != org.id:
        return None
    return service.for_organization(org, viewer=current_user)


def register(app: Flask) -> None:
    app.register_blueprint(api.bp)
    openapi.declare(app, api_schema.contract)
    thread_page.add_contributor("suggestions", _page_suggestions, order=20)
    app.jinja_env.globals["organization_matches"] = organization_matches
    worker.add_housekeeping(
        "matching-digest",
        lambda: timedelta(minutes=app.config.get("MATCHING_DIGEST_EVERY_MINUTES", 60)),
        digest.run,
    )
