"""The exchange board (交流掲示板): boards, threads, posts, Markdown rendering."""

from __future__ import annotations

from flask import Flask

from forum import admin, cli, tags, thread_page, views


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    cli.register(app)
    tags.register()
    app.jinja_env.globals["thread_tag_labels"] = tags.labels_for
    app.jinja_env.globals["board_tag_options"] = tags.options
    app.jinja_env.globals["draft_tag_rows"] = tags.draft_rows
    thread_page.add_contributor("post_links", thread_page.post_links, order=0)
    app.jinja_env.globals["cached_article"] = thread_page.article
