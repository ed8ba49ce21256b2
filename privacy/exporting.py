"""開示: everything Kyoso holds about a member, as one document and one zip archive
(``kyoso-data.json`` + ``files/`` with the attachments they uploaded + ``README.txt``).

One section per ``export`` key of the inventory (``privacy.inventory``); the test of
``tests/privacy/test_export.py`` checks that every key is present. Only the member's own rows;
other people appear only as handles (actors of notifications, muted members), staff as their
role ("moderator"), never with their e-mail, profile or private data. Secrets are never written:
no password hash, no token or session hashes.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from attachments import storage
from attachments.models import Attachment
from audit.models import AuditEntry
from auth.models import ApiToken, BoardModerator, User, UserSession
from auth.spaces import Space, SpaceMember
from cocreation.models import Offer
from conversations.models import Conversation, ConversationMessage, ConversationParticipant
from core.extensions import db
from core.jsonapi import iso
from core.types import utcnow
from forum.models import Board, Post, PostRevision, Thread
from moderation.models import Flag, HeldPost, MessageFlag, ModerationItem, RoleRequest
from notifications import exporting as notification_export
from privacy.inventory import INVENTORY
from structured.models import ThreadDetail

FORMAT_VERSION = 1
DATA_NAME = "kyoso-data.json"
ARCHIVE_NAME = "kyoso-data.zip"

#: the archive's sections (from the inventory) and this document's bookkeeping keys
SECTIONS = tuple(dict.fromkeys(e.export for e in INVENTORY if e.export))


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "handle": user.handle,
        "email": user.email,
        "email_confirmed_at": iso(user.email_confirmed_at),
        "display_name": user.display_name,
        "role": user.role.slug,
        "affiliation": user.affiliation,
        "shown_on_profile": {"affiliation": user.show_affiliation, "region": user.show_region,
                             "fields": user.show_fields},
        "role_title": user.role_title,
        "prefecture_code": user.prefecture_code,
        "municipality": user.municipality,
        "organization_id": user.organization_id,
        "player_fields": [f.name for f in user.player_fields],
        "bio": user.bio,
        "locale": user.locale,
        "created_at": iso(user.created_at),
        "password_changed_at": iso(user.password_changed_at),
        "consent": {
            "terms_version": user.terms_version,
            "accepted_at": iso(user.terms_accepted_at),
        },
        "sanctions": {
            "is_suspended": user.is_suspended,
            "suspended_until": iso(user.suspended_until),
            "silenced_until": iso(user.silenced_until),
            "reason": user.sanction_reason,
        },
    }


def _posts(uid: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Post, Thread.title).join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == uid).order_by(Post.id)
    ).all()  # fmt: skip
    revisions: dict[int, list[dict]] = {}
    if rows:
        for r in db.session.scalars(
            select(PostRevision)
            .join(Post, Post.id == PostRevision.post_id)
            .where(Post.author_id == uid)
            .order_by(PostRevision.id)
        ):
            revisions.setdefault(r.post_id, []).append(
                {
                    "body": None if r.redacted_at else r.body_source,
                    "redacted": r.redacted_at is not None,
                    "written_at": iso(r.created_at),
                    "replaced_at": iso(r.replaced_at),
                    "edited_by_self": r.editor_id == uid,
                }
            )
    return [
        {
            "id": p.id, "thread_id": p.thread_id, "thread_title": title, "number": p.number,
            "body": p.body_source, "created_at": iso(p.created_at), "edited_at": iso(p.edited_at),
            "deleted_at": iso(p.deleted_at), "hidden_at": iso(p.hidden_at),
            "revisions": revisions.get(p.id, []),
        }  # fmt: skip
        for p, title in rows
    ]


def _threads(uid: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Thread, Board.slug, ThreadDetail)
        .join(Board, Board.id == Thread.board_id)
        .outerjoin(ThreadDetail, ThreadDetail.thread_id == Thread.id)
        .where(Thread.author_id == uid)
        .order_by(Thread.id)
    ).all()
    return [
        {
            "id": t.id, "board": slug, "title": t.title, "kind": t.kind,
            "created_at": iso(t.created_at), "is_deleted": t.is_deleted,
            "details": (detail.data if detail is not None else None),
        }  # fmt: skip
        for t, slug, detail in rows
    ]


def _attachments(uid: int) -> list[Attachment]:
    return list(
        db.session.scalars(
            select(Attachment).where(Attachment.uploader_id == uid).order_by(Attachment.id)
        )
    )


def _attachment_name(a: Attachment) -> str:
    return f"files/{a.id}-{a.filename}"


def _conversations(uid: int) -> dict[str, Any]:
    """The member's conversations (who took part, by handle), the messages they sent and the
    messages they flagged. Other participants' messages are theirs, not exported here."""
    joined = db.session.scalars(
        select(ConversationParticipant).where(ConversationParticipant.user_id == uid)
        .order_by(ConversationParticipant.conversation_id)
    ).all()  # fmt: skip
    ids = [p.conversation_id for p in joined]
    people: dict[int, list[str]] = {}
    subjects: dict[int, str] = {}
    if ids:
        for conversation_id, handle in db.session.execute(
            select(ConversationParticipant.conversation_id, User.handle)
            .join(User, User.id == ConversationParticipant.user_id)
            .where(ConversationParticipant.conversation_id.in_(ids)).order_by(User.handle)
        ):  # fmt: skip
            people.setdefault(conversation_id, []).append(handle)
        subjects = dict(db.session.execute(
            select(Conversation.id, Conversation.subject).where(Conversation.id.in_(ids))
        ).all())  # fmt: skip
    sent = db.session.scalars(
        select(ConversationMessage).where(ConversationMessage.author_id == uid)
        .order_by(ConversationMessage.id)
    )  # fmt: skip
    flags = db.session.scalars(
        select(MessageFlag).where(MessageFlag.user_id == uid).order_by(MessageFlag.id)
    )
    return {
        "conversations": [
            {"id": p.conversation_id, "subject": subjects.get(p.conversation_id, ""),
             "participants": people.get(p.conversation_id, []), "joined_at": iso(p.joined_at),
             "left_at": iso(p.left_at)}
            for p in joined
        ],  # fmt: skip
        "messages_sent": [
            {"id": m.id, "conversation_id": m.conversation_id, "body": m.body_source,
             "created_at": iso(m.created_at), "hidden_at": iso(m.hidden_at)}
            for m in sent
        ],  # fmt: skip
        "flags_made": [
            {"message_id": f.message_id, "reason": f.reason, "message": f.message,
             "created_at": iso(f.created_at), "outcome": f.outcome}
            for f in flags
        ],  # fmt: skip
    }


def _flags(uid: int) -> list[dict[str, Any]]:
    return [
        {"post_id": f.post_id, "reason": f.reason, "message": f.message,
         "created_at": iso(f.created_at), "outcome": f.outcome}  # fmt: skip
        for f in db.session.scalars(select(Flag).where(Flag.user_id == uid).order_by(Flag.id))
    ]


def _held(uid: int) -> list[dict[str, Any]]:
    return [
        {"id": h.id, "kind": h.kind, "thread_id": h.thread_id, "title": h.title,
         "body": h.body_source, "created_at": iso(h.created_at),
         "published_post_id": h.published_post_id}  # fmt: skip
        for h in db.session.scalars(
            select(HeldPost).where(HeldPost.author_id == uid).order_by(HeldPost.id)
        )
    ]


def _decisions(uid: int) -> list[dict[str, Any]]:
    """Items about the member (their posts, held posts, account, requests): the decision and its
    reason. Who flagged and the moderators' internal notes are not theirs."""
    items = db.session.scalars(
        select(ModerationItem)
        .where(ModerationItem.subject_user_id == uid)
        .order_by(ModerationItem.id)
    )
    return [
        {"id": i.id, "kind": i.kind, "post_id": i.post_id, "status": i.status,
         "decision": i.decision, "reason": i.decision_reason, "created_at": iso(i.created_at),
         "decided_at": iso(i.decided_at)}  # fmt: skip
        for i in items
    ]


def _requests(uid: int) -> list[dict[str, Any]]:
    return [
        {"id": r.id, "role": r.role.slug, "organisation": r.organisation,
         "prefecture_code": r.prefecture_code, "municipality": r.municipality,
         "work_email": r.work_email, "status": r.status,
         "email_confirmed_at": iso(r.email_confirmed_at), "created_at": iso(r.created_at)}
        for r in db.session.scalars(
            select(RoleRequest).where(RoleRequest.user_id == uid).order_by(RoleRequest.id)
        )
    ]  # fmt: skip


def _tokens(uid: int) -> list[dict[str, Any]]:
    return [
        {"id": t.id, "name": t.name, "created_at": iso(t.created_at),
         "last_used_at": iso(t.last_used_at), "revoked_at": iso(t.revoked_at)}
        for t in db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == uid).order_by(ApiToken.id)
        )
    ]  # fmt: skip


def _sessions(uid: int) -> list[dict[str, Any]]:
    return [
        {"id": s.id, "user_agent": s.user_agent, "created_at": iso(s.created_at),
         "last_seen_at": iso(s.last_seen_at)}
        for s in db.session.scalars(
            select(UserSession).where(UserSession.user_id == uid).order_by(UserSession.id)
        )
    ]  # fmt: skip


def _offers(uid: int) -> list[dict[str, Any]]:
    """The offers to partner on a local problem that the member sent for an organisation (the
    text they wrote); who answered is named by role only."""
    rows = db.session.execute(
        select(Offer, Thread.title).join(Thread, Thread.id == Offer.thread_id)
        .where(Offer.author_id == uid).order_by(Offer.id)
    )  # fmt: skip
    return [
        {"id": o.id, "thread_id": o.thread_id, "thread_title": title,
         "organization": o.organization.name, "message": o.message_source, "status": o.status,
         "created_at": iso(o.created_at), "decided_at": iso(o.decided_at)}
        for o, title in rows
    ]  # fmt: skip


def _memberships(uid: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(SpaceMember, Space.slug).join(Space, Space.id == SpaceMember.space_id)
        .where(SpaceMember.user_id == uid).order_by(Space.position, Space.id)
    )  # fmt: skip
    return [
        {"space": slug, "role": m.role, "status": m.status, "created_at": iso(m.created_at)}
        for m, slug in rows
    ]


def _board_moderations(uid: int) -> list[str]:
    return list(
        db.session.scalars(
            select(Board.slug)
            .join(BoardModerator, BoardModerator.board_id == Board.id)
            .where(BoardModerator.user_id == uid)
            .order_by(Board.slug)
        )
    )


def _audit(uid: int) -> list[dict[str, Any]]:
    """Entries about the member (target: their account) and their own actions. The acting staff
    member is named by role only; before/after values are shown for one's own actions and one's
    own account."""
    entries = db.session.scalars(
        select(AuditEntry)
        .where(
            or_(
                (AuditEntry.target_kind == "user") & (AuditEntry.target_id == uid),
                AuditEntry.actor_id == uid,
            )
        )
        .order_by(AuditEntry.id)
    )
    out = []
    for e in entries:
        if e.actor_id == uid:
            actor = "self"
        elif e.actor_id is None:
            actor = "system"
        else:
            actor = "staff"
        out.append(
            {"id": e.id, "action": e.action, "actor": actor, "target_kind": e.target_kind,
             "target_id": e.target_id, "reason": e.reason, "before": e.before,
             "after": e.after, "created_at": iso(e.created_at)}  # fmt: skip
        )
    return out


def export_for(user: User, *, now: datetime | None = None) -> dict[str, Any]:
    """The member's data, one key per section of the inventory."""
    uid = user.id
    notifications = notification_export.export_for(user, now=now)
    for key in ("format_version", "exported_at", "user"):
        notifications.pop(key, None)
    attachments = _attachments(uid)
    document = {
        "format_version": FORMAT_VERSION,
        "exported_at": iso(now or utcnow()),
        "profile": _profile(user),
        "threads": _threads(uid),
        "posts": _posts(uid),
        "held_posts": _held(uid),
        "attachments": [
            {"id": a.id, "thread_id": a.thread_id, "filename": a.filename,
             "content_type": a.content_type, "size": a.size, "sha256": a.sha256,
             "created_at": iso(a.created_at), "deleted_at": iso(a.deleted_at),
             "file": _attachment_name(a)}
            for a in attachments
        ],  # fmt: skip
        "flags_made": _flags(uid),
        "conversations": _conversations(uid),
        "moderation_decisions": _decisions(uid),
        "verification_requests": _requests(uid),
        "notifications": notifications,
        "api_tokens": _tokens(uid),
        "sessions": _sessions(uid),
        "offers": _offers(uid),
        "space_memberships": _memberships(uid),
        "board_moderations": _board_moderations(uid),
        "audit_entries": _audit(uid),
    }
    return document


README = """共創（Kyoso）が保有するあなたのデータ

kyoso-data.json   アカウント・投稿・通知などすべての記録（JSON、日時は日本時間）
files/            あなたが添付したファイル

他の会員はハンドル名だけで示しています。パスワードやトークンの値は保存していないため含みません。
"""


def archive_for(user: User, *, now: datetime | None = None) -> bytes:
    """The zip archive: the document, README and the member's attachment files."""
    document = export_for(user, now=now)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        archive.writestr(DATA_NAME, json.dumps(document, ensure_ascii=False, indent=2))
        for a in _attachments(user.id):
            try:
                path = storage.path_of(a.storage_key)
            except ValueError:
                continue
            if path.is_file():
                archive.write(path, _attachment_name(a))
    return buffer.getvalue()
