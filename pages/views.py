"""The site pages (運営者情報, 利用規約, アクセシビリティ方針, はじめての方へ) and the contact form.
Views translate HTTP; ``pages.service`` and ``pages.contact`` act."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from auth.session import current_account
from core import pagecache
from core.extensions import db, limiter
from core.ratelimit import PER_ADDRESS_POSTING, user_or_address
from pages import contact as contact_service
from pages import service
from pages.forms import ContactForm

bp = Blueprint("pages", __name__)

#: the pages shown by :func:`show` (お問い合わせ has its form view)
READING_PAGES = ("about", "terms", "accessibility", "guide")


@pagecache.cached()
def show(slug: str):
    page = service.get_page(slug)
    if page is None:
        abort(404)
    return render_template("pages/page.html", page=page, may_edit=service.may_edit(current_user))


for _slug in READING_PAGES:  # one endpoint each: url_for("pages.terms") …
    bp.add_url_rule(f"/{_slug}", _slug, show, defaults={"slug": _slug})


def _sent(response) -> bool:
    """Only messages that went out use up the sender's budget (a form shown again does not)."""
    return 300 <= response.status_code < 400


def _contact_limit() -> str:
    return current_app.config["CONTACT_LIMIT"]


def _render_contact(form: ContactForm, concerns=(), status: int = 200, limited: bool = False):
    return render_template(
        "pages/contact.html", form=form, concerns=list(concerns), limited=limited,
        page=service.get_page("contact"), may_edit=service.may_edit(current_user),
    ), status  # fmt: skip


@bp.route("/contact", methods=["GET", "POST"])
@limiter.limit(_contact_limit, key_func=user_or_address, methods=["POST"], deduct_when=_sent)
@limiter.limit(PER_ADDRESS_POSTING, methods=["POST"])
def contact():
    form = ContactForm()
    if request.method == "GET" and current_user.is_authenticated:
        form.email.data = form.email.data or current_user.email
        form.name.data = form.name.data or current_user.display_name
    if not form.validate_on_submit():
        return _render_contact(form, status=422 if form.errors else 200)
    outcome = contact_service.submit_contact(
        sender=current_account() if current_user.is_authenticated else None,
        name=form.name.data or "", email=form.email.data, category=form.category.data,
        body=form.message.data, confirmed=form.confirm.data,
    )  # fmt: skip
    if outcome.status != "sent":
        return _render_contact(form, outcome.concerns, status=422)
    db.session.commit()
    try:
        contact_service.mail_secretariat(outcome.message)
    except OSError:  # the message is in the queue; the mail server can be fixed later
        current_app.logger.exception("contact mail to the secretariat failed")
    flash(_("お問い合わせを受け付けました。事務局から、入力していただいたメールアドレスに"
            "返事をお送りします。"), "success")  # fmt: skip
    return redirect(url_for("pages.contact"))


@bp.errorhandler(429)
def _too_many(exc):
    """Too many messages: the form again, with what was typed and why it was not sent."""
    if request.endpoint != "pages.contact":
        return exc
    return _render_contact(ContactForm(), status=429, limited=True)
