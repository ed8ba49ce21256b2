"""Directory administration (``directory.manage``): organisations, the accounts that speak for
them, and the related-links page. Every change is audited (``directory.manage``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from auth.models import User
from auth.permissions import can
from auth.session import current_account
from core.cursors import BadCursor
from core.extensions import db, limiter
from core.ratelimit import PER_USER_POSTING, user_or_address
from directory import manage, queries
from directory.forms import ConfirmForm, MemberForm, OrganizationForm, RelatedLinkForm
from directory.kinds import KIND_LABELS
from directory.models import Organization, RelatedLink
from taxonomy.queries import list_player_fields, list_prefectures

bp = Blueprint("directory_admin", __name__, url_prefix="/admin/directory")
limiter.limit(PER_USER_POSTING, key_func=user_or_address, methods=["POST"])(bp)


@bp.before_request
@login_required
def _directory_managers_only():
    if not can(current_user, "directory.manage"):
        abort(403)


def _org_or_404(org_id: int) -> Organization:
    return db.session.get(Organization, org_id) or abort(404)


def _link_or_404(link_id: int) -> RelatedLink:
    return db.session.get(RelatedLink, link_id) or abort(404)


# --- organisations ----------------------------------------------------------------------------


@bp.get("")
def overview():
    try:
        page = queries.list_organizations(
            cursor=request.args.get("cursor") or None, limit=100, include_unlisted=True
        )
    except BadCursor:
        abort(400)
    return render_template(
        "admin/directory/organizations.html",
        page=page,
        kind_labels=KIND_LABELS,
        is_first_page=not request.args.get("cursor"),
    )


def _organization_form(org: Organization | None, *, submitted: bool = True) -> OrganizationForm:
    """The organisation form; ``submitted=False`` shows the stored values even on a POST (the
    member form posts to its own address and re-renders this page)."""
    form = OrganizationForm(obj=org) if submitted else OrganizationForm(formdata=None, obj=org)
    form.player_field_id.choices = [SelectChoice("", _("選択しない"))] + [
        SelectChoice(str(f.id), f.name) for f in list_player_fields()
    ]
    form.prefecture_code.choices = [SelectChoice("", _("選択しない"))] + [
        SelectChoice(p.code, p.name) for p in list_prefectures()
    ]
    if org is not None:
        form.slug.render_kw = {"readonly": True}  # page addresses stay stable
    if org is not None and (request.method == "GET" or not submitted):
        form.player_field_id.data = str(org.player_field_id or "")
        form.prefecture_code.data = org.prefecture_code or ""
    return form


def _render_edit(org: Organization | None, form: OrganizationForm, member_form=None):
    status = 422 if form.errors or (member_form is not None and member_form.errors) else 200
    return render_template(
        "admin/directory/edit_organization.html",
        org=org,
        form=form,
        member_form=member_form or MemberForm(formdata=None),
        members=queries.list_members(org) if org is not None else [],
        confirm_form=ConfirmForm(),
    ), status


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
def edit_organization(org_id: int | None = None):
    org = _org_or_404(org_id) if org_id else None
    form = _organization_form(org)
    if form.validate_on_submit():
        slug = org.slug if org is not None else form.slug.data
        taken = db.session.scalar(
            select(func.count()).where(Organization.slug == slug, Organization.id != (org_id or 0))
        )
        if taken:
            form.slug.errors.append(_("このURL名はすでに使われています。"))
        else:
            values = {
                "name": form.name.data,
                "slug": slug,
                "kind": form.kind.data,
                "player_field_id": int(form.player_field_id.data) if form.player_field_id.data
                else None,
                "prefecture_code": form.prefecture_code.data or None,
                "description": form.description.data or "",
                "website_url": form.website_url.data or "",
                "publish_website": form.publish_website.data,
                "is_listed": form.is_listed.data,
            }  # fmt: skip
            org = manage.save_organization(current_account(), org, values)
            db.session.commit()
            flash(_("保存しました。"), "success")
            return redirect(url_for("directory_admin.edit_organization", org_id=org.id))
    return _render_edit(org, form)


@bp.route("/<int:org_id>/delete", methods=["GET", "POST"])
def delete_organization(org_id: int):
    org = _org_or_404(org_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = org.name
        manage.delete_organization(current_account(), org)
        db.session.commit()
        flash(_("「%(name)s」を削除しました。", name=name), "success")
        return redirect(url_for("directory_admin.overview"))
    return render_template(
        "admin/directory/delete.html",
        form=form,
        heading=_("団体の削除"),
        question=_("「%(name)s」をリストから削除します。メンバーのアカウントは残り、団体との関連付けだけが外れます。よろしいですか？", name=org.name),
        cancel_url=url_for("directory_admin.edit_organization", org_id=org.id),
    )  # fmt: skip


@bp.post("/<int:org_id>/members")
def add_member(org_id: int):
    org = _org_or_404(org_id)
    member_form = MemberForm()
    if member_form.validate_on_submit():
        handle = member_form.handle.data.lower().lstrip("@")
        user = db.session.scalar(select(User).where(User.handle == handle))
        if user is None:
            member_form.handle.errors.append(
                _("ハンドル名「%(handle)s」のアカウントは見つかりません。", handle=handle)
            )
        elif user.organization_id == org.id:
            member_form.handle.errors.append(_("このアカウントはすでにこの団体のメンバーです。"))
        else:
            previous = manage.assign_member(current_account(), org, user)
            db.session.commit()
            if previous is not None:
                flash(_("%(name)sさんをこの団体のメンバーにしました（以前の団体から移りました）。",
                        name=user.display_name), "success")  # fmt: skip
            else:
                flash(_("%(name)sさんをこの団体のメンバーにしました。", name=user.display_name),
                      "success")  # fmt: skip
            return redirect(url_for("directory_admin.edit_organization", org_id=org.id))
    return _render_edit(org, _organization_form(org, submitted=False), member_form)


@bp.post("/<int:org_id>/members/<int:user_id>/remove")
def remove_member(org_id: int, user_id: int):
    org = _org_or_404(org_id)
    user = db.session.get(User, user_id)
    if user is None or user.organization_id != org.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    manage.unassign_member(current_account(), org, user)
    db.session.commit()
    flash(_("%(name)sさんをこの団体のメンバーから外しました。", name=user.display_name), "success")
    return redirect(url_for("directory_admin.edit_organization", org_id=org.id))


# --- related links ----------------------------------------------------------------------------


@bp.get("/links")
def links():
    return render_template(
        "admin/directory/links.html", links=queries.list_links(), confirm_form=ConfirmForm()
    )


@bp.route("/links/new", methods=["GET", "POST"])
@bp.route("/links/<int:link_id>/edit", methods=["GET", "POST"])
def edit_link(link_id: int | None = None):
    link = _link_or_404(link_id) if link_id else None
    form = RelatedLinkForm(obj=link)
    if form.validate_on_submit():
        manage.save_link(current_account(), link, {
            "category": form.category.data, "title": form.title.data, "url": form.url.data,
            "description": form.description.data or "", "position": form.position.data})  # fmt: skip
        db.session.commit()
        flash(_("保存しました。"), "success")
        return redirect(url_for("directory_admin.links"))
    return render_template(
        "admin/directory/edit_link.html", form=form, link=link
    ), 422 if form.errors else 200


@bp.route("/links/<int:link_id>/delete", methods=["GET", "POST"])
def delete_link(link_id: int):
    link = _link_or_404(link_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = link.title
        manage.delete_link(current_account(), link)
        db.session.commit()
        flash(_("「%(title)s」を削除しました。", title=title), "success")
        return redirect(url_for("directory_admin.links"))
    return render_template(
        "admin/directory/delete.html",
        form=form,
        heading=_("関連リンクの削除"),
        question=_("関連リンク「%(title)s」を削除します。よろしいですか？", title=link.title),
        cancel_url=url_for("directory_admin.links"),
    )


@bp.post("/links/<int:link_id>/move")
def move_link(link_id: int):
    link = _link_or_404(link_id)
    direction = request.form.get("direction", "")
    if direction not in ("up", "down") or not ConfirmForm().validate_on_submit():
        abort(400)
    if manage.move_link(current_account(), link, direction):
        db.session.commit()
    return redirect(url_for("directory_admin.links", _anchor=f"link-{link.id}"))
