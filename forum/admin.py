"""Board administration (admins): boards are data, edited here."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from audit.log import record_action
from auth.permissions import can
from core.extensions import db
from forum.forms import BoardForm
from forum.models import Board
from forum.queries import list_boards

bp = Blueprint("forum_admin", __name__, url_prefix="/admin/boards")


def _board_state(board: Board) -> dict:
    return {"name": board.name, "slug": board.slug, "description": board.description,
            "kind": board.kind, "position": board.position,
            "is_premoderated": board.is_premoderated}  # fmt: skip


@bp.before_request
@login_required
def _admins_only():
    if not can(current_user, "board.manage"):
        abort(403)


@bp.get("")
def boards():
    return render_template("admin/boards.html", boards=list_boards())


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:board_id>/edit", methods=["GET", "POST"])
def edit_board(board_id: int | None = None):
    board = db.session.get(Board, board_id) if board_id else None
    if board_id and board is None:
        abort(404)
    form = BoardForm(obj=board)
    if form.validate_on_submit():
        taken = db.session.scalar(
            select(func.count()).where(Board.slug == form.slug.data, Board.id != (board_id or 0))
        )
        if taken:
            form.slug.errors.append(_("このURL名はすでに使われています。"))
        else:
            before = _board_state(board) if board is not None else None
            if board is None:
                board = Board()
                db.session.add(board)
            form.populate_obj(board)
            db.session.flush()
            record_action(current_user._get_current_object(),
                          "board.create" if before is None else "board.edit", "board", board.id,
                          before=before, after=_board_state(board))  # fmt: skip
            db.session.commit()
            flash(_("掲示板を保存しました。"), "success")
            return redirect(url_for("forum_admin.boards"))
    return render_template("admin/edit_board.html", form=form, board=board), (
        422 if form.errors else 200
    )
