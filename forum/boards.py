"""Boards as data: creating and changing them, for the admin pages, a space's admins, the CLI and
a new space's template. One path, audited; the audience is checked here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from audit.log import record_action
from auth.models import Role
from auth.spaces import AUDIENCES, NATIONAL_SPACE_ID, Space
from core.extensions import db
from forum.models import BOARD_KINDS, Board

#: 行政職員限定: the verified government roles
GOVERNMENT_ROLES = ("municipal_staff", "prefectural_staff", "ministry_staff")
#: a new space's closed board (data in Japanese, like the migrations' default boards)
GOVERNMENT_BOARD = ("行政職員限定", "市町村・都道府県・府省庁の職員だけが読み書きできる掲示板です。")


class BadBoard(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Audience:
    kind: str = "public"
    roles: tuple[str, ...] = ()

    @property
    def column(self) -> str:
        return ",".join(self.roles)

    def __str__(self) -> str:
        return f"roles:{self.column}" if self.kind == "roles" else self.kind


def known_role_slugs() -> set[str]:
    return set(db.session.scalars(select(Role.slug)))


def parse_audience(text: str) -> Audience:
    """``public`` | ``members`` | ``roles:<slug>,<slug>`` (the CLI's and the API's notation)."""
    text = (text or "public").strip()
    kind, _sep, rest = text.partition(":")
    if kind not in AUDIENCES or (kind == "roles") != bool(_sep):
        raise BadBoard("audience", _("公開範囲は public、members、roles:<役割> のいずれかです。"))
    return audience_of(kind, rest.split(","))


def audience_of(kind: str, roles) -> Audience:
    if kind not in AUDIENCES:
        raise BadBoard("audience", _("公開範囲が正しくありません。"))
    if kind != "roles":
        return Audience(kind)
    slugs = tuple(sorted({r.strip() for r in roles if r and r.strip()}))
    if not slugs:
        raise BadBoard("audience_roles", _("閲覧できる役割を1つ以上選んでください。"))
    unknown = sorted(set(slugs) - known_role_slugs())
    if unknown:
        raise BadBoard("audience_roles",
                       _("存在しない役割があります：%(names)s", names="、".join(unknown)))  # fmt: skip
    return Audience("roles", slugs)


def state(board: Board) -> dict:
    """What the audit log keeps of a board before and after a change."""
    return {"name": board.name, "slug": board.slug, "description": board.description,
            "kind": board.kind, "position": board.position, "space": board.space_id,
            "audience": board.audience, "audience_roles": board.audience_roles,
            "is_premoderated": board.is_premoderated}  # fmt: skip


def slug_taken(slug: str, board_id: int | None = None) -> bool:
    return bool(db.session.scalar(
        select(func.count()).where(Board.slug == slug, Board.id != (board_id or 0))
    ))  # fmt: skip


def create_board(
    *, actor, space: Space | None, slug: str, name: str, kind: str = "cross",
    audience: Audience = Audience(), description: str = "", position: int | None = None,
    player_field_id: int | None = None, default_kind: str = "discussion",
    is_premoderated: bool = False,
) -> Board:  # fmt: skip
    """A new board in ``space`` (None: national). Raises :class:`BadBoard`; the caller commits."""
    if kind not in BOARD_KINDS:
        raise BadBoard("kind", _("種類が正しくありません。"))
    if slug_taken(slug):
        raise BadBoard("slug", _("このURL名はすでに使われています。"))
    space_id = space.id if space is not None else NATIONAL_SPACE_ID
    if position is None:
        last = db.session.scalar(select(func.max(Board.position)).where(Board.space_id == space_id))
        position = (last or 0) + 1
    board = Board(slug=slug, name=name, kind=kind, description=description, position=position,
                  space_id=space_id, audience=audience.kind, audience_roles=audience.column,
                  player_field_id=player_field_id, default_kind=default_kind,
                  is_premoderated=is_premoderated)  # fmt: skip
    db.session.add(board)
    db.session.flush()
    record_action(actor, "board.create", "board", board.id, after=state(board))
    return board


def set_audience(*, actor, board: Board, audience: Audience) -> None:
    before = state(board)
    board.audience, board.audience_roles = audience.kind, audience.column
    record_action(actor, "board.edit", "board", board.id, before=before, after=state(board))


def create_from_template(*, actor, space: Space) -> list[Board]:
    """A new space's boards: the national platform's public boards (cross-field and per-field,
    with their kinds and settings) under the space's prefix, plus a 行政職員限定 board. Space
    admins edit them afterwards."""
    template = db.session.scalars(
        select(Board).where(Board.space_id == NATIONAL_SPACE_ID, Board.audience == "public")
        .order_by(Board.position, Board.id)
    ).all()  # fmt: skip
    boards = [
        create_board(actor=actor, space=space, slug=f"{space.slug}-{b.slug}"[:60], name=b.name,
                     kind=b.kind, description=b.description, position=b.position,
                     player_field_id=b.player_field_id, default_kind=b.default_kind,
                     is_premoderated=b.is_premoderated)  # fmt: skip
        for b in template
    ]
    boards.append(create_board(
        actor=actor, space=space, slug=f"{space.slug}-gyosei"[:60], name=GOVERNMENT_BOARD[0],
        kind="cross", audience=Audience("roles", GOVERNMENT_ROLES), description=GOVERNMENT_BOARD[1],
    ))  # fmt: skip
    return boards
