"""Error pages: Japanese HTML for people, JSON ``{"error": …}`` under /api/."""

from __future__ import annotations

from typing import NoReturn

from flask import Flask, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, SecurityError, default_exceptions

from core import metrics
from core.extensions import db
from core.jsonapi import NotAJSONObject, api_error
from core.params import carries_nul

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "validation",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}
#: seconds a client is told to wait after a 503 (a restarted database is back within seconds;
#: the connection pool checks each connection before use, so the next request gets a live one)
RETRY_AFTER = 5


def _messages() -> dict[int, str]:
    return {
        400: _("リクエストの内容が正しくありません。"),
        401: _("ログインが必要です。"),
        403: _("この操作を行う権限がありません。"),
        404: _("お探しのページが見つかりません。URLをご確認ください。"),
        405: _("この方法ではアクセスできません。"),
        409: _("ほかの操作と競合しました。ページを読み込み直してください。"),
        413: _("送信された内容が大きすぎます。"),
        422: _("入力内容を確認してください。"),
        429: _("短時間に操作が集中しました。しばらく待ってからもう一度お試しください。"),
        500: _("サーバーでエラーが起きました。時間をおいてもう一度お試しください。"),
        503: _("ただいま混み合っているか、保守中です。しばらくしてからもう一度お試しください。"),
    }


def _wants_json() -> bool:
    return request.path.startswith("/api/")


_NOT_PRESERVED = frozenset({"csrf_token", "password", "password_confirm", "submit", "preview"})


def _render(status: int, message: str | None = None, preserved=()):
    message = message or _messages().get(status, _messages()[500])
    if _wants_json():
        return api_error(status, _CODES.get(status, "error"), message)
    page = render_template("errors.html", status=status, message=message, preserved=preserved)
    return page, status


def abort_with_message(status: int, message: str) -> NoReturn:
    """``abort(status)`` with a sentence written for the person who made the request (Japanese,
    through Flask-Babel), which the error page and the API's JSON show instead of the status's
    generic one. Werkzeug's ``description`` is not shown: libraries put English text there."""
    exc = default_exceptions[status]()
    exc.kyoso_message = message  # type: ignore[attr-defined]
    raise exc


def _typed_text() -> list[tuple[str, str]]:
    """What the user typed into a refused form (never passwords), so nothing is lost."""
    if request.method != "POST" or not request.form:
        return []
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in _NOT_PRESERVED and value.strip()
    ]


def _refuse_untrusted_host() -> None:
    """Runs before every other ``before_request`` hook: a request whose ``Host`` is not in
    ``TRUSTED_HOSTS`` (Flask records it as the routing exception) is answered 400 at once."""
    if isinstance(request.routing_exception, SecurityError):
        raise request.routing_exception


def _refuse_nul() -> ResponseReturnValue | None:
    if carries_nul(request):
        return _render(
            400, _("使用できない文字（NUL）が含まれています。入力内容を確認してください。")
        )
    return None


def _untrusted_host_page():
    """400 for an unknown Host. No URL can be built for such a request (Flask binds none), so
    the page is plain and links nowhere."""
    message = _("このアドレスではアクセスできません。正しいURLを開いてください。")
    if _wants_json():
        return api_error(400, "bad_request", message)
    page = (
        '<!doctype html><html lang="ja"><meta charset="utf-8">'
        f"<title>400</title><h1>400</h1><p>{escape(message)}</p></html>"
    )
    return page, 400, {"Content-Type": "text/html; charset=utf-8"}


def _database_unavailable():
    """503 for a request whose database went away under it (restarted, the connection cut, the
    pool exhausted): the transaction is rolled back — whatever it wrote is not saved, nothing is
    half-written — and the person is told to try again shortly, with what they typed. The page
    needs nothing from the database: the locale comes from the cookie, not the account."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; the pool discards it
        db.session().invalidate()
    if "locale" not in g:
        choice = request.cookies.get("lang")
        g.locale = choice if choice in ("ja", "en") else "ja"
    message = _messages()[503]
    headers = {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}
    if _wants_json():
        response = api_error(503, _CODES[503], message)
        response.headers.update(headers)
        return response
    page = render_template("unavailable.html", message=message, preserved=_typed_text())
    return page, 503, headers


def _is_unavailable(exc: DBAPIError) -> bool:
    """An operational failure (a dropped or refused connection, a database that is restarting or
    locked), not a mistake in a statement (those stay 500 and are logged as bugs)."""
    return isinstance(exc, OperationalError) or bool(exc.connection_invalidated)


def register(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_untrusted_host)
    app.before_request_funcs[None].insert(1, _refuse_nul)

    @app.errorhandler(SecurityError)
    def _security_error(exc: SecurityError):
        return _untrusted_host_page()

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        return _render(
            400,
            _("フォームの有効期限が切れたか、送信元を確認できませんでした。"
              "ページを読み込み直して、もう一度送信してください。"),
            preserved=_typed_text(),
        )  # fmt: skip

    @app.errorhandler(NotAJSONObject)
    def _not_json(exc: NotAJSONObject):
        if exc.bad_number:
            return api_error(400, "bad_request", _("JSONの数値が大きすぎるか、正しくありません。"))
        return api_error(400, "bad_request", _("JSONのオブジェクトを送ってください。"))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return _render(exc.code or 500, getattr(exc, "kyoso_message", None))

    @app.errorhandler(DBAPIError)
    def _database_error(exc: DBAPIError):
        if not _is_unavailable(exc):
            return _unexpected(exc)
        app.logger.warning("database unavailable during %s %s: %s", request.method,
                           request.path, exc.orig.__class__.__name__)  # fmt: skip
        return _database_unavailable()

    @app.errorhandler(PoolTimeout)
    def _pool_exhausted(exc: PoolTimeout):
        app.logger.warning("no database connection free for %s %s", request.method, request.path)
        return _database_unavailable()

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        metrics.count_exception()
        db.session.rollback()  # the error page itself may need the database (the user's locale)
        return _render(500)
