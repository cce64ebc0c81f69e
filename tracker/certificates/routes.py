"""Certificates: issue and download (staff, and the holder through their own
account), the ZIP of an event's attendance certificates (coordinators), and
the public page that verifies a code.

Issuing writes the certificate row (its verification code), so it is a POST
that redirects to the download; the download and the verification page only
read.
"""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from tracker.certificates import services
from tracker.certificates.services import NotEligible
from tracker.errors import error_response
from tracker.extensions import db, limiter
from tracker.models import Certificate, Event, Person
from tracker.models.certificates import (
    may_hold_certificates_of,
    may_issue_certificates_of,
    normalise_code,
)
from tracker.outbox.services import absolute_url
from tracker.permissions import EDITORS, SIGNED_IN, public, role_required
from tracker.programs.routes import get_program_or_404

bp = Blueprint("certificates", __name__, url_prefix="/certificates")

PDF = "application/pdf"


def _holder_or_404(person_id: int) -> Person:
    """The person whose certificate is to be issued: 404 to whoever may not
    see their certificates, 403 to staff who may see but not issue them."""
    person = db.get_or_404(Person, person_id)
    if not may_hold_certificates_of(current_user, person.id):
        abort(404)
    if not may_issue_certificates_of(current_user, person.id):
        abort(403)
    return person


def _verify_url(code: str) -> str:
    return absolute_url(services.verify_path(code))


@bp.route("/iltp/<code>/<int:person_id>", methods=("POST",))
@role_required(*SIGNED_IN)
def issue_completion(code: str, person_id: int):
    """Issue (or find again) a trained leader's completion certificate."""
    person = _holder_or_404(person_id)
    program = get_program_or_404(code)
    try:
        certificate = services.issue_completion(program, person, current_user)
    except NotEligible as refusal:
        return error_response(403, str(refusal))
    db.session.commit()
    return redirect(url_for(".download", certificate_id=certificate.id), 303)


@bp.route("/events/<int:event_id>/people/<int:person_id>", methods=("POST",))
@role_required(*SIGNED_IN)
def issue_attendance(event_id: int, person_id: int):
    """Issue (or find again) the attendance certificate of a participant."""
    person = _holder_or_404(person_id)
    event = db.get_or_404(Event, event_id)
    participation = services.participation_of(event.id, person.id)
    try:
        certificate = services.issue_attendance(participation, current_user)
    except NotEligible as refusal:
        return error_response(403, str(refusal))
    db.session.commit()
    return redirect(url_for(".download", certificate_id=certificate.id), 303)


@bp.route("/<int:certificate_id>.pdf")
@role_required(*SIGNED_IN)
def download(certificate_id: int):
    """An issued certificate as PDF, while its record still supports it."""
    certificate = db.get_or_404(Certificate, certificate_id)
    if not certificate.can_download(current_user):
        abort(404)
    if refusal := services.refusal_of(certificate):
        return error_response(403, refusal)
    document = services.render(certificate, _verify_url(certificate.code))
    return send_file(
        io.BytesIO(document),
        mimetype=PDF,
        as_attachment=True,
        download_name=services.file_name(certificate),
    )


@bp.route("/events/<int:event_id>/attendance.zip", methods=("POST",))
@role_required(*EDITORS)
def attendance_zip(event_id: int):
    """Every attended participant's certificate of an event, as one ZIP.

    Answered by the POST itself: issuing is idempotent, so sending the form
    again gives the same certificates.
    """
    event = db.get_or_404(Event, event_id)
    archive, _count = services.attendance_zip(event, current_user, _verify_url)
    db.session.commit()
    return send_file(
        io.BytesIO(archive),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"attendance-certificates-event-{event.id}.zip",
    )


@bp.route("/verify")
@limiter.limit("60 per minute")
@public
def verify_form():
    """The form to check a certificate's code (its answer is ``verify``)."""
    typed = (request.args.get("code") or "").strip()[:64]
    if typed:
        return redirect(url_for(".verify", code=normalise_code(typed) or typed[:32]))
    return render_template("certificates/verify.html", certificate=None, code="")


@bp.route("/verify/<code>")
@limiter.limit("60 per minute")
@public
def verify(code: str):
    """Whether a code belongs to a genuine certificate: who, what, when."""
    normalised = normalise_code(code[:64])
    certificate = (
        db.session.scalar(select(Certificate).where(Certificate.code == normalised))
        if normalised
        else None
    )
    if certificate is None:
        return render_template(
            "certificates/verify.html", certificate=None, code=code[:64], unknown=True
        ), 404
    return render_template(
        "certificates/verify.html",
        certificate=certificate,
        code=certificate.grouped_code,
        kind_label=services.KIND_LABELS[certificate.kind],
        withdrawn=services.refusal_of(certificate) is not None,
    )
