"""The attachments page of a thread (list, upload, remove) and the file download."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge

from attachments import attaching, queries, storage
from attachments.filenames import filesize
from attachments.forms import UploadForm
from attachments.inspection import PDF, RejectedFile
from auth.permissions import ATTACHABLE_KINDS, can
from auth.session import current_account
from core.extensions import csrf, db, limiter
from core.ratelimit import PER_ADDRESS_POSTING, PER_USER_POSTING, user_or_address
from forum import queries as forum_queries
from forum.models import Thread

bp = Blueprint("attachments", __name__)

#: room for the multipart framing and the CSRF token on top of the file itself
FORM_OVERHEAD = 64 * 1024
#: the file response may not run anything, load anything or be framed
FILE_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


def _thread_or_404(thread_id: int) -> Thread:
    thread = forum_queries.get_thread(thread_id)
    if thread is None or thread.kind not in ATTACHABLE_KINDS:
        abort(404)
    if not can(current_user, "thread.view", thread):
        abort(404)
    return thread


def _upload_limit() -> str:
    return current_app.config["ATTACHMENT_UPLOAD_LIMIT"]


@bp.route("/t/<int:thread_id>/attachments", methods=["GET", "POST"])
# The site-wide CSRF check reads the body before any view runs, under the site-wide 1 MB
# MAX_CONTENT_LENGTH; this view raises the limit for itself first, and UploadForm (a FlaskForm)
# then checks the CSRF token itself: a POST without a valid token is refused all the same.
@csrf.exempt
@limiter.limit(_upload_limit, key_func=user_or_address, methods=["POST"])
@limiter.limit(PER_ADDRESS_POSTING, methods=["POST"])
def manage(thread_id: int):
    thread = _thread_or_404(thread_id)
    max_bytes = current_app.config["ATTACHMENT_MAX_BYTES"]
    status = 200
    if request.method == "POST":
        if not can(current_user, "attachment.add", thread):
            abort(403)
        request.max_content_length = max_bytes + FORM_OVERHEAD
        try:
            form = UploadForm()
        except RequestEntityTooLarge:
            form = UploadForm(formdata=None)
            form.file.errors = [attaching.too_large_message(max_bytes)]
            status = 413
        else:
            if form.validate_on_submit():
                upload = form.file.data
                try:
                    attaching.add_attachment(
                        thread=thread, uploader=current_account(), filename=upload.filename,
                        data=upload.stream.read(max_bytes + 1),
                    )  # fmt: skip
                except RejectedFile as exc:
                    form.file.errors.append(exc.message)
                else:
                    db.session.commit()
                    flash(_("ファイルを添付しました。"), "success")
                    return redirect(url_for("attachments.manage", thread_id=thread.id))
            elif form.csrf_token.errors:
                raise CSRFError(form.csrf_token.errors[0])
            status = 422
    else:
        form = UploadForm(formdata=None)
    form.file.description = _(
        "PDF・PNG・JPEG・WebP、%(limit)sまで（1つのスレッドに%(n)s件まで）。"
        "画像は位置情報などの撮影情報を取り除いて保存します。",
        limit=filesize(max_bytes),
        n=current_app.config["ATTACHMENTS_PER_THREAD"],
    )
    return render_template(
        "attachments/manage.html",
        thread=thread,
        board=thread.board,
        attachments=queries.list_for_thread(thread.id),
        form=form if can(current_user, "attachment.add", thread) else None,
    ), status


@bp.route("/attachments/<int:attachment_id>/remove", methods=["GET", "POST"])
@login_required
@limiter.limit(PER_USER_POSTING, key_func=user_or_address, methods=["POST"])
@limiter.limit(PER_ADDRESS_POSTING, methods=["POST"])
def remove(attachment_id: int):
    attachment = queries.get_attachment(attachment_id)
    if attachment is None or attachment.deleted_at is not None:
        abort(404)
    if not can(current_user, "thread.view", attachment.thread):
        abort(404)
    if not can(current_user, "attachment.remove", attachment):
        abort(403)
    form = FlaskForm()
    if form.validate_on_submit():
        attaching.remove_attachment(attachment=attachment, actor=current_account())
        db.session.commit()
        flash(_("「%(name)s」を削除しました。", name=attachment.filename), "success")
        return redirect(url_for("attachments.manage", thread_id=attachment.thread_id))
    return render_template(
        "attachments/remove.html", attachment=attachment, thread=attachment.thread, form=form
    )


@bp.get("/files/<int:attachment_id>/<filename>")
def download(attachment_id: int, filename: str):
    attachment = queries.get_attachment(attachment_id)
    if attachment is None or attachment.deleted_at is not None:
        abort(404)
    if not can(current_user, "thread.view", attachment.thread):
        abort(404)
    if filename != attachment.filename:
        return redirect(
            url_for("attachments.download", attachment_id=attachment.id,
                    filename=attachment.filename), 301,
        )  # fmt: skip
    path = storage.path_of(attachment.storage_key)
    if not path.is_file():
        current_app.logger.error("attachment %s: file %s is missing", attachment.id, path)
        abort(404)
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=attachment.content_type == PDF,  # images open in the browser
        download_name=attachment.filename,  # RFC 5987 filename* for Japanese names
        conditional=True,
        etag=attachment.sha256,
        last_modified=attachment.created_at,
        max_age=None,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    # who may read it can change (a hidden thread): browsers revalidate, proxies keep nothing
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response
