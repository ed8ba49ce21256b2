"""Board administration (admins): boards are data, edited here."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import delete, select
from wtforms.fields.choices import SelectChoice

from audit.log import record_action
from auth.models import BoardModerator, Role, User
from auth.permissions import can
from auth.session import current_account
from auth.spaces import Space, list_spaces
from core.extensions import db
from forum import boards as boards_service
from forum.forms import BoardForm
from forum.models import Board
from forum.queries import list_boards

bp = Blueprint("forum_admin", __name__, url_prefix="/admin/boards")


def _roles() -> list[Role]:
    return list(db.session.scalars(select(Role).where(Role.badge != "").order_by(Role.position)))


def _board_moderators(board: Board) -> list[User]:
    return list(db.session.scalars(
        select(User).join(BoardModerator, BoardModerator.user_id == User.id)
        .where(BoardModerator.board_id == board.id).order_by(User.handle)
    ))  # fmt: skip


def _set_board_moderators(board: Board, people: list[User]) -> None:
    db.session.execute(delete(BoardModerator).where(BoardModerator.board_id == board.id))
    db.session.add_all(BoardModerator(user_id=u.id, board_id=board.id) for u in people)


def _board_state(board: Board) -> dict:
    return {**boards_service.state(board),
            "moderators": [u.handle for u in _board_moderators(board)] if board.id else []}  # fmt: skip


def _manageable_spaces() -> list[Space]:
    """Site admins: every space; a space's admins: theirs."""
    return [s for s in list_spaces() if can(current_user, "board.manage", s)]


@bp.before_request
@login_required
def _admins_only():
    """Site admins, and the admins of a space (for their space's boards)."""
    if not can(current_user, "board.manage") and not current_user.administered_space_ids:
        abort(403)


@bp.get("")
def boards():
    spaces = _manageable_spaces()
    ids = {s.id for s in spaces}
    return render_template("admin/boards.html", spaces=spaces,
                           boards=[b for b in list_boards() if b.space_id in ids])  # fmt: skip


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:board_id>/edit", methods=["GET", "POST"])
def edit_board(board_id: int | None = None):
    board = db.session.get(Board, board_id) if board_id else None
    if board_id and board is None:
        abort(404)
    if board is not None and not can(current_user, "board.manage", board):
        abort(403)
    spaces = _manageable_spaces()
    asked = request.args.get("space", type=int)
    default_space = asked if asked in {s.id for s in spaces} else spaces[0].id
    form = BoardForm(obj=board, data=None if board else {"space_id": default_space})
    form.space_id.choices = [SelectChoice(s.id, s.name) for s in spaces]
    form.audience_roles.choices = [SelectChoice(r.slug, r.name) for r in _roles()]
    if request.method == "GET":
        form.audience_roles.data = sorted(board.audience_role_slugs) if board else []
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
        if boards_service.slug_taken(form.slug.data, board_id):
            form.slug.errors.append(_("このURL名はすでに使われています。"))
        try:
            audience = boards_service.audience_of(form.audience.data, form.audience_roles.data)
        except boards_service.BadBoard as exc:
            getattr(form, exc.field).errors.append(exc.message)
        if not form.errors:
            before = _board_state(board) if board is not None else None
            if board is None:
                board = Board()
                db.session.add(board)
            del form.moderators, form.audience_roles  # not Board columns as such
            form.populate_obj(board)
            board.audience, board.audience_roles = audience.kind, audience.column
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
