"""Who holds which certificate, issuing them, and what each one says.

A certificate is issued once per person and subject (a program for ILTP
completion, an event for attendance) and keeps its verification code;
issuing again only refreshes the name and title it carries. The rule is
checked when it is issued and again at every download and verification, so
a certificate whose record was corrected (attendance changed, a training
removed) stops being served and the verification page says so.

These functions flush and never commit; the views commit.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from tracker.certificates import pdf
from tracker.extensions import db
from tracker.i18n import as_reader, format_day, select_locale
from tracker.models import (
    Attendance,
    Certificate,
    CertificateKind,
    Event,
    Municipality,
    Participation,
    Person,
    Program,
    User,
)
from tracker.models.certificates import (
    grouped,
    may_hold_certificates_of,
    may_issue_certificates_of,
)
from tracker.models.enums import label
from tracker.programs import leaders
from tracker.routing import path_for
from tracker.search import fold
from tracker.translation import gettext as _
from tracker.translation import lazy_gettext as _l
from tracker.translation import ngettext

KIND_LABELS = {
    CertificateKind.ILTP_COMPLETION: _l("Certificate of completion"),
    CertificateKind.EVENT_ATTENDANCE: _l("Certificate of attendance"),
}


class NotEligible(Exception):
    """The record does not support the certificate; the message says why."""


# -- the rules --------------------------------------------------------------


def completion_refusal(program: Program, person: Person) -> str | None:
    """Why ``person`` has no completion certificate of ``program`` (None: they have)."""
    if not program.tracks_training:
        return _(
            "%(program)s has no training requirement, so it gives no certificates.",
            program=program.code,
        )
    if leaders.leader_record(program, person.id) is None:
        return ngettext(
            "%(name)s is not trained yet: a certificate needs "
            "%(num)d attended %(program)s trainings.",
            "%(name)s is not trained yet: a certificate needs "
            "%(num)d attended %(program)s trainings.",
            program.required_trainings or 0,
            name=person.full_name,
            program=program.code,
        )
    return None


def attendance_refusal(participation: Participation | None) -> str | None:
    """Why there is no attendance certificate (None: there is one)."""
    if participation is None:
        return _("This person is not a participant of the event.")
    if participation.attendance != Attendance.ATTENDED:
        return _(
            "%(name)s is not recorded as having attended %(event)s, so there is "
            "no attendance certificate.",
            name=participation.person.full_name,
            event=participation.event.title,
        )
    return None


def participation_of(event_id: int, person_id: int) -> Participation | None:
    return db.session.scalar(
        select(Participation).where(
            Participation.event_id == event_id, Participation.person_id == person_id
        )
    )


def refusal_of(certificate: Certificate) -> str | None:
    """The rule checked again for an issued certificate (None: it still holds)."""
    if certificate.kind == CertificateKind.ILTP_COMPLETION:
        assert certificate.program is not None
        return completion_refusal(certificate.program, certificate.person)
    return attendance_refusal(
        participation_of(certificate.subject_id, certificate.person_id)
    )


# -- issuing ----------------------------------------------------------------


def _issue(
    kind: CertificateKind,
    person: Person,
    subject_title: str,
    by: User | None,
    *,
    program: Program | None = None,
    event: Event | None = None,
) -> Certificate:
    subject_id = program.id if program is not None else event.id  # type: ignore[union-attr]
    certificate = db.session.scalar(
        select(Certificate).where(
            Certificate.person_id == person.id,
            Certificate.kind == kind,
            Certificate.subject_id == subject_id,
        )
    )
    if certificate is None:
        certificate = Certificate(
            kind=kind,
            person=person,
            program=program,
            event=event,
            subject_id=subject_id,
            issued_on=date.today(),
            issued_by=by,
        )
        db.session.add(certificate)
    certificate.holder_name = person.full_name
    certificate.subject_title = subject_title[:300]
    db.session.flush()
    return certificate


def issue_completion(program: Program, person: Person, by: User | None) -> Certificate:
    """The ILTP completion certificate of a trained leader; NotEligible otherwise."""
    if refusal := completion_refusal(program, person):
        raise NotEligible(refusal)
    return _issue(
        CertificateKind.ILTP_COMPLETION,
        person,
        f"{program.name} ({program.code})",
        by,
        program=program,
    )


def issue_attendance(participation: Participation, by: User | None) -> Certificate:
    """The certificate of an attended participation; NotEligible otherwise."""
    if refusal := attendance_refusal(participation):
        raise NotEligible(refusal)
    return _issue(
        CertificateKind.EVENT_ATTENDANCE,
        participation.person,
        participation.event.title,
        by,
        event=participation.event,
    )


def attended_participations(event: Event) -> list[Participation]:
    return list(
        db.session.scalars(
            select(Participation)
            .where(
                Participation.event_id == event.id,
                Participation.attendance == Attendance.ATTENDED,
            )
            .options(selectinload(Participation.person))
            .order_by(Participation.id)
        )
    )


# -- the document -----------------------------------------------------------


def holder_locale(person: Person) -> str:
    """The language of the person's own account, else the reader's."""
    user = db.session.scalar(
        select(User)
        .where(
            User.is_active,
            User.locale.is_not(None),
            or_(User.person_id == person.id, User.email == (person.email or "")),
        )
        .order_by(User.person_id.is_(None), User.id)
        .limit(1)
    )
    return (user.locale if user else None) or select_locale()


def file_name(certificate: Certificate) -> str:
    """``ana-trained-ABCD-EFGH-JKMN-PQRS.pdf``: ASCII, unique by its code."""
    name = "-".join(fold(certificate.holder_name).split()) or "certificate"
    return f"{name[:60]}-{grouped(certificate.code)}.pdf"


def render(certificate: Certificate, verify_url: str) -> bytes:
    """The certificate's PDF, in its holder's language."""
    with as_reader(holder_locale(certificate.person), None):
        return pdf.draw(_layout(certificate, verify_url))


def _verification_lines(certificate: Certificate, verify_url: str) -> list[str]:
    return [
        _("Verification code: %(code)s", code=certificate.grouped_code),
        _("Check that this certificate is genuine at %(url)s", url=verify_url),
    ]


def _joined(*parts: str, separator: str = ", ") -> str:
    return separator.join(part for part in parts if part)


def _affiliation(person: Person, municipality: Municipality | None) -> str:
    """ "Mayor, Kuçovë, Albania": position and the municipality represented."""
    if municipality is None:
        return _joined(person.position, person.organisation)
    return _joined(person.position, municipality.name, municipality.country.name)


def _completion_text(certificate: Certificate) -> tuple[str, str, list[str]]:
    """Affiliation, statement and the trainings of an ILTP completion."""
    person, program = certificate.person, certificate.program
    assert program is not None
    record = leaders.leader_record(program, person.id)
    statement = ngettext(
        "has completed the %(program)s, attending %(count)d of its trainings "
        "where %(num)d is required:",
        "has completed the %(program)s, attending %(count)d of its trainings "
        "where %(num)d are required:",
        program.required_trainings or 0,
        program=certificate.subject_title,
        count=record[2] if record else 0,
    )
    trainings = [
        _joined(event.title, event.city, format_day(event.starts_on))
        for event in leaders.attended_trainings(program, person.id)
    ]
    municipality = record[1] if record else person.municipality
    return _affiliation(person, municipality), statement, trainings


def _attendance_text(certificate: Certificate) -> tuple[str, str, list[str]]:
    """Affiliation, statement and the when, where and how of an attendance."""
    person, event = certificate.person, certificate.event
    assert event is not None
    participation = participation_of(event.id, person.id)
    place = _joined(event.city, event.country.name if event.country else "")
    details = [
        _joined(place, pdf.day_range(event.starts_on, event.ends_on), separator=" · ")
    ]
    if participation is not None:
        details.append(_("as %(role)s", role=label(participation.role).lower()))
        if participation.presentation_title:
            details.append(
                _("presenting “%(title)s”", title=participation.presentation_title)
            )
    represented = participation.municipality if participation else None
    statement = _("attended %(event)s", event=certificate.subject_title)
    return _affiliation(person, represented), statement, details


def _layout(certificate: Certificate, verify_url: str) -> pdf.Layout:
    heading = str(KIND_LABELS[certificate.kind])
    if certificate.kind == CertificateKind.ILTP_COMPLETION:
        affiliation, statement, details = _completion_text(certificate)
    else:
        affiliation, statement, details = _attendance_text(certificate)
    return pdf.Layout(
        heading=heading,
        holder_name=certificate.holder_name,
        affiliation=affiliation,
        statement=statement,
        details=details,
        issued=_("Issued on %(date)s.", date=format_day(certificate.issued_on)),
        verification=_verification_lines(certificate, verify_url),
        title=f"{heading}: {certificate.holder_name}",
    )


def attendance_zip(event: Event, by: User | None, verify_url) -> tuple[bytes, int]:
    """Every attended participant's certificate of ``event`` (issued now if
    needed) as one ZIP; returns the bytes and how many PDFs it holds.

    ``verify_url(code)`` gives the address printed on each certificate.
    """
    buffer = io.BytesIO()
    count = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for participation in attended_participations(event):
            certificate = issue_attendance(participation, by)
            archive.writestr(
                file_name(certificate),
                render(certificate, verify_url(certificate.code)),
            )
            count += 1
    return buffer.getvalue(), count


def verify_path(code: str) -> str:
    return path_for("certificates.verify", code=code)


# -- what the person page offers -------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """A certificate a person holds: the form that issues it (for those who
    may issue), and the download once issued."""

    kind: CertificateKind
    title: str
    issue_url: str
    download_url: str


def offers_for(
    person: Person, participations: list[Participation], user: User
) -> list[Offer]:
    """The certificates ``person`` holds, for whoever may see them (else none).

    ``participations`` are the person's, as the page already loaded them.
    """
    if not may_hold_certificates_of(user, person.id):
        return []
    issued = {
        (certificate.kind, certificate.subject_id): certificate.id
        for certificate in db.session.scalars(
            select(Certificate).where(Certificate.person_id == person.id)
        )
    }
    candidates: list[tuple[CertificateKind, int, str, str]] = []
    for program in db.session.scalars(
        select(Program)
        .where(Program.required_trainings.is_not(None))
        .order_by(Program.code)
    ):
        if program.tracks_training and leaders.leader_record(program, person.id):
            candidates.append(
                (
                    CertificateKind.ILTP_COMPLETION,
                    program.id,
                    f"{program.name} ({program.code})",
                    path_for(
                        "certificates.issue_completion",
                        code=program.code,
                        person_id=person.id,
                    ),
                )
            )
    for participation in participations:
        if participation.attendance == Attendance.ATTENDED:
            candidates.append(
                (
                    CertificateKind.EVENT_ATTENDANCE,
                    participation.event_id,
                    participation.event.title,
                    path_for(
                        "certificates.issue_attendance",
                        event_id=participation.event_id,
                        person_id=person.id,
                    ),
                )
            )
    may_issue = may_issue_certificates_of(user, person.id)
    offers = []
    for kind, subject_id, title, issue_url in candidates:
        certificate_id = issued.get((kind, subject_id))
        if not may_issue and certificate_id is None:
            continue
        download_url = (
            path_for("certificates.download", certificate_id=certificate_id)
            if certificate_id
            else ""
        )
        offers.append(Offer(kind, title, issue_url if may_issue else "", download_url))
    return offers
