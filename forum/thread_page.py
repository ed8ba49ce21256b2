"""The thread page as a view-model. The forum builds it; other packages contribute their part
(structured details, files, watch level and RSVP, why a post is hidden) through registered,
ordered contributors, without the forum importing them. Each contributor loads what it needs in
bulk, once per page — no template helper queries per post.

The same view serves the posts that live updates fetch as fragments (``?include=fragment``), so a
fragment is exactly the article the page renders.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from forum.models import Post, Thread


@dataclass
class ThreadView:
    thread: Thread
    posts: Sequence[Post]
    viewer: Any
    #: whether the page shows the thread's first post (its card, its files)
    first_page: bool = True
    #: what each contributor loaded, by its name (e.g. ``parts["detail"]``)
    parts: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:  # templates: ``view.detail``
        try:
            return self.__dict__["parts"][name]
        except KeyError:
            raise AttributeError(name) from None


Contributor = Callable[[ThreadView], Any]

_contributors: list[tuple[int, str, Contributor]] = []


def add_contributor(name: str, contributor: Contributor, *, order: int = 100) -> None:
    """Register ``contributor(view) -> value``, stored as ``view.parts[name]``; lower ``order``
    runs first (a later contributor may use an earlier one's part)."""
    if any(existing == name for _order, existing, _c in _contributors):
        return
    _contributors.append((order, name, contributor))
    _contributors.sort(key=lambda entry: (entry[0], entry[1]))


def build(
    thread: Thread, posts: Sequence[Post], viewer: Any, *, first_page: bool = True,
    only: set[str] | None = None,
) -> ThreadView:  # fmt: skip
    """The view of ``posts`` of ``thread`` for ``viewer``; ``only`` limits the contributors
    (e.g. a fragment needs no card)."""
    view = ThreadView(thread=thread, posts=posts, viewer=viewer, first_page=first_page)
    for _order, name, contributor in _contributors:
        if only is None or name in only:
            view.parts[name] = contributor(view)
    return view


#: the parts a post's article needs (fragments of live updates)
POST_PARTS = {"hidden_reasons", "post_links"}


# --- the forum's own part: each post's links and what the viewer may do with it ----------------

#: stands for a post's id or number while a URL is built once per page; any int the routes accept
_ID = 1_999_999_999


@dataclass(slots=True)
class PostLinks:
    """One post's URLs and the viewer's abilities on it, made once per page in Python rather
    than with ``url_for``/``can`` per post in the template (the thread page's main cost)."""

    link: str
    profile: str
    revisions: str
    quote: str
    edit: str
    delete: str
    flag: str
    may_edit: bool
    may_delete: bool
    may_flag: bool
    #: only asked of hidden posts (False for the others)
    may_view_hidden: bool


def _url_around(endpoint: str, **values: Any) -> tuple[str, str]:
    """``url_for(endpoint, **values)`` split at the placeholder ``_ID`` (its last occurrence):
    ``head + str(id) + tail`` is the URL for that id, as werkzeug builds an ``int`` value."""
    from flask import url_for

    head, found, tail = url_for(endpoint, **values).rpartition(str(_ID))
    if not found:  # pragma: no cover - a route changed shape; fail loudly, not wrongly
        raise RuntimeError(f"cannot build {endpoint} around a placeholder id")
    return head, tail


def post_links(view: ThreadView) -> dict[int, PostLinks]:
    """``{post.id: PostLinks}`` for the page's posts. The permission answers are exactly
    ``can(viewer, action, post)`` for each post; only the URL building is shared."""
    from flask import url_for

    from auth.permissions import can

    viewer = view.viewer
    if hasattr(type(viewer), "_get_current_object"):  # current_user: resolve the proxy once
        viewer = viewer._get_current_object()
    thread_id = view.thread.id
    link = _url_around("forum.post_in_thread", thread_id=thread_id, number=_ID)
    revisions = _url_around("forum.revisions", post_id=_ID)
    quote = _url_around("forum.reply", thread_id=thread_id, quote=_ID)
    edit = _url_around("forum.edit", post_id=_ID)
    delete = _url_around("forum.delete", post_id=_ID)
    flag = _url_around("moderation.flag", post_id=_ID)
    profiles: dict[str, str] = {}  # a page has few authors: url_for once per handle
    result: dict[int, PostLinks] = {}
    for post in view.posts:
        profile = ""  # a deleted post shows no author
        if not post.is_deleted:
            handle = post.author.handle
            profile = profiles.get(handle)
            if profile is None:
                profile = profiles[handle] = url_for("auth.profile", handle=handle)
        pid, num = str(post.id), str(post.number)
        result[post.id] = PostLinks(
            link=link[0] + num + link[1],
            profile=profile,
            revisions=revisions[0] + pid + revisions[1],
            quote=quote[0] + pid + quote[1],
            edit=edit[0] + pid + edit[1],
            delete=delete[0] + pid + delete[1],
            flag=flag[0] + pid + flag[1],
            may_edit=can(viewer, "post.edit", post),
            may_delete=can(viewer, "post.delete", post),
            may_flag=can(viewer, "post.flag", post),
            may_view_hidden=post.is_hidden and can(viewer, "post.view_hidden", post),
        )
    return result


# --- rendered articles, kept per process -------------------------------------------------------

_articles: dict[tuple, Any] = {}
_articles_lock = Lock()


def article(macro: Callable[..., Any], post: Post, can_reply: bool, labels: dict[str, str],
            hidden_reasons: dict[int, str], links: dict[int, PostLinks]) -> Any:  # fmt: skip
    """``macro(post, …)`` (templates/forum/_post.html's ``post_article``), kept per process
    under a key made of everything the article shows: the post's text and state, its
    author's name, handle and role, the viewer's language, links and abilities. Two viewers
    or two requests share an article only when all of these are equal, so nothing in it goes
    stale or crosses between viewers (its dates are absolute, not relative to now). Rendering
    the macro was the thread page's largest per-post cost. ``ARTICLE_CACHE_SIZE`` bounds the
    number kept (the oldest go first; 0: none)."""
    from flask import current_app

    a = links[post.id]
    size = current_app.config.get("ARTICLE_CACHE_SIZE", 0)
    if not size:
        return macro(post, can_reply, labels, hidden_reasons, links)
    if post.deleted_at is None:
        author = post.author
        role = author.role
        who = (author.display_name, author.handle, role.badge, role.name)
    else:
        who = None  # a deleted post shows no author
    key = (
        labels["locale"], can_reply, post.id, post.number, post.body_html, post.created_at,
        post.edited_at, post.revision_count, post.deleted_at is None, post.hidden_at is None,
        hidden_reasons.get(post.id, ""), who, a.link, a.profile, a.revisions, a.quote, a.edit,
        a.delete, a.flag, a.may_edit, a.may_delete, a.may_flag, a.may_view_hidden,
    )  # fmt: skip
    html = _articles.get(key)
    if html is None:
        html = macro(post, can_reply, labels, hidden_reasons, links)
        with _articles_lock:
            while len(_articles) >= size:
                _articles.pop(next(iter(_articles)))
            _articles[key] = html
    return html


def clear_articles() -> None:
    with _articles_lock:
        _articles.clear()
