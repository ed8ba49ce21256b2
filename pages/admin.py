"""Editing the site pages (site admins): the list, the edit form with preview, the history."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.session import current_account
from core.extensions import db
from forum.rendering import render_markdown
from pages import service
from pages.forms import PageForm

bp = Blueprint("pages_admin", __name__, url_prefix="/admin/pages")


@bp.before_request
@login_required
def _admins_only():
    if not service.may_edit(current_user):
        abort(403)


def _page_or_404(slug: str):
    page = service.get_page(slug)
    if page is None:
        abort(404)
    return page


def public_url(slug: str) -> str:
    return url_for(f"pages.{slug}")


@bp.get("")
def index():
    return render_template("pages/admin_list.html", pages=service.list_pages(),
                           public_url=public_url)  # fmt: skip


@bp.route("/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    page = _page_or_404(slug)
    form = PageForm(data=None if request.method == "POST" else {
        "title": page.title, "body": page.body_source, "version": page.version})  # fmt: skip
    preview_html, conflict = None, None
    if form.validate_on_submit():
        if form.preview.data:
            preview_html = render_markdown(form.body.data)
        else:
            outcome = service.edit_page(page, actor=current_account(), title=form.title.data,
                                        body=form.body.data, version=form.version.data,
                                        note=form.note.data or "")  # fmt: skip
            if outcome.status == "forbidden":
                abort(403)
            if outcome.status == "unchanged":
                flash(_("変更はありませんでした。"), "info")
                return redirect(public_url(page.slug))
            if outcome.status == "done":
                db.session.commit()
                flash(_("「%(title)s」を保存しました（版 %(v)s）。", title=page.title,
                        v=page.version), "success")  # fmt: skip
                return redirect(public_url(page.slug))
            conflict = outcome.page
            flash(service.conflict_message(), "error")
            # saving again from this form knowingly replaces the newer text
            form.version.data, form.version.raw_data = conflict.version, [str(conflict.version)]
    status = 409 if conflict is not None else 422 if form.errors else 200
    return render_template("pages/admin_edit.html", page=page, form=form,
                           preview_html=preview_html, conflict=conflict,
                           public_url=public_url(page.slug)), status  # fmt: skip


@bp.get("/<slug>/revisions")
def revisions(slug: str):
    page = _page_or_404(slug)
    return render_template("pages/admin_revisions.html", page=page,
                           revisions=service.list_revisions(page),
                           public_url=public_url(page.slug))  # fmt: skip
