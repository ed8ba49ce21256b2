"""The front door and the site pages (issue #14, items 1 and 2): the home page's つながる / 知る /
うまれる lists (``front_door``, a template global of the forum's index), 運営者情報, 利用規約,
アクセシビリティ方針, はじめての方へ and お問い合わせ as Markdown pages that admins edit with
their history, and the contact form that reaches the secretariat's review queue and mailbox."""

from __future__ import annotations

from flask import Flask

from pages import admin, home, views
from pages.forms import CONTACT_CATEGORIES


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    app.jinja_env.globals.update(
        front_door=home.front_door,
        contact_category=lambda code: str(CONTACT_CATEGORIES.get(code, code)),
    )
