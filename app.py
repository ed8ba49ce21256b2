"""Kyoso (共創): the community server of the 生活支援共創プラットフォーム.

``create_app`` reads like a table of contents: configuration, extensions, then one
``register(app)`` per package.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

import admin
import api
import attachments
import auth
import backup
import cocreation
import conversations
import demo
import directory
import forum
import matching
import moderation
import notifications
import pages
import privacy
import realtime
import search
import spaces
import stats
import structured
import taxonomy
from config import load_from_env
from core import (
    apidocs,
    errors,
    health,
    logs,
    metrics,
    pagecache,
    params,
    requestid,
    setup,
    templating,
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    settings = {**load_from_env(), **(config or {})}
    app = Flask(__name__, instance_path=settings.get("INSTANCE_PATH"))
    app.config.update(settings)
    logs.configure(app)  # LOG_FORMAT=json: before anything logs

    setup.configure_instance(app)
    setup.configure_site_url(app)
    params.register_converters(app)  # before any route is added
    requestid.register(app)  # first of the request hooks: every later one logs with the id
    metrics.register(app)  # /metrics; times the whole request
    setup.configure_extensions(app)
    setup.configure_security_headers(app)
    health.register(app)  # /healthz, /readyz
    templating.register(app)
    pagecache.register(app)
    errors.register(app)
    apidocs.register(app)

    taxonomy.register(app)
    auth.register(app)
    forum.register(app)
    structured.register(app)
    stats.register(app)
    attachments.register(app)
    directory.register(app)
    conversations.register(app)
    spaces.register(app)
    search.register(app)
    api.register(app)
    moderation.register(app)
    notifications.register(app)
    matching.register(app)
    cocreation.register(app)  # after notifications: it adds job handlers
    realtime.register(app)
    admin.register(app)
    privacy.register(app)
    backup.register(app)
    pages.register(app)
    demo.register(app)
    setup.configure_proxy(app)  # outermost WSGI layer, around Socket.IO too
    return app
