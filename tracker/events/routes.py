"""Events, their sessions and participations; the public events pages.

Who may do what (the access rows in ``tests/access/events.py`` prove it):
staff see every event; coordinators and admins change them; a municipal
contact sees public events, events that are not over, and events their
municipality took part in, and proposes people of their own municipality
for upcoming ones. Contact details (e-mail, phone) of a participant are
shown to staff and to the contacts of the municipality they represented.
Anonymous visitors see public events at ``/events/public``.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from itertools import groupby
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import AnonymousUserMixin, current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from tracker.audit import history_for
from tracker.auth.permissions import (
    EDITORS,
    SIGNED_IN,
    STAFF,
    get_editable_or_403,
    get_viewable_or_404,
    public,
    role_required,
)
from tracker.events import services
from tracker.events.forms import (
    BulkAttendanceForm,
    EventForm,
    NewPersonParticipationForm,
    ParticipationEditForm,
    ParticipationForm,
    ProposalForm,
    SessionForm,
)
from tracker.events.queries import (
    EVENT_SORTING,
    WHEN_CHOICES,
    event_filters,
    event_participants,
    event_visibility,
    filtered_events,
    participant_counts,
    people_of,
    search_people,
    select_options,
)
from tracker.extensions import db
from tracker.forms import commit_or_stale
from tracker.lists import paginate
from tracker.models import (
    Attendance,
    Country,
    Event,
    EventKind,
    EventSession,
    Participation,
    Person,
    Program,
    Role,
    User,
)
from tracker.testimonials.notifications import notify
from tracker.testimonials.queries import visible_testimonials
from tracker.text import without_control_characters

bp = Blueprint("events", __name__, url_prefix="/events")

DUPLICATE_MESSAGE = "This person is already a participant of this event."


# ---------------------------------------------------------------- helpers


def _load_event(event_id: int) -> Event:
    """The event with what its page shows, if the current user may see it."""
    event = db.session.scalar(
        select(Event)
        .where(Event.id == event_id)
        .options(
            joinedload(Event.country),
            joinedload(Event.program),
            selectinload(Event.sessions),
        )
    )
    if event is None or not event.can_view(current_user):
        abort(404)
    return event


def _participation_of(event: Event, participation_id: int) -> Participation:
    participation = db.get_or_404(Participation, participation_id)
    if participation.event_id != event.id:
        abort(404)
    return participation


def _session_of(event: Event, session_id: int) -> EventSession:
    agenda_item = db.get_or_404(EventSession, session_id)
    if agenda_item.event_id != event.id:
        abort(404)
    return agenda_item


def _put_error(form, error: services.ParticipationError) -> None:
    """Show a service's refusal beside its field, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def _filter_options() -> dict[str, Any]:
    return {
        "kinds": list(EventKind),
        "countries": db.session.execute(
            select(Country.code, Country.name)
            .where(Country.id.in_(select(Event.country_id)))
            .order_by(Country.name)
        ).all(),
        "programs": db.session.execute(
            select(Program.code, Program.name).order_by(Program.code)
        ).all(),
        "when_choices": WHEN_CHOICES,
        "filters": event_filters(request.args),
    }


def group_by_place(participations: list[Participation]) -> list[tuple[str, list]]:
    """Participants under headings "Country: Municipality" (others last)."""

    def heading(participation: Participation) -> str:
        municipality = participation.municipality
        if municipality is None:
            return "Other participants"
        return f"{municipality.country.name}: {municipality.name}"

    return [
        (title, list(members))
        for title, members in groupby(participations, key=heading)
    ]


def render_detail(event: Event, status: int = 200, **forms: Any):
    """The event page; the form that failed (if any) comes back with its errors."""
    participants = event_participants(event, current_user)
    context: dict[str, Any] = {
        "event": event,
        "groups": group_by_place(participants),
        "participants": participants,
        "attendance_counts": Counter(p.attendance for p in participants),
        "presentations": [p for p in participants if p.presentation_title],
        "proposals": [p for p in participants if p.is_proposed],
        "editing_session": forms.pop("editing_session", None),
        "person_q": "",
        "history": [],
        "testimonials": visible_testimonials(current_user, event_id=event.id),
    }
    if event.can_edit(current_user):
        options = select_options()
        person_q = (request.values.get("person_q") or "").strip()[:100]
        found = search_people(person_q, exclude_event=event) if person_q else []
        participation_form = forms.get("participation_form") or ParticipationForm(
            formdata=None, person_q=person_q
        )
        participation_form.fill_choices(options, found)
        person_form = forms.get("person_form") or NewPersonParticipationForm(
            formdata=None
        )
        person_form.fill_choices(options)
        session_form = forms.get("session_form") or SessionForm(
            formdata=None, event=event, held_on=event.starts_on
        )
        context.update(
            person_q=person_q,
            found_people=found,
            participation_form=participation_form,
            person_form=person_form,
            session_form=session_form,
            bulk_form=forms.get("bulk_form") or BulkAttendanceForm(formdata=None),
        )
    if current_user.is_staff:
        context["history"] = history_for(db.session, event)
    return render_template("events/detail.html", **context), status


# ---------------------------------------------------------------- events


@bp.route("/")
@role_required(*SIGNED_IN)
def index():
    """Events the current user may see, filtered, sorted and paged."""
    query = filtered_events(request.args).where(event_visibility(current_user))
    page = paginate(query)
    counts = (
        participant_counts([event.id for event in page.items])
        if current_user.is_staff
        else {}
    )
    return render_template(
        "events/index.html",
        page=page,
        counts=counts,
        sort=EVENT_SORTING.key(request.args),
        **_filter_options(),
    )


@bp.route("/<int:event_id>")
@role_required(*SIGNED_IN)
def detail(event_id: int):
    """An event: agenda, participants by place, presentations, attendance."""
    return render_detail(_load_event(event_id))


@bp.route("/new", methods=("GET", "POST"))
@role_required(*EDITORS)
def create():
    """Record a new event."""
    form = EventForm()
    form.fill_choices(select_options())
    if form.validate_on_submit():
        event = Event()
        form.apply_to(event)
        db.session.add(event)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            form.form_errors.append("The event could not be saved; check the dates.")
        else:
            flash(f"The event “{event.title}” is recorded.", "success")
            return redirect(url_for(".detail", event_id=event.id))
    return render_template("events/form.html", form=form, event=None)


@bp.route("/<int:event_id>/edit", methods=("GET", "POST"))
@role_required(*EDITORS)
def edit(event_id: int):
    """Change an event's details."""
    event = get_editable_or_403(Event, event_id)
    form = EventForm(obj=event, session_dates=[item.held_on for item in event.sessions])
    form.fill_choices(select_options())
    if request.method == "GET":
        form.load_version(event)
    elif form.validate_on_submit():
        if form.is_stale(event):
            return render_template("events/form.html", form=form, event=event), 409
        form.apply_to(event)
        try:
            saved = commit_or_stale(form)
        except IntegrityError:
            db.session.rollback()
            form.form_errors.append("The event could not be saved; check the dates.")
            saved = False
        if saved:
            flash(f"The event “{event.title}” is updated.", "success")
            return redirect(url_for(".detail", event_id=event.id))
        return render_template("events/form.html", form=form, event=event), 409
    return render_template("events/form.html", form=form, event=event)


@bp.route("/<int:event_id>/delete", methods=("POST",))
@role_required(*EDITORS)
def delete(event_id: int):
    """Delete an event and its agenda, unless people or testimonials refer to it."""
    event = get_editable_or_403(Event, event_id)
    title = event.title
    try:
        services.delete_event(event)
    except services.EventInUse as refusal:
        db.session.rollback()
        flash(f"The event was not deleted. {refusal}", "error")
        return redirect(url_for(".detail", event_id=event_id))
    db.session.commit()
    flash(f"The event “{title}” is deleted.", "success")
    return redirect(url_for(".index"))


# ---------------------------------------------------------------- sessions


@bp.route("/<int:event_id>/sessions", methods=("POST",))
@role_required(*EDITORS)
def add_session(event_id: int):
    """Add an agenda item or site visit to the event."""
    event = get_editable_or_403(Event, event_id)
    form = SessionForm(event=event)
    if form.validate_on_submit():
        agenda_item = EventSession(event=event)
        form.apply_to(agenda_item)
        db.session.add(agenda_item)
        db.session.commit()
        flash(f"The session “{agenda_item.title}” is added.", "success")
        return redirect(url_for(".detail", event_id=event.id, _anchor="agenda"))
    return render_detail(event, session_form=form)


@bp.route("/<int:event_id>/sessions/<int:session_id>/edit", methods=("GET", "POST"))
@role_required(*EDITORS)
def edit_session(event_id: int, session_id: int):
    """Edit a session, in place on the event page."""
    event = get_editable_or_403(Event, event_id)
    agenda_item = _session_of(event, session_id)
    form = SessionForm(obj=agenda_item, event=event)
    if request.method == "GET":
        form.load_version(agenda_item)
    elif form.validate_on_submit():
        if not form.is_stale(agenda_item):
            form.apply_to(agenda_item)
            if commit_or_stale(form):
                flash(f"The session “{agenda_item.title}” is updated.", "success")
                return redirect(url_for(".detail", event_id=event.id, _anchor="agenda"))
        return render_detail(
            event, status=409, session_form=form, editing_session=agenda_item
        )
    return render_detail(event, session_form=form, editing_session=agenda_item)


@bp.route("/<int:event_id>/sessions/<int:session_id>/delete", methods=("POST",))
@role_required(*EDITORS)
def delete_session(event_id: int, session_id: int):
    """Remove a session from the agenda."""
    event = get_editable_or_403(Event, event_id)
    agenda_item = _session_of(event, session_id)
    title = agenda_item.title
    db.session.delete(agenda_item)
    db.session.commit()
    flash(f"The session “{title}” is removed from the agenda.", "success")
    return redirect(url_for(".detail", event_id=event.id, _anchor="agenda"))


# ---------------------------------------------------------------- participations


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
                    "Choose a person from the search results.", "person_id"
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
            _put_error(form, refusal)
        except IntegrityError:
            db.session.rollback()
            form.person_id.errors = [DUPLICATE_MESSAGE]
        else:
            flash(f"{person.full_name} is added to the participants.", "success")
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
            _put_error(form, refusal)
        except IntegrityError:
            db.session.rollback()
            form.email.errors = [
                "Someone with this e-mail address is already recorded."
            ]
        else:
            flash(
                f"{person.full_name} is recorded and added to the participants.",
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
                services.check_attendance(event, form.attendance.data, _today())
            except services.ParticipationError as refusal:
                _put_error(form, refusal)
            else:
                form.apply_to(participation)
                if commit_or_stale(form):
                    flash(
                        f"The participation of {participation.person.full_name} "
                        "is updated.",
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
    flash(f"{name} is removed from the participants.", "success")
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
                event, form.participation_ids.data, form.attendance.data, _today()
            )
            db.session.commit()
        except services.ParticipationError as refusal:
            db.session.rollback()
            form.form_errors.append(refusal.message)
        else:
            flash(
                f"{len(marked)} participant(s) are marked "
                f"{form.attendance.data.value}.",
                "success",
            )
            return redirect(
                url_for(".detail", event_id=event.id, _anchor="participants")
            )
    return render_detail(event, bulk_form=form)


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
        outcome = "confirmed" if accept else "declined"
        if participation.proposed_by is not None:
            notify(
                [participation.proposed_by],
                f"Your proposal of {name} for “{event.title}” was {outcome}.",
                url_for(".detail", event_id=event.id),
            )
        db.session.commit()
        flash(f"The proposal of {name} is {outcome}.", "success")
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
                today=_today(),
            )
            notify(
                _coordinators(),
                f"{current_user.municipality.name} proposes {person.full_name} "
                f"for “{event.title}”.",
                url_for(".detail", event_id=event.id, _anchor="proposals"),
            )
            db.session.commit()
        except services.ParticipationError as refusal:
            db.session.rollback()
            _put_error(form, refusal)
        except IntegrityError:
            db.session.rollback()
            form.person_id.errors = [DUPLICATE_MESSAGE]
        else:
            flash(
                f"{person.full_name} is proposed. A coordinator will confirm "
                "or decline the proposal.",
                "success",
            )
            return redirect(url_for(".detail", event_id=event.id))
    return render_template("events/propose.html", form=form, event=event, own=own)


# ---------------------------------------------------------------- exports


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


def _cell(value: Any) -> str:
    """Text for a spreadsheet cell, never read as a formula."""
    text = "" if value is None else without_control_characters(str(value))
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


@bp.route("/<int:event_id>/participants.csv")
@role_required(*STAFF)
def export_participants(event_id: int):
    """The participant list as CSV (UTF-8 with BOM, so spreadsheets read it)."""
    event = _load_event(event_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for participation in event_participants(event, current_user):
        person = participation.person
        municipality = participation.municipality
        writer.writerow(
            [
                _cell(value)
                for value in (
                    person.full_name,
                    person.position,
                    person.organisation,
                    municipality.name if municipality else "",
                    municipality.country.name if municipality else "",
                    participation.role.value,
                    participation.presentation_title,
                    participation.attendance.value,
                    person.email or "",
                    person.phone,
                )
            ]
        )
    body = "\ufeff" + buffer.getvalue()
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": (
                f'attachment; filename="event-{event.id}-participants.csv"'
            )
        },
    )


@bp.route("/<int:event_id>/sign-in-sheet")
@role_required(*STAFF)
def sign_in_sheet(event_id: int):
    """A printable sign-in sheet of the people expected at the event."""
    event = _load_event(event_id)
    expected = [
        participation
        for participation in event_participants(event, current_user)
        if participation.attendance
        in (Attendance.REGISTERED, Attendance.ATTENDED, Attendance.ABSENT)
    ]
    return render_template("events/sign_in_sheet.html", event=event, rows=expected)


# ---------------------------------------------------------------- public pages


@bp.route("/public")
@public
def public_index():
    """Public events, for everyone."""
    query = filtered_events(request.args).where(Event.is_public.is_(True))
    return render_template(
        "events/public_index.html",
        public_page=True,
        page=paginate(query),
        sort=EVENT_SORTING.key(request.args),
        **_filter_options(),
    )


@bp.route("/public/<int:event_id>")
@public
def public_detail(event_id: int):
    """A public event: agenda and confirmed participants, no contact details."""
    event = db.session.scalar(
        select(Event)
        .where(Event.id == event_id, Event.is_public.is_(True))
        .options(
            joinedload(Event.country),
            joinedload(Event.program),
            selectinload(Event.sessions),
        )
    )
    if event is None:
        abort(404)
    # Shown as to an anonymous visitor, whoever asks: the same page for all.
    participants = event_participants(event, AnonymousUserMixin())
    return render_template(
        "events/public_detail.html",
        public_page=True,
        event=event,
        groups=group_by_place(participants),
        presentations=[p for p in participants if p.presentation_title],
        testimonials=visible_testimonials(AnonymousUserMixin(), event_id=event.id),
    )


def _coordinators() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.COORDINATOR, User.is_active)
        )
    )


def _today() -> date:
    return date.today()
