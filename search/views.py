"""Search pages and the search API. Views translate HTTP: parameters in, a page or JSON out."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    has_request_context,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from core.extensions import limiter
from core.jsonapi import api_error, iso
from core.urls import absolute_url
from search import labels
from search.extension import searcher
from search.params import BadParams, SearchParams, parse_args
from search.results import SearchPage
from search.service import matching_threads, search
from structured.queries import KEYWORD_THREADS

bp = Blueprint("search", __name__)
api_bp = Blueprint("search_api", __name__, url_prefix="/api/v1")

SEARCH_LIMIT = "120 per minute"


def _run(params: SearchParams) -> SearchPage:
    with searcher() as s:
        # the member object itself: a proxy would be resolved on every permission check
        return search(params, user=current_user._get_current_object(), searcher=s)


@bp.get("/search")
@limiter.limit(SEARCH_LIMIT)
def results():
    try:
        params = parse_args(request.args, default_limit=current_app.config["SEARCH_PER_PAGE"])
        page = _run(params)
    except BadParams:
        abort(400)
    return render_template(
        "search/results.html",
        page=page,
        params=params,
        type_labels=labels.TYPE_LABELS,
        facet_names=labels.facet_names(),
        link=lambda **changes: url_for("search.results", **params.with_(**changes).to_args()),
        label_of=lambda name, value: _label_of(page, name, value),
    )


def listing_keyword(kind: str, q: str) -> list[int] | None:
    """The keyword box of the structured listings (``structured.queries.set_keyword_matcher``):
    the threads the search page would find for ``q`` among ``kind``, for this viewer (None
    before the first index exists)."""
    with searcher() as s:
        if s is None:
            return None
        user = current_user._get_current_object() if has_request_context() else None
        return matching_threads(q, kind=kind, user=user, searcher=s, limit=KEYWORD_THREADS)


def _label_of(page: SearchPage, name: str, value: str) -> str:
    found = next((v for v in page.facets.get(name, []) if v.value == value), None)
    return found.label if found else value


@bp.get("/search/advanced")
def advanced():
    try:
        params = parse_args(request.args)
    except BadParams:
        params = SearchParams()
    lookup = labels.Lookup()
    hidden = lookup.hidden_boards(current_user._get_current_object())
    return render_template(
        "search/advanced.html",
        params=params,
        types=labels.TYPE_LABELS,
        regions=[(r.code, r.name) for r in lookup.regions.values()],
        prefectures=[(p.code, p.name) for p in lookup.prefectures.values()],
        fields=[(f.slug, f.name) for f in lookup.fields.values()],
        domains=[(d.slug, d.name) for d in lookup.domains.values()],
        boards=[(b.slug, b.name) for b in lookup.boards if b.id not in hidden],
    )


@api_bp.get("/search")
@limiter.limit(SEARCH_LIMIT)
def api_search():
    try:
        params = parse_args(request.args)
        page = _run(params)
    except BadParams as exc:
        message = _("検索条件 %(name)s の値が正しくありません。", name=exc.name)
        return api_error(400, "bad_request", message, {exc.name: [message]})
    return jsonify(
        total=page.total,
        sort=page.sort,
        next_cursor=page.next_cursor,
        results=[
            {
                "thread_id": hit.thread_id,
                "post_id": hit.post_id,
                "number": hit.number,
                "title": hit.title,
                "snippet_html": str(hit.snippet_html),
                "type": hit.type,
                "prefecture": hit.prefecture,
                "board": hit.board_slug,
                "author": {"handle": hit.author_handle, "display_name": hit.author_name}
                if hit.author_handle
                else None,
                "created_at": iso(hit.created_at),
                "url": absolute_url("forum.permalink", post_id=hit.post_id),
            }
            for hit in page.hits
        ],
        facets={
            name: {value.value: value.count for value in values}
            for name, values in page.facets.items()
        },
    )
