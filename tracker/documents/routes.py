"""Documents attached to records: list, upload, download, replace, delete.

Who may do what (``tests/access/documents.py`` proves it): a record's
documents page opens for whoever may see the record. Coordinators and
admins attach to every record; a municipal contact to their own
municipality's records only (its page, enrollments, stage changes and the
participations of its people), and replaces or deletes only what they
uploaded. A download is served only to a reader the attachment's
visibility admits, else 404 (deny by default: the file is not revealed).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import quote_header_value

from tracker.documents import files, services
from tracker.documents.forms import ReplaceForm, UploadForm
from tracker.documents.panels import (
    file_size,
    language_name,
    record_title,
    record_url,
)
from tracker.documents.storage import storage
from tracker.errors import error_response
from tracker.extensions import db
from tracker.models import Attachment, Visibility
from tracker.models.documents import OWNER_KINDS, can_attach, record_can_view
from tracker.permissions import SIGNED_IN, public, role_required

bp = Blueprint("documents", __name__, url_prefix="/documents")

bp.add_app_template_global(record_title)
bp.add_app_template_global(record_url)
bp.add_app_template_global(language_name)
bp.add_app_template_filter(file_size)

UPLOAD_ENDPOINTS = frozenset({"documents.upload", "documents.replace"})
# Downloads never run in our origin: no script, no plugin, no form, and no
# page may frame them.
DOWNLOAD_CSP = "sandbox; default-src 'none'; base-uri 'none'; frame-ancestors 'none'"


@bp.url_value_preprocessor
def _allow_large_uploads(endpoint: str | None, values: dict | None) -> None:
    """Upload URLs take up to DOCUMENTS_MAX_REQUEST_SIZE, every other URL
    keeps MAX_CONTENT_LENGTH. Set here because URL preprocessors run before
    the before-request hooks, and the CSRF check there reads the body."""
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["DOCUMENTS_MAX_REQUEST_SIZE"]


def _megabytes(size: int) -> str:
    return format_decimal(size / (1024 * 1024), format="#,##0.#")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    """A clear 413: the limit in the reader's language; nothing was stored."""
    return error_response(
        413,
        _(
            "The file is too large: a document may have at most %(size)s MB. "
            "Nothing was saved.",
            size=_megabytes(services.max_file_size()),
        ),
    )


# ---------------------------------------------------------------- helpers


def _record_or_404(kind: str, record_id: int) -> Any:
    if kind not in OWNER_KINDS:
        abort(404)
    _, model = OWNER_KINDS[kind]
    record = db.session.get(model, record_id)
    if record is None or not record_can_view(record, current_user):
        abort(404)
    return record


def _attachment_or_404(attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not attachment.can_view(current_user):
        abort(404)
    return attachment


def _editable_or_403(attachment_id: int) -> Attachment:
    attachment = _attachment_or_404(attachment_id)
    if not attachment.can_edit(current_user):
        abort(403)
    return attachment


def _refusal_message(refusal: files.RefusedFile) -> str:
    reason = str(refusal)
    if reason == "empty":
        return _("The file is empty.")
    if reason == "image":
        return _("The image could not be read; it may be damaged.")
    return _(
        "This type of file is not accepted, whatever its name says. Accepted: "
        "PDF, Word, Excel, PowerPoint (also 97-2003), OpenDocument text, "
        "JPEG, PNG, WebP and GIF images, and plain text."
    )


def _file_error(field, error: Exception) -> None:
    if isinstance(error, services.FileTooLarge):
        field.errors = [
            _(
                "The file is too large: a document may have at most %(size)s MB.",
                size=_megabytes(services.max_file_size()),
            )
        ]
    else:
        field.errors = [_refusal_message(error)]  # type: ignore[arg-type]


def render_record(
    record: Any, kind: str, upload_form: UploadForm | None = None, status: int = 200
):
    """A record's documents: each with its versions, the upload form."""
    attachments = [
        attachment
        for attachment in services.attachments_of(record)
        if attachment.admits(current_user, record)
    ]
    may_attach = can_attach(record, current_user)
    if may_attach and upload_form is None:
        upload_form = UploadForm(record, formdata=None)
    return render_template(
        "documents/record.html",
        record=record,
        kind=kind,
        attachments=attachments,
        upload_form=upload_form if may_attach else None,
        replace_forms={
            attachment.id: ReplaceForm(formdata=None, version_id=attachment.version_id)
            for attachment in attachments
            if attachment.can_edit(current_user)
        },
        max_size=_megabytes(services.max_file_size()),
    ), status


def _send(data: bytes, content_type: str, file_name: str, inline: bool) -> Response:
    response = Response(data, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    fallback = quote_header_value(files.ascii_name(file_name))
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename={fallback}; filename*=UTF-8''{quote(file_name)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# ---------------------------------------------------------------- views


@bp.route("/<kind>/<int:record_id>")
@role_required(*SIGNED_IN)
def record(kind: str, record_id: int):
    """The documents of one record, with their earlier versions."""
    return render_record(_record_or_404(kind, record_id), kind)


@bp.route("/<kind>/<int:record_id>", methods=("POST",))
@role_required(*SIGNED_IN)
def upload(kind: str, record_id: int):
    """Attach a file to a record, with its title, language and visibility."""
    record = _record_or_404(kind, record_id)
    if not can_attach(record, current_user):
        abort(403)
    form = UploadForm(record)
    if not form.validate_on_submit():
        return render_record(record, kind, form, status=422)
    upload = form.file.data
    try:
        data = services.read_limited(upload.stream, services.max_file_size())
        attachment = services.attach(
            record,
            data,
            file_name=upload.filename,
            title=form.title.data,
            language=form.language.data,
            visibility=Visibility(form.visibility.data),
            by=current_user._get_current_object(),
            storage=storage(),
        )
    except services.FileTooLarge:
        db.session.rollback()
        raise RequestEntityTooLarge() from None
    except files.RefusedFile as refusal:
        db.session.rollback()
        _file_error(form.file, refusal)
        return render_record(record, kind, form, status=422)
    db.session.commit()
    flash(_("The document “%(title)s” is attached.", title=attachment.title), "success")
    return redirect(url_for(".record", kind=kind, record_id=record_id))


@bp.route("/<int:attachment_id>/download")
@public
def download(attachment_id: int):
    """The attachment's current file (images inline, all else as a download)."""
    attachment = _attachment_or_404(attachment_id)
    return _send(
        storage().get(attachment.sha256),
        attachment.content_type,
        attachment.file_name,
        inline=attachment.is_image,
    )


@bp.route("/<int:attachment_id>/versions/<int:number>/download")
@public
def download_version(attachment_id: int, number: int):
    """An earlier file of the attachment, as it was before it was replaced."""
    attachment = _attachment_or_404(attachment_id)
    version = next((v for v in attachment.versions if v.number == number), None)
    if version is None:
        abort(404)
    return _send(
        storage().get(version.sha256),
        version.content_type,
        version.file_name,
        inline=version.is_image,
    )


@bp.route("/<int:attachment_id>/thumbnail")
@public
def thumbnail(attachment_id: int):
    """A small JPEG of an image attachment, for lists and the event page."""
    attachment = _attachment_or_404(attachment_id)
    if not attachment.thumbnail_sha256:
        abort(404)
    return _send(
        storage().get(attachment.thumbnail_sha256),
        files.JPEG,
        f"thumbnail-{attachment.id}.jpg",
        inline=True,
    )


@bp.route("/<int:attachment_id>/replace", methods=("POST",))
@role_required(*SIGNED_IN)
def replace(attachment_id: int):
    """Put a new file in place of the current one; the old one stays listed."""
    attachment = _editable_or_403(attachment_id)
    record, kind = attachment.owner, attachment.owner_kind
    form = ReplaceForm()
    if form.validate_on_submit():
        if form.version_id.data != str(attachment.version_id):
            flash(
                _("The document was changed by someone else. Please try again."),
                "error",
            )
            return render_record(record, kind, status=409)
        upload = form.file.data
        try:
            data = services.read_limited(upload.stream, services.max_file_size())
            services.replace(
                attachment,
                data,
                file_name=upload.filename,
                by=current_user._get_current_object(),
                storage=storage(),
            )
        except services.FileTooLarge:
            db.session.rollback()
            raise RequestEntityTooLarge() from None
        except files.RefusedFile as refusal:
            db.session.rollback()
            flash(_refusal_message(refusal), "error")
            return render_record(record, kind, status=422)
        db.session.commit()
        flash(
            _(
                "A new file for “%(title)s” is in place; the earlier one is kept.",
                title=attachment.title,
            ),
            "success",
        )
        return redirect(url_for(".record", kind=kind, record_id=record.id))
    flash(_("Choose a file to upload."), "error")
    return render_record(record, kind, status=422)


@bp.route("/<int:attachment_id>/delete", methods=("POST",))
@role_required(*SIGNED_IN)
def delete(attachment_id: int):
    """Delete an attachment with all its versions (the audit trail keeps a note)."""
    attachment = _editable_or_403(attachment_id)
    record, kind, title = attachment.owner, attachment.owner_kind, attachment.title
    keys = services.delete(attachment)
    db.session.commit()
    services.release(keys, storage())
    flash(_("The document “%(title)s” is deleted.", title=title), "success")
    return redirect(url_for(".record", kind=kind, record_id=record.id))
