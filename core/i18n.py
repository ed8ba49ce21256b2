"""Flask-Babel with the translations object looked up once per request (issue #11 item 6).

Flask-Babel resolves the translations on every ``_()``: the request's Babel context through
``g`` up to nine times, ``str(locale)`` and a dictionary look-up, ~10 µs a call, and a thread
page translates ~35 strings. Here the object is kept on that context (``g._flask_babel``)
next to the locale and the domain it was made for, and used again only while
``ctx.babel_locale`` and ``ctx.babel_domain`` are those same objects: ``force_locale`` puts a
new locale object in place (and the old one back at its end), ``refresh`` removes it, and
``Domain.as_default`` changes the domain, so each of them makes the next call ask
Flask-Babel afresh.
"""

from __future__ import annotations

import flask_babel
from flask import g
from flask_babel import Babel, Domain
from werkzeug.utils import cached_property


def _context():
    """The request's Flask-Babel context (``g._flask_babel``), if it exists yet."""
    try:
        return g._get_current_object().__dict__.get("_flask_babel")
    except RuntimeError:  # no application context
        return None


def translations():
    """``flask_babel.get_translations()``, looked up once per request and locale."""
    ctx = _context()
    if ctx is not None:
        cached = ctx.__dict__.get("kyoso_translations")
        if (
            cached is not None
            and cached[0] is ctx.__dict__.get("babel_locale")
            and cached[1] is ctx.__dict__.get("babel_domain")
        ):
            return cached[2]
    return flask_babel.get_translations()  # through RequestDomain, which keeps it


class RequestDomain(Domain):
    """The default domain, whose translations are kept on the request's Babel context for its
    current locale; Python's ``gettext`` (``flask_babel.gettext`` and friends) uses it."""

    def get_translations(self):
        ctx = _context()
        if ctx is not None:
            cached = ctx.__dict__.get("kyoso_translations")
            if (
                cached is not None
                and cached[1] is self
                and cached[0] is ctx.__dict__.get("babel_locale")
            ):
                return cached[2]
        result = super().get_translations()
        ctx = _context()  # Flask-Babel made it, and set its locale, if there is a request
        if ctx is not None and ctx.__dict__.get("babel_locale") is not None:
            ctx.kyoso_translations = (ctx.babel_locale, self, result)
        return result


class KyosoBabel(Babel):
    @cached_property
    def domain_instance(self):
        return RequestDomain(domain=self.domain)

    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        app.jinja_env.install_gettext_callables(  # the templates' ``_`` and friends
            gettext=lambda s: translations().ugettext(s),
            ngettext=lambda s, p, n: translations().ungettext(s, p, n),
            newstyle=True,
            pgettext=lambda c, s: translations().upgettext(c, s),
            npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        )
