"""Template filters and globals: Tokyo times, 令和 fiscal years, language switch. (Templates'
``can`` comes from ``auth``, the package that decides permissions.)"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask, redirect, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from core.extensions import db
from core.setup import LOCALES
from core.types import TOKYO
from core.urls import absolute_url, safe_next_url
from core.video import embed_for, http_url

REIWA_START = 2019


def reiwa_fiscal_year(year: int) -> str:
    """Japanese fiscal year label: 2019 → 令和元年度, 2026 → 令和8年度 (1989–2018 → 平成)."""
    if year >= REIWA_START:
        n = year - REIWA_START + 1
        return _("令和元年度") if n == 1 else _("令和%(n)s年度", n=n)
    if year >= 1989:
        n = year - 1988
        return _("平成元年度") if n == 1 else _("平成%(n)s年度", n=n)
    return _("%(year)s年度", year=year)


def fiscal_year_of(day: date) -> int:
    """The fiscal year (April to March) that contains ``day``."""
    return day.year if day.month >= 4 else day.year - 1


def current_locale() -> str:
    return str(get_locale() or "ja")


def datetime_ja(value: datetime | None, style: str = "long", locale: str | None = None) -> str:
    """Asia/Tokyo, formatted directly (Babel's formatter costs ~40 µs a call; thread pages show
    50 times). Same output as Babel's ``y年M月d日 H:mm`` / ``yyyy-MM-dd HH:mm``. ``locale``: the
    request's, when the caller already has it (a thread page asks once, not once per post)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    d = value.astimezone(TOKYO)
    if (locale or current_locale()) == "en":
        return d.strftime("%Y-%m-%d %H:%M" if style == "long" else "%Y-%m-%d")
    if style == "long":
        return f"{d.year}年{d.month}月{d.day}日 {d.hour}:{d.minute:02d}"
    return f"{d.year}年{d.month}月{d.day}日"


def highlight(text: str | None, spans) -> Markup:
    """``text`` escaped, with each ``{"start", "end"}`` span wrapped in ``<mark>``."""
    text = text or ""
    parts, position = [], 0
    for span in sorted(spans, key=lambda s: s["start"]):
        start, end = max(span["start"], position), span["end"]
        if start >= end:
            continue
        parts += [escape(text[position:start]), Markup("<mark>"), escape(text[start:end]),
                  Markup("</mark>")]  # fmt: skip
        position = end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def post_labels() -> dict[str, str]:
    """The words every post article repeats, translated once per page."""
    return {
        "link": _("この投稿へのリンク"), "quote": _("引用して返信"), "edit": _("編集"),
        "delete": _("削除"), "flag": _("通報"), "edited": _("編集済み"),
        "locale": current_locale(),  # for ``|datetime``, asked once per page
    }  # fmt: skip


def register(app: Flask) -> None:
    # front-end delays in ms by name (static/js/kyoso.js ``timing``), e.g. {"poll-ms": 500} in
    # browser tests; empty: the scripts' own defaults
    app.config.setdefault("JS_TIMINGS", {})
    app.jinja_env.filters["datetime"] = datetime_ja
    app.jinja_env.filters["fiscal_year"] = reiwa_fiscal_year
    app.jinja_env.filters["highlight"] = highlight
    app.jinja_env.globals["post_labels"] = post_labels
    app.jinja_env.globals["LOCALES"] = LOCALES
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["video_embed"] = embed_for  # templates/_video.html
    app.jinja_env.globals["http_url"] = http_url
    app.jinja_env.globals["absolute_url"] = absolute_url  # links that leave the site (feeds)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.post("/lang")
    def set_language():
        lang = request.form.get("lang")
        response = redirect(safe_next_url(request.form.get("next")) or "/")
        if lang in LOCALES:
            if current_user.is_authenticated:
                current_user.locale = lang
                db.session.commit()
            response.set_cookie("lang", lang, max_age=365 * 86400, samesite="Lax", httponly=True)
        return response
