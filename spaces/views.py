"""Pages of the spaces: a platform's home, joining and leaving, its members (for its admins) and
creating one (site admins). Views translate HTTP; ``spaces.service`` acts."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from auth import accounts
from auth.permissions import can
from auth.session import current_account
from auth.spaces import NATIONAL_SPACE_ID, get_space, membership
from core.extensions import db
from forum import queries
from spaces import service
from spaces.forms import MemberForm, SpaceForm
from structured import queries as structured_queries
from taxonomy.models import Prefecture

bp = Blueprint("spaces", __name__)


def _space_or_404(slug: str):
    space = get_space(slug)
    if space is None:
        abort(404)
    return space


@bp.get("/pf/<slug>")
def home(slug: str):
    space = _space_or_404(slug)
    if space.id == NATIONAL_SPACE_ID:
        return redirect(url_for("forum.index"))
    boards = queries.readable_boards(current_user, space_id=space.id)
    return render_template(
        "spaces/home.html", space=space,
        cross_boards=[b for b in boards if b.kind == "cross"],
        field_boards=[b for b in boards if b.kind == "field"],
        items=structured_queries.for_space_home(space),
        member=membership(current_user, space),
    )  # fmt: skip


@bp.post("/pf/<slug>/join")
@login_required
def join(slug: str):
    space = _space_or_404(slug)
    result = service.request_join(current_account(), space)
    db.session.commit()
    messages = {
        "joined": _("「%(name)s」に参加しました。", name=space.name),
        "pending": _("参加を申請しました。このプラットフォームのモデレーターが確認します。"),
        "already": _("すでに参加しています。"),
        "refused": _("メールアドレスの確認が済むと参加できます。"),
    }
    flash(messages[result], "success" if result in ("joined", "pending") else "info")
    return redirect(url_for("spaces.home", slug=space.slug))


@bp.post("/pf/<slug>/leave")
@login_required
def leave(slug: str):
    space = _space_or_404(slug)
    if service.leave(current_account(), space):
        db.session.commit()
        flash(_("「%(name)s」から退出しました。", name=space.name), "success")
    return redirect(url_for("spaces.home", slug=space.slug))


@bp.route("/pf/<slug>/members", methods=["GET", "POST"])
@login_required
def members(slug: str):
    space = _space_or_404(slug)
    if space.id == NATIONAL_SPACE_ID or not can(current_user, "space.manage", space):
        abort(403)
    form = MemberForm()
    if form.validate_on_submit():
        user = accounts.find_user_by_handle(form.handle.data.strip().lstrip("@").lower())
        if user is None:
            form.handle.errors.append(_("このハンドル名の人は見つかりません。"))
        else:
            result = service.set_member_role(actor=current_account(), space=space, user=user,
                                             role=form.role.data)  # fmt: skip
            if result.status == "done":
                db.session.commit()
                flash(_("%(name)sさんを設定しました。", name=user.display_name), "success")
                return redirect(url_for("spaces.members", slug=space.slug))
            abort(403)
    return render_template("spaces/members.html", space=space, form=form,
                           members=service.members(space)), (422 if form.errors else 200)  # fmt: skip


@bp.route("/admin/spaces/new", methods=["GET", "POST"])
@login_required
def new_space():
    if not can(current_user, "board.manage"):
        abort(403)
    form = SpaceForm()
    form.prefecture.choices = [SelectChoice("", _("選んでください"))] + [
        SelectChoice(p.code, p.name) for p in db.session.scalars(db.select(Prefecture).order_by(Prefecture.code))
    ]  # fmt: skip
    if form.validate_on_submit():
        result = service.create_space(
            actor=current_account(), slug=form.slug.data, name=form.name.data,
            prefecture_code=form.prefecture.data, description=form.description.data,
            join=form.join.data,
        )  # fmt: skip
        if result.status == "done":
            db.session.commit()
            flash(_("「%(name)s」を作成しました。", name=result.space.name), "success")
            return redirect(url_for("spaces.home", slug=result.space.slug))
        for name, messages in result.errors.items():
            getattr(form, name).errors = list(getattr(form, name).errors) + messages
    return render_template("spaces/new.html", form=form), (422 if form.errors else 200)
