"""How a notification reads (centre, API, toast, e-mail): one sentence and one link, built
for a whole list at once (threads and actors bulk-loaded)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from auth.models import User
from core.extensions import db
from forum import audience
from forum.models import Board, Thread
from notifications import kinds
from notifications.models import Notification
from structured.schema import KIND_LABELS, SECTIONS


@dataclass
class Shown:
    id: int
    kind: str
    text: str
    url: str
    count: int
    is_read: bool
    is_quiet: bool
    created_at: datetime
    updated_at: datetime
    thread_id: int | None
    post_id: int | None


def _moderation_text(n: Notification, title: str) -> str:
    action = (n.data or {}).get("action")
    texts = {
        "held": _("「%(title)s」への投稿は、モデレーターの確認待ちです。", title=title),
        "approved": _("「%(title)s」への投稿が承認され、公開されました。", title=title),
        "rejected": _("「%(title)s」への投稿は公開されませんでした。", title=title),
        "hidden": _("「%(title)s」のあなたの投稿が非表示になりました。", title=title),
        "restored": _("「%(title)s」のあなたの投稿が再び表示されるようになりました。", title=title),
        "deleted": _("「%(title)s」のあなたの投稿が削除されました。", title=title),
        "flag_agreed": _("あなたの通報を受けて、「%(title)s」の投稿に対応しました。", title=title),
        "flag_disagreed": _(
            "あなたが通報した「%(title)s」の投稿は、問題なしと判断されました。", title=title
        ),
        "flag_ignored": _("あなたが通報した「%(title)s」の投稿の確認が終わりました。", title=title),
    }
    return texts.get(action, _("モデレーションの結果があります。"))


def _verification_text(data: dict) -> str:
    """The outcome; an approved role says what it unlocked, in the reader's language."""
    if data.get("outcome") != "approved":
        return _("役割の確認が終わりました。今回は承認されませんでした。")
    if data.get("role") == "account":
        return _("アカウントが承認されました。投稿できるようになりました。")
    unlocked = [KIND_LABELS[k] for k in data.get("unlocked") or () if k in KIND_LABELS]
    role = data.get("role_name")
    if role and unlocked:
        return _("「%(role)s」として認証されました。%(kinds)sを登録できるようになりました。",
                 role=role, kinds="、".join(str(k) for k in unlocked))  # fmt: skip
    if role:
        return _("「%(role)s」として認証されました。", role=role)
    return _("役割の確認が終わり、承認されました。")


#: a problem's status as its watchers read it (the values of ``structured.schema``)
_STATUS_WORDS = {"open": _l("募集中"), "negotiating": _l("調整中"), "partnered": _l("連携成立"),
                 "closed": _l("終了")}  # fmt: skip


def _cocreation_text(n: Notification, actor: str, title: str) -> str:
    """Co-creation: an offer received, an answer to one's offer, a problem's new status. A
    declined offer is told kindly: the offer was welcome, only this time it did not fit."""
    data = n.data or {}
    action = data.get("action")
    org = data.get("organization") or actor
    if action == "offer_created":
        return _("%(org)sから「%(title)s」への連携の申し出が届きました。", org=org, title=title)
    if action == "offer_accepted":
        return _("「%(title)s」へのお申し出について、話し合いを始めたいとのお返事がありました。",
                 title=title)  # fmt: skip
    if action == "offer_partnered":
        return _("「%(title)s」で、あなたの団体との連携が成立しました。ありがとうございます。",
                 title=title)  # fmt: skip
    if action == "offer_declined":
        return _(
            "「%(title)s」へのお申し出、ありがとうございました。今回はご縁がありませんでしたが、"
            "力を貸そうと声をかけてくださったことに心から感謝します。"
            "また別の課題でご一緒できることを楽しみにしています。",
            title=title,
        )
    if action == "offer_withdrawn":
        return _("%(org)sが「%(title)s」への申し出を取り下げました。", org=org, title=title)
    if action == "status":
        status = str(_STATUS_WORDS.get(data.get("status"), data.get("status") or ""))
        return _("地域課題「%(title)s」の状況が「%(status)s」になりました。", title=title,
                 status=status)  # fmt: skip
    return _("地域課題の連携についてお知らせがあります。")


def _text(n: Notification, actor: str, title: str, board: str) -> str:
    if n.kind == kinds.MENTIONED:
        return _("%(actor)sさんが「%(title)s」であなたをメンションしました。", actor=actor,
                 title=title)  # fmt: skip
    if n.kind == kinds.QUOTED:
        return _("%(actor)sさんが「%(title)s」であなたの投稿を引用しました。", actor=actor,
                 title=title)  # fmt: skip
    if n.kind == kinds.REPLIED:
        if n.count > 1:
            return _("「%(title)s」に%(n)s件の返信があります。", title=title, n=n.count)
        return _("%(actor)sさんが「%(title)s」に返信しました。", actor=actor, title=title)
    if n.kind == kinds.POSTED:
        if n.count > 1:
            return _("「%(title)s」に%(n)s件の新しい投稿があります。", title=title, n=n.count)
        return _("%(actor)sさんが「%(title)s」に投稿しました。", actor=actor, title=title)
    if n.kind == kinds.NEW_THREAD:
        return _("%(actor)sさんが新しいスレッド「%(title)s」を作成しました。", actor=actor,
                 title=title)  # fmt: skip
    if n.kind == kinds.MODERATION:
        return _moderation_text(n, title or (n.data or {}).get("title", ""))
    if n.kind == kinds.VERIFICATION:
        return _verification_text(n.data or {})
    if n.kind == kinds.COCREATION:
        return _cocreation_text(n, actor, title)
    if n.kind == kinds.EVENT_REMINDER:
        return _("明日はイベント「%(title)s」の日です。", title=title)
    if n.kind == kinds.QUEUE_ITEM:
        if board:
            return _("「%(board)s」に確認待ちの項目が%(n)s件あります。", board=board, n=n.count)
        return _("確認待ちの項目が%(n)s件あります。", n=n.count)
    if n.kind == kinds.MATCHING:
        count = int((n.data or {}).get("n") or 1)
        if title and count > 1:
            return _("「%(title)s」など、あなたの団体に合いそうな新しい地域課題が%(n)s件あります。",
                     title=title, n=count)  # fmt: skip
        if title:
            return _("あなたの団体に合いそうな新しい地域課題「%(title)s」があります。", title=title)
        return _("あなたの団体に合いそうな新しい地域課題があります。")
    if n.kind == kinds.MESSAGE:
        if (n.data or {}).get("invited") and n.count == 1:
            return _("%(actor)sさんが個別メッセージにあなたを招待しました。", actor=actor)
        if n.count > 1:
            return _("個別メッセージが%(n)s件届いています。", n=n.count)
        return _("%(actor)sさんから個別メッセージが届きました。", actor=actor)
    return _("お知らせがあります。")


def _url(n: Notification) -> str:
    if n.kind == kinds.MESSAGE:
        conversation_id = (n.data or {}).get("conversation_id")
        if conversation_id:
            return url_for("conversations.conversation", conversation_id=conversation_id)
        return url_for("conversations.inbox")
    if n.kind == kinds.QUEUE_ITEM:
        return url_for("moderation.review_queue")
    if n.kind == kinds.MODERATION and n.post_id is None:
        held_id = (n.data or {}).get("held_id")
        if held_id:  # the author's 「確認待ち」 page of what they sent, with its status
            return url_for("moderation.held_post", held_id=held_id)
        return url_for("moderation.my_moderation")
    if n.kind == kinds.MATCHING and (n.data or {}).get("org"):
        return url_for("directory.organization", slug=n.data["org"], _anchor="matching")
    if n.kind == kinds.VERIFICATION:
        unlocked = [k for k in (n.data or {}).get("unlocked") or () if k in SECTIONS]
        if unlocked:  # where the member may now post: the first listing it unlocked
            return url_for("structured.listing", kind=unlocked[0])
        return url_for("notifications.centre")
    if n.post_id is not None:
        return url_for("forum.permalink", post_id=n.post_id)
    if n.thread_id is not None:
        return url_for("forum.thread", thread_id=n.thread_id)
    return url_for("notifications.centre")


def present(notifications: list[Notification]) -> list[Shown]:
    thread_ids = {n.thread_id for n in notifications if n.thread_id}
    actor_ids = {n.actor_id for n in notifications if n.actor_id}
    board_ids = {
        (n.data or {}).get("board_id") for n in notifications if n.kind == kinds.QUEUE_ITEM
    }
    board_ids.discard(None)
    # a member who lost access to a closed board (left the space, lost the role) no longer sees
    # its threads' titles in notifications they had received
    titles = dict(
        db.session.execute(
            select(Thread.id, Thread.title).where(
                Thread.id.in_(thread_ids), audience.readable_filter(Thread.board_id, audience.viewer())
            )
        ).all()
    ) if thread_ids else {}  # fmt: skip
    actors = dict(
        db.session.execute(
            select(User.id, User.display_name).where(User.id.in_(actor_ids))
        ).all()
    ) if actor_ids else {}  # fmt: skip
    boards = dict(
        db.session.execute(select(Board.id, Board.name).where(Board.id.in_(board_ids))).all()
    ) if board_ids else {}  # fmt: skip
    shown = []
    for n in notifications:
        text = _text(
            n, actors.get(n.actor_id, _("だれか")), titles.get(n.thread_id, ""),
            boards.get((n.data or {}).get("board_id"), ""),
        )  # fmt: skip
        shown.append(
            Shown(
                id=n.id, kind=n.kind, text=text, url=_url(n), count=n.count,
                is_read=n.read_at is not None, is_quiet=n.is_quiet, created_at=n.created_at,
                updated_at=n.updated_at, thread_id=n.thread_id, post_id=n.post_id,
            )
        )  # fmt: skip
    return shown
