"""Files attached to structured threads (cases, events, policies): checked by content, images
re-encoded without metadata, stored under random keys, served with safe headers.

For other packages: ``queries.list_for_thread(thread_id)`` and the template include
``attachments/_list.html`` (taking ``attachments`` and ``thread``).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from attachments import views
from attachments.filenames import filesize


def register(app: Flask) -> None:
    if not app.config.get("ATTACHMENTS_DIR"):
        app.config["ATTACHMENTS_DIR"] = str(Path(app.instance_path) / "attachments")
    app.jinja_env.filters["filesize"] = filesize
    app.register_blueprint(views.bp)
