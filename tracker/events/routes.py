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

from collections import Counter
from itertools import groupby
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.cache import cached_page
from tracker.documents.panels import documents_panel
from tracker.events import services
from tracker.events.forms import (
    BulkAttendanceForm,
    EventForm,
    NewPersonParticipationForm,
    ParticipationForm,
    SessionForm,
)
from tracker.events.io import EVENT_COLUMNS, event_row
from tracker.events.queries import (
    EVENT_PAGE,
    EVENT_SORTING,
    WHEN_CHOICES,
    event_filters,
    event_participants,
    event_visibility,
    filtered_events,
    participant_counts,
    search_people,
    select_options,
)
from tracker.extensions import db
from tracker.forms import commit_or_stale
from tracker.history import history_for
from tracker.lists import paginate
from tracker.models import (
    Country,
    Event,
    EventKind,
    EventSession,
    Participation,
    Program,
)
from tracker.permissions import (
    EDITORS,
    SIGNED_IN,
    STAFF,
    get_editable_or_403,
    get_viewable_or_404,
    role_required,
)
from tracker.tabular import export_response
from tracker.testimonials.queries import visible_testimonials

bp = Blueprint("events", __name__, url_prefix="/events")


# ---------------------------------------------------------------- helpers


def _session_of(event: Event, session_id: int) -> EventSession:
    agenda_item = db.get_or_404(EventSession, session_id)
    if agenda_item.event_id != event.id:
        abort(404)
    return agenda_item


def filter_options() -> dict[str, Any]:
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
            return _("Other participants")
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
        "documents": documents_panel(
            [
                (_("This event"), event),
                *[(item.title, item) for item in event.sessions],
                *[
                    (
                        ", ".join(
                            filter(None, (p.presentation_title, p.person.full_name))
                        ),
                        p,
                    )
                    for p in participants
                ],
            ],
            current_user,
        ),
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
@cached_page
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
        **filter_options(),
    )


@bp.route("/<int:event_id>")
@role_required(*SIGNED_IN)
@cached_page
def detail(event_id: int):
    """An event: agenda, participants by place, presentations, attendance."""
    return render_detail(get_viewable_or_404(Event, event_id, EVENT_PAGE))


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
            form.form_errors.append(_("The event could not be saved; check the dates."))
        else:
            flash(_("The event “%(title)s” is recorded.", title=event.title), "success")
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
            form.form_errors.append(_("The event could not be saved; check the dates."))
            saved = False
        if saved:
            flash(_("The event “%(title)s” is updated.", title=event.title), "success")
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
        flash(_("The event was not deleted. %(reason)s", reason=refusal), "error")
        return redirect(url_for(".detail", event_id=event_id))
    db.session.commit()
    flash(_("The event “%(title)s” is deleted.", title=title), "success")
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
        flash(
            _("The session “%(title)s” is added.", title=agenda_item.title), "success"
        )
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
                flash(
                    _("The session “%(title)s” is updated.", title=agenda_item.title),
                    "success",
                )
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
    flash(
        _("The session “%(title)s” is removed from the agenda.", title=title),
        "success",
    )
    return redirect(url_for(".detail", event_id=event.id, _anchor="agenda"))


@bp.route("/export.<fmt>")
@role_required(*STAFF)
def export(fmt: str):
    """The event list, as filtered on the page, as CSV or XLSX."""
    return export_response(
        fmt,
        "events",
        EVENT_COLUMNS,
        filtered_events(request.args),
        event_row,
        title=_("Events"),
    )
