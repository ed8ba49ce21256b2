"""Who may find what: the one place search decides visibility.

Visible posts of every board go into the index, each with its board (:func:`is_indexable`).
A search leaves out the documents of boards closed to the viewer (the audience rule,
``auth.permissions.board_readable``, applied at query time in ``search.service``: a board whose
audience changes needs no reindexing), and every result is checked again against the database
when it is shown (:func:`is_visible`), so content deleted or
hidden a moment ago never appears, even before the indexer has caught up. Deleted and hidden posts
and threads never appear in search, not even for their authors or for moderators, who may still
open them on the board. Held posts are not posts until a moderator approves them. A new state
flag is checked here (and through ``auth.permissions.can``), and its column goes into
``search.outbox.WATCHED`` so that a change reindexes the post.
"""

from __future__ import annotations

from typing import Any

from auth.permissions import can


def _public(post: Any, thread: Any) -> bool:
    return (
        post.deleted_at is None
        and post.hidden_at is None
        and not thread.is_deleted
        and not thread.is_hidden
    )


def is_indexable(*, post: Any, thread: Any) -> bool:
    """May this post be in the index? ``post`` needs ``deleted_at`` and ``hidden_at``; ``thread``
    ``is_deleted`` and ``is_hidden``. Its board's audience is applied when searching."""
    return _public(post, thread)


def is_visible(user: Any, *, post: Any, thread: Any) -> bool:
    """May ``user`` see this post in search results right now?"""
    return _public(post, thread) and can(user, "thread.view", thread)
