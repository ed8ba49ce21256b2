"""Adding and removing files. The caller owns the transaction: a file written for an upload that
is rolled back is removed again, and a removed attachment's file leaves the disk only once the
removal has committed."""

from __future__ import annotations

import errno
import hashlib
import logging
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from attachments import filenames, queries, storage
from attachments.inspection import EXTENSIONS, RejectedFile, inspect
from attachments.models import Attachment
from audit.log import record_action
from auth.models import User
from core.extensions import db
from core.types import utcnow
from forum.models import Thread

log = logging.getLogger(__name__)
STORAGE_FULL_MESSAGE = _l(
    "保存先の空き容量が足りないため、ファイルを保存できませんでした。"
    "時間をおいてもう一度お試しいただくか、運営事務局にお知らせください。"
)
_WRITTEN = "kyoso.attachments.written"  # files written in this transaction
_DOOMED = "kyoso.attachments.doomed"  # files to delete once this transaction commits


def add_attachment(
    *, thread: Thread, uploader: User, filename: str | None, data: bytes
) -> Attachment:
    """Check ``data`` by its content, store it (images re-encoded) and add the row, or raise
    :class:`~attachments.inspection.RejectedFile` with a message for the uploader."""
    config = current_app.config
    limit = config["ATTACHMENT_MAX_BYTES"]
    if len(data) > limit:
        raise RejectedFile(too_large_message(limit))
    if not data:
        raise RejectedFile(_l("空のファイルは添付できません。"))
    if queries.count_for_thread(thread.id) >= config["ATTACHMENTS_PER_THREAD"]:
        raise RejectedFile(
            _l("1つのスレッドに添付できるファイルは%(n)s件までです。不要なファイルを削除してから追加してください。",
               n=config["ATTACHMENTS_PER_THREAD"])
        )  # fmt: skip
    checked = inspect(data, max_pixels=config["ATTACHMENT_MAX_PIXELS"])
    key = storage.new_key(EXTENSIONS[checked.content_type])
    try:
        path = storage.write(key, checked.data)
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        log.error("attachment not stored, the disk is full: %s", exc)
        raise RejectedFile(STORAGE_FULL_MESSAGE) from exc
    db.session.info.setdefault(_WRITTEN, []).append(path)
    attachment = Attachment(
        thread_id=thread.id,
        uploader=uploader,
        filename=filenames.display_name(filename, checked.content_type),
        content_type=checked.content_type,
        size=len(checked.data),
        sha256=hashlib.sha256(checked.data).hexdigest(),
        storage_key=key,
        width=checked.width,
        height=checked.height,
        created_at=utcnow(),
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def remove_attachment(*, attachment: Attachment, actor: User) -> None:
    """Soft-delete the row (kept for the audit trail) and delete the file after commit. Removing
    somebody else's file is recorded in the audit log."""
    attachment.deleted_at = utcnow()
    if actor.id != attachment.uploader_id:
        record_action(
            actor, "attachment.remove", "attachment", attachment.id,
            before={"thread_id": attachment.thread_id, "filename": attachment.filename,
                    "uploader_id": attachment.uploader_id, "sha256": attachment.sha256},
        )  # fmt: skip
    db.session.info.setdefault(_DOOMED, []).append(storage.path_of(attachment.storage_key))


def too_large_message(limit: int):
    return _l(
        "ファイルが大きすぎます。%(limit)s以下のファイルを選んでください。",
        limit=filenames.filesize(limit),
    )


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    for path in session.info.pop(_DOOMED, []):
        _unlink(path)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    """Whatever was written for a transaction that ended without a commit goes again."""
    if transaction.nested or transaction.parent is not None:
        return
    for path in session.info.pop(_WRITTEN, []):
        _unlink(path)
    session.info.pop(_DOOMED, None)


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:  # the row is what counts; a stray file is only disk space
        log.warning("could not remove attachment file %s", path, exc_info=True)
