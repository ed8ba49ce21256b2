"""Files attached to structured threads (cases, events, policies): checked by content, images
re-encoded without metadata, stored under random keys, served with safe headers.

For other packages: ``queries.list_for_thread(thread_id)``, the thread page's ``attachments`` part and the include ``attachments/_list.html`` (taking
``attachments`` and ``thread``).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from attachments import queries, views
from attachments.filenames import filesize
from auth.permissions import ATTACHABLE_KINDS
from forum import thread_page


def register(app: Flask) -> None:
    if not app.config.get("ATTACHMENTS_DIR"):
        app.config["ATTACHMENTS_DIR"] = str(Path(app.instance_path) / "attachments")
    app.jinja_env.filters["filesize"] = filesize
    thread_page.add_contributor("attachments", _page_attachments)
    app.register_blueprint(views.bp)


def _page_attachments(view) -> list:
    """Thread-page contributor: the files shown under the first post."""
    return thread_attachments(view.thread) if view.first_page else []


def thread_attachments(thread) -> list:
    """The files of a case, event or policy (one statement); none for other kinds."""
    return queries.list_for_thread(thread.id) if thread.kind in ATTACHABLE_KINDS else []
