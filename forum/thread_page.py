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
POST_PARTS = {"hidden_reasons"}
