"""An event's participants: adding, editing and confirming them, contacts'
proposals, the participant list as CSV and the sign-in sheet."""

from __future__ import annotations

from datetime import date

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from tracker.documents.panels import documents_panel
from tracker.events import services
from tracker.events.forms import (
    BulkAttendanceForm,
    NewPersonParticipationForm,
    ParticipationEditForm,
    ParticipationForm,
    ProposalForm,
)
from tracker.events.io import PARTICIPATIONS
from tracker.events.queries import (
    EVENT_PAGE,
    event_participants,
    filtered_participations,
    people_of,
    select_options,
)
from tracker.events.routes import bp, render_detail
from tracker.extensions import db
from tracker.forms import commit_or_stale, put_error
from tracker.models import (
    Attendance,
    Event,
    MailKind,
    Participation,
    Person,
    Role,
)
from tracker.notifications.services import active_users, notify
from tracker.permissions import (
    EDITORS,
    STAFF,
    get_editable_or_403,
    get_viewable_or_404,
    role_required,
)
from tracker.tabular import csv_response, export_response
from tracker.translation import N_
from tracker.translation import lazy_gettext as _l

DUPLICATE_MESSAGE = N_("This person is already a participant of this event.")


def _participation_of(event: Event, participation_id: int) -> Participation:
    participation = db.get_or_404(Participation, participation_id)
    if participation.event_id != event.id:
        abort(404)
    return participation


@bp.route("/<int:event_id>/participants", methods=("POST",))
@role_required(*EDITORS)
def add_participation(event_id: int):
    """Add a person found by the search to the event."""
    event = get_editable_or_403(Event, event_id)
    form = ParticipationForm()
    form.fill_choices(select_options())
    if form.validate_on_submit():
        person = db.session.get(Person, form.person_id.data)
        try:
            if person is None:
                raise services.ParticipationError(
                    _("Choose a person from the search results."), "person_id"
                )
            services.add_participation(
                event,
                person,
                role=form.role.data,
                attendance=form.attendance.data,
                presentation_title=form.presentation_title.data,
                municipality_id=form.municipality_id.data,
            )
            db.session.commit()
        except services.ParticipationError as refusal:
            db.session.rollback()
            put_error(form, refusal)
        except IntegrityError:
            db.session.rollback()
            form.person_id.errors = [_(DUPLICATE_MESSAGE)]
        else:
            flash(
                _("%(name)s is added to the participants.", name=person.full_name),
                "success",
            )
            return redirect(
                url_for(".detail", event_id=event.id, _anchor="participants")
            )
    return render_detail(event, participation_form=form)


@bp.route("/<int:event_id>/participants/new-person", methods=("POST",))
@role_required(*EDITORS)
def add_new_person(event_id: int):
    """Create a person and add them to the event in one step."""
    event = get_editable_or_403(Event, event_id)
    form = NewPersonParticipationForm()
    form.fill_choices(select_options())
    if form.validate_on_submit():
        try:
            person = services.create_person(
                full_name=form.full_name.data,
                position=form.position.data,
                organisation=form.organisation.data,
                municipality_id=form.municipality_id.data,
                email=form.email.data,
                phone=form.phone.data,
            )
            services.add_participation(
                event,
                person,
                role=form.role.data,
                attendance=form.attendance.data,
                presentation_title=form.presentation_title.data,
            )
            db.session.commit()
        except services.ParticipationError as refusal:
            db.session.rollback()
            put_error(form, refusal)
        except IntegrityError:
            db.session.rollback()
            form.email.errors = [
                _("Someone with this e-mail address is already recorded.")
            ]
        else:
            flash(
                _(
                    "%(name)s is recorded and added to the participants.",
                    name=person.full_name,
                ),
                "success",
            )
            return redirect(
                url_for(".detail", event_id=event.id, _anchor="participants")
            )
    return render_detail(event, person_form=form)


@bp.route(
    "/<int:event_id>/participants/<int:participation_id>/edit",
    methods=("GET", "POST"),
)
@role_required(*EDITORS)
def edit_participation(event_id: int, participation_id: int):
    """Change someone's role, presentation, attendance or represented municipality."""
    event = get_editable_or_403(Event, event_id)
    participation = _participation_of(event, participation_id)
    form = ParticipationEditForm(obj=participation)
    form.fill_choices(select_options())
    status = 200
    if request.method == "GET":
        form.load_version(participation)
    elif form.validate_on_submit():
        if form.is_stale(participation):
            status = 409
        else:
            try:
                services.check_attendance(event, form.attendance.data, date.today())
            except services.ParticipationError as refusal:
                put_error(form, refusal)
            else:
                form.apply_to(participation)
                if commit_or_stale(form):
                    flash(
                        _(
                            "The participation of %(name)s is updated.",
                            name=participation.person.full_name,
                        ),
                        "success",
                    )
                    return redirect(
                        url_for(".detail", event_id=event.id, _anchor="participants")
                    )
                status = 409
    return (
        render_template(
            "events/participation_form.html",
            form=form,
            event=event,
            participation=participation,
            documents=documents_panel(
                [(_("This participation"), participation)], current_user
            ),
        ),
        status,
    )


@bp.route(
    "/<int:event_id>/participants/<int:participation_id>/delete", methods=("POST",)
)
@role_required(*EDITORS)
def delete_participation(event_id: int, participation_id: int):
    """Remove someone from the event."""
    event = get_editable_or_403(Event, event_id)
    participation = _participation_of(event, participation_id)
    name = participation.person.full_name
    db.session.delete(participation)
    db.session.commit()
    flash(_("%(name)s is removed from the participants.", name=name), "success")
    return redirect(url_for(".detail", event_id=event.id, _anchor="participants"))


@bp.route("/<int:event_id>/attendance", methods=("POST",))
@role_required(*EDITORS)
def bulk_attendance(event_id: int):
    """Mark many participants attended or absent at once: all of them or none."""
    event = get_editable_or_403(Event, event_id)
    form = BulkAttendanceForm()
    if form.validate_on_submit():
        try:
            marked = services.set_attendance(
                event, form.participation_ids.data, form.attendance.data, date.today()
            )
            db.session.commit()
        except services.ParticipationError as refusal:
            db.session.rollback()
            form.form_errors.append(refusal.message)
        else:
            flash(_marked_message(form.attendance.data, len(marked)), "success")
            return redirect(
                url_for(".detail", event_id=event.id, _anchor="participants")
            )
    return render_detail(event, bulk_form=form)


def _marked_message(attendance: Attendance, count: int) -> str:
    # English reads "participant(s)" whatever the count; other languages have
    # their plural forms.
    if attendance == Attendance.ATTENDED:
        return ngettext(
            "%(num)d participant(s) are marked attended.",
            "%(num)d participant(s) are marked attended.",
            count,
        )
    if attendance == Attendance.ABSENT:
        return ngettext(
            "%(num)d participant(s) are marked absent.",
            "%(num)d participant(s) are marked absent.",
            count,
        )
    return ngettext(
        "%(num)d participant(s) are marked registered.",
        "%(num)d participant(s) are marked registered.",
        count,
    )


@bp.route(
    "/<int:event_id>/participants/<int:participation_id>/confirm", methods=("POST",)
)
@role_required(*EDITORS)
def confirm_participation(event_id: int, participation_id: int):
    """Accept a contact's proposal: the person is registered."""
    return _decide(event_id, participation_id, accept=True)


@bp.route(
    "/<int:event_id>/participants/<int:participation_id>/decline", methods=("POST",)
)
@role_required(*EDITORS)
def decline_participation(event_id: int, participation_id: int):
    """Turn a contact's proposal down (it stays on record as cancelled)."""
    return _decide(event_id, participation_id, accept=False)


def _decide(event_id: int, participation_id: int, *, accept: bool):
    event = get_editable_or_403(Event, event_id)
    participation = _participation_of(event, participation_id)
    name = participation.person.full_name
    try:
        if accept:
            services.confirm_proposal(participation)
        else:
            services.decline_proposal(participation)
    except services.ParticipationError as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    else:
        proposer = participation.proposed_by
        if proposer is not None and proposer.is_active:
            if accept:
                message = _l(
                    "Your proposal of %(name)s for “%(event)s” was confirmed.",
                    name=name,
                    event=event.title,
                )
                subject = _l("Your proposal was confirmed")
            else:
                message = _l(
                    "Your proposal of %(name)s for “%(event)s” was declined.",
                    name=name,
                    event=event.title,
                )
                subject = _l("Your proposal was declined")
            notify(
                [proposer],
                message,
                url_for(".detail", event_id=event.id),
                kind=MailKind.PROPOSAL_OUTCOME,
                subject=subject,
            )
        db.session.commit()
        if accept:
            flash(_("The proposal of %(name)s is confirmed.", name=name), "success")
        else:
            flash(_("The proposal of %(name)s is declined.", name=name), "success")
    return redirect(url_for(".detail", event_id=event.id, _anchor="proposals"))


@bp.route("/<int:event_id>/propose", methods=("GET", "POST"))
@role_required(Role.CONTACT)
def propose(event_id: int):
    """A municipal contact proposes people of their municipality for an upcoming
    event."""
    event = get_viewable_or_404(Event, event_id)
    if not event.can_propose(current_user):
        abort(403)
    municipality_id = current_user.municipality_id
    own = [
        participation
        for participation in event_participants(event, current_user)
        if participation.is_home_of(current_user)
    ]
    taken = {participation.person_id for participation in own}
    form = ProposalForm()
    form.fill_choices(
        [person for person in people_of(municipality_id) if person.id not in taken]
    )
    if form.validate_on_submit():
        try:
            if form.person_id.data is not None:
                person = db.get_or_404(Person, form.person_id.data)
            else:
                person = services.create_person(
                    full_name=form.full_name.data,
                    position=form.position.data,
                    municipality_id=municipality_id,
                    email=form.email.data,
                    phone=form.phone.data,
                )
            services.propose_participation(
                event,
                person,
                current_user,
                role=form.role.data,
                presentation_title=form.presentation_title.data,
                today=date.today(),
            )
            notify(
                active_users(Role.COORDINATOR),
                _l(
                    "%(municipality)s proposes %(name)s for “%(event)s”.",
                    municipality=current_user.municipality.name,
                    name=person.full_name,
                    event=event.title,
                ),
                url_for(".detail", event_id=event.id, _anchor="proposals"),
                kind=MailKind.PROPOSAL_RECEIVED,
                subject=_l("New proposal for “%(event)s”", event=event.title),
            )
            db.session.commit()
        except services.ParticipationError as refusal:
            db.session.rollback()
            put_error(form, refusal)
        except IntegrityError:
            db.session.rollback()
            form.person_id.errors = [_(DUPLICATE_MESSAGE)]
        else:
            flash(
                _(
                    "%(name)s is proposed. A coordinator will confirm "
                    "or decline the proposal.",
                    name=person.full_name,
                ),
                "success",
            )
            return redirect(url_for(".detail", event_id=event.id))
    return render_template("events/propose.html", form=form, event=event, own=own)


CSV_HEADER = [
    "Name",
    "Position",
    "Organisation",
    "Municipality represented",
    "Country",
    "Role",
    "Presentation",
    "Attendance",
    "E-mail",
    "Phone",
]


@bp.route("/<int:event_id>/participants.csv")
@role_required(*STAFF)
def export_participants(event_id: int):
    """The participant list as CSV (UTF-8 with BOM, so spreadsheets read it)."""
    event = get_viewable_or_404(Event, event_id, EVENT_PAGE)
    rows = (
        (
            participation.person.full_name,
            participation.person.position,
            participation.person.organisation,
            municipality.name if (municipality := participation.municipality) else "",
            municipality.country.name if municipality else "",
            participation.role,
            participation.presentation_title,
            participation.attendance,
            participation.person.email or "",
            participation.person.phone,
        )
        for participation in event_participants(event, current_user)
    )
    return csv_response(f"event-{event.id}-participants.csv", CSV_HEADER, rows)


@bp.route("/<int:event_id>/sign-in-sheet")
@role_required(*STAFF)
def sign_in_sheet(event_id: int):
    """A printable sign-in sheet of the people expected at the event."""
    event = get_viewable_or_404(Event, event_id, EVENT_PAGE)
    expected = [
        participation
        for participation in event_participants(event, current_user)
        if participation.attendance
        in (Attendance.REGISTERED, Attendance.ATTENDED, Attendance.ABSENT)
    ]
    return render_template("events/sign_in_sheet.html", event=event, rows=expected)


@bp.route("/participations/export.<fmt>")
@role_required(*STAFF)
def export_participations(fmt: str):
    """Participations (filters: event, municipality, attendance), importable again."""
    return export_response(
        fmt,
        "participations",
        PARTICIPATIONS.columns,
        filtered_participations(request.args),
        title=_("Participations"),
    )
