"""Taxonomy administration: rename and reorder player fields and domains, add new ones, and
move a prefecture to another regional block. Codes of existing rows never change."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from admin.taxonomy_forms import PrefectureForm, TermForm
from audit.log import record_action
from auth.permissions import can
from auth.session import current_account
from core.extensions import db
from taxonomy.models import LifeDomain, PlayerField, Prefecture
from taxonomy.queries import list_life_domains, list_player_fields, list_prefectures, list_regions

bp = Blueprint("taxonomy_admin", __name__, url_prefix="/admin/taxonomies")

KINDS = {"player-fields": PlayerField, "life-domains": LifeDomain}


@bp.before_request
@login_required
def _admins_only():
    if not can(current_user, "taxonomy.manage"):
        abort(403)


@bp.get("")
def overview():
    return render_template(
        "admin/taxonomies.html",
        player_fields=list_player_fields(),
        life_domains=list_life_domains(),
        prefectures=list_prefectures(),
    )


@bp.route("/<kind>/new", methods=["GET", "POST"])
@bp.route("/<kind>/<int:term_id>/edit", methods=["GET", "POST"])
def edit_term(kind: str, term_id: int | None = None):
    model = KINDS.get(kind) or abort(404)
    term = db.session.get(model, term_id) if term_id else None
    if term_id and term is None:
        abort(404)
    form = TermForm(obj=term)
    if term is not None:
        form.slug.render_kw = {"readonly": True}  # slugs are stable identifiers
    if form.validate_on_submit():
        slug = term.slug if term is not None else form.slug.data
        taken = db.session.scalar(
            select(func.count()).where(model.slug == slug, model.id != (term_id or 0))
        )
        if taken:
            form.slug.errors.append(_("このURL名はすでに使われています。"))
        else:
            if term is None:
                term = model(slug=slug)
                db.session.add(term)
            term.name, term.position = form.name.data.strip(), form.position.data
            db.session.flush()
            record_action(current_account(), f"{kind}.save", kind, term.id,
                          after={"slug": term.slug, "name": term.name, "position": term.position})  # fmt: skip
            db.session.commit()
            flash(_("保存しました。"), "success")
            return redirect(url_for("taxonomy_admin.overview"))
    return render_template(
        "admin/edit_term.html", form=form, term=term, kind=kind
    ), 422 if form.errors else 200


@bp.route("/prefectures/<code>/edit", methods=["GET", "POST"])
def edit_prefecture(code: str):
    prefecture = db.session.get(Prefecture, code) or abort(404)
    form = PrefectureForm(obj=prefecture)
    form.region_code.choices = [SelectChoice(r.code, r.name) for r in list_regions()]
    if form.validate_on_submit():
        before = {"region": prefecture.region_code}
        prefecture.region_code = form.region_code.data
        record_action(current_account(), "prefecture.region", "prefecture",
                      int(prefecture.code), before=before, after={"region": prefecture.region_code})  # fmt: skip
        db.session.commit()
        flash(_("保存しました。"), "success")
        return redirect(url_for("taxonomy_admin.overview"))
    return render_template(
        "admin/edit_prefecture.html", form=form, prefecture=prefecture
    ), 422 if form.errors else 200
