"""Board administration (admins): boards are data, edited here."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import delete, func, select

from audit.log import record_action
from auth.models import BoardModerator, User
from auth.permissions import can
from auth.session import current_account
from core.extensions import db
from forum.forms import BoardForm
from forum.models import Board
from forum.queries import list_boards

bp = Blueprint("forum_admin", __name__, url_prefix="/admin/boards")


def _board_moderators(board: Board) -> list[User]:
    return list(db.session.scalars(
        select(User).join(BoardModerator, BoardModerator.user_id == User.id)
        .where(BoardModerator.board_id == board.id).order_by(User.handle)
    ))  # fmt: skip


def _set_board_moderators(board: Board, people: list[User]) -> None:
    db.session.execute(delete(BoardModerator).where(BoardModerator.board_id == board.id))
    db.session.add_all(BoardModerator(user_id=u.id, board_id=board.id) for u in people)


def _board_state(board: Board) -> dict:
    return {"name": board.name, "slug": board.slug, "description": board.description,
            "kind": board.kind, "position": board.position,
            "is_premoderated": board.is_premoderated,
            "moderators": [u.handle for u in _board_moderators(board)] if board.id else []}  # fmt: skip


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
    if request.method == "GET" and board is not None:
        form.moderators.data = ", ".join(u.handle for u in _board_moderators(board))
    if form.validate_on_submit():
        handles = [h.strip().lower().lstrip("@") for h in (form.moderators.data or "").split(",")]
        handles = [h for h in handles if h]
        people = (
            list(db.session.scalars(select(User).where(User.handle.in_(handles))))
            if handles
            else []
        )
        unknown = sorted(set(handles) - {u.handle for u in people})
        if unknown:
            form.moderators.errors.append(
                _("見つからないハンドル名があります：%(names)s", names="、".join(unknown))
            )
        taken = db.session.scalar(
            select(func.count()).where(Board.slug == form.slug.data, Board.id != (board_id or 0))
        )
        if taken:
            form.slug.errors.append(_("このURL名はすでに使われています。"))
        if not form.errors:
            before = _board_state(board) if board is not None else None
            if board is None:
                board = Board()
                db.session.add(board)
            del form.moderators  # not a Board column
            form.populate_obj(board)
            db.session.flush()
            _set_board_moderators(board, people)
            record_action(current_account(),
                          "board.create" if before is None else "board.edit", "board", board.id,
                          before=before, after=_board_state(board))  # fmt: skip
            db.session.commit()
            flash(_("掲示板を保存しました。"), "success")
            return redirect(url_for("forum_admin.boards"))
    return render_template("admin/edit_board.html", form=form, board=board), (
        422 if form.errors else 200
    )
