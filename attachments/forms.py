"""The upload form (the file is checked by content in ``attachments.inspection``, not here)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField


class UploadForm(FlaskForm):
    file = FileField(
        _l("ファイル"),
        validators=[FileRequired(message=_l("ファイルを選んでください。"))],
        render_kw={
            "accept": ".pdf,.png,.jpg,.jpeg,.webp,application/pdf,image/png,image/jpeg,image/webp"
        },
    )
    submit = SubmitField(_l("アップロード"))
