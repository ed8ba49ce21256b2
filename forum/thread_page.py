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
