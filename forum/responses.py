"""The one outcome → HTML translation of the web views (the API has its JSON twin in
``api.outcomes``). A view calls an action of ``forum.actions``, then :func:`settle`."""

from __future__ import annotations

from flask import abort, flash, redirect
from werkzeug.wrappers import Response

from core.extensions import db
from forum import publishing
from forum.publishing import Outcome


def settle(
    outcome: Outcome,
    *,
    form=None,
    done_url: str,
    done_message: str | None,
    held_url: str | None = None,
    held_page: bool = False,
) -> Response | None:
    """Commit and redirect when something was saved (published/done → ``done_url``; held →
    ``held_url`` with the held message, or with ``held_page`` the 「確認待ち」 page that shows
    the author what they sent — a new thread held for review is shown nowhere else). Otherwise nothing is committed, the outcome's field
    errors go onto ``form`` and None is returned: the view renders the form again with what the
    author typed (``concerns`` and ``conflict`` are shown by the template). Forbidden → 403."""
    if outcome.status == "forbidden":
        abort(403)
    if outcome.saved:
        db.session.commit()
        for notice in outcome.notices:
            flash(notice, "info")
        if outcome.status == "held":
            flash(publishing.held_message(), "info")
            page = publishing.held_page_url(outcome) if held_page else None
            return redirect(page or held_url or done_url)
        if done_message:
            flash(done_message, "success")
        return redirect(done_url)
    if form is not None:
        for name, messages in outcome.errors.items():
            target = getattr(form, name, None)
            if target is not None:
                target.errors = [*target.errors, *messages]
    if outcome.status == "conflict":
        flash(outcome.message, "error")
        version = getattr(form, "version", None)
        if version is not None:  # saving again from this page knowingly replaces the newer text
            version.data, version.raw_data = outcome.post.version, [str(outcome.post.version)]
    return None


def status_code(outcome: Outcome | None, *forms) -> int:
    """200 for a fresh form, 409 for an edit conflict, 422 when something needs fixing."""
    if outcome is not None and outcome.status == "conflict":
        return 409
    if any(f is not None and f.errors for f in forms):
        return 422
    if outcome is not None and (outcome.concerns or outcome.errors):
        return 422
    return 200
