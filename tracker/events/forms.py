"""Forms for events, their sessions and participations.

Select choices are filled by the views (``fill_choices``); no form queries
or writes anything.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from tracker.forms import (
    LongSelect,
    TrackerForm,
    VersionedForm,
    blank_to_none,
    is_db_id,
    strip,
)
from tracker.i18n import format_day
from tracker.models import Attendance, EventKind, ParticipationRole, SessionKind
from tracker.models.enums import lazy_label
from tracker.translation import lazy_gettext as _l

DESCRIPTION_MAX = 10_000
ORGANISERS_MAX = 1_000
SESSION_DESCRIPTION_MAX = 5_000


def optional_id(value: Any) -> int | None:
    """Coerce a select's value to an id; the blank option means "none"."""
    if value in (None, "", "None"):
        return None
    return int(value)


def choices(pairs) -> list[SelectChoice]:
    """Select options from ``(value, label)`` pairs."""
    return [SelectChoice(value, text) for value, text in pairs]


def enum_choices(enum_class, only=None) -> list[SelectChoice]:
    return choices(
        (member.value, lazy_label(member))
        for member in enum_class
        if only is None or member in only
    )


def _enum(enum_class):
    """Coerce a submitted value to the enum; junk becomes a "not a valid choice"."""

    def coerce(value: Any):
        if isinstance(value, enum_class):
            return value
        try:
            return enum_class(value)
        except ValueError:
            return None

    return coerce


class EventForm(VersionedForm):
    title = StringField(
        _l("Title"), filters=[strip], validators=[DataRequired(), Length(max=200)]
    )
    kind = SelectField(
        _l("Kind"),
        choices=enum_choices(EventKind),
        coerce=_enum(EventKind),
        validators=[InputRequired()],
    )
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DateField(
        _l("Ends on"),
        validators=[InputRequired()],
        description=_l("The same day as the start for a one-day event."),
    )
    city = StringField(_l("City"), filters=[strip], validators=[Length(max=120)])
    country_id = SelectField(_l("Country"), coerce=optional_id, validate_choice=True)
    venue = StringField(_l("Venue"), filters=[strip], validators=[Length(max=200)])
    organisers = TextAreaField(
        _l("Hosts and organisers"),
        filters=[strip],
        validators=[Length(max=ORGANISERS_MAX)],
        render_kw={"rows": 2, "data-maxlength": ORGANISERS_MAX},
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip],
        validators=[Length(max=DESCRIPTION_MAX)],
        render_kw={"rows": 5, "data-maxlength": DESCRIPTION_MAX},
    )
    program_id = SelectField(
        _l("Program"),
        coerce=optional_id,
        description=_l("Trainings linked to ILTP count toward trained leaders."),
    )
    is_public = BooleanField(
        _l(
            "Public: show this event and its confirmed participants' names "
            "(never their contact details) on the public events page"
        )
    )

    def fill_choices(self, options: dict[str, list[tuple[Any, str]]]) -> None:
        self.country_id.choices = choices([("", "—"), *options["countries"]])
        self.program_id.choices = choices([("", _("— none —")), *options["programs"]])

    def __init__(self, *args: Any, session_dates: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Dates of the event's existing sessions: new event dates must keep them.
        self.session_dates = session_dates or []

    def validate_ends_on(self, field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_("The end date cannot be before the start date."))

    def validate_starts_on(self, field) -> None:
        if field.data and self.session_dates and min(self.session_dates) < field.data:
            raise ValidationError(
                _(
                    "Some sessions are dated before this start date: "
                    "move or delete them first."
                )
            )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        ends = self.ends_on.data
        if ends and self.session_dates and max(self.session_dates) > ends:
            self.ends_on.errors = [
                *self.ends_on.errors,
                _(
                    "Some sessions are dated after this end date: "
                    "move or delete them first."
                ),
            ]
            valid = False
        return valid


class SessionForm(VersionedForm):
    """An agenda item or site visit; dated within its event."""

    class Meta:
        id_prefix = "session-"  # the event page shows it beside other forms

    held_on = DateField(_l("Date"), validators=[InputRequired()])
    position = IntegerField(
        _l("Order on that day"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=999)],
        description=_l("Lower numbers come first."),
    )
    kind = SelectField(
        _l("Kind"),
        choices=enum_choices(SessionKind),
        coerce=_enum(SessionKind),
        validators=[InputRequired()],
    )
    title = StringField(
        _l("Title"), filters=[strip], validators=[DataRequired(), Length(max=200)]
    )
    speakers = StringField(
        _l("Speaker(s)"), filters=[strip], validators=[Length(max=300)]
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip],
        validators=[Length(max=SESSION_DESCRIPTION_MAX)],
        render_kw={"rows": 3, "data-maxlength": SESSION_DESCRIPTION_MAX},
    )

    def __init__(self, *args: Any, event=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event

    def validate_held_on(self, field) -> None:
        event = self.event
        if field.data and event and not event.starts_on <= field.data <= event.ends_on:
            raise ValidationError(
                _(
                    "The session must take place during the event "
                    "(%(starts)s to %(ends)s).",
                    starts=format_day(event.starts_on),
                    ends=format_day(event.ends_on),
                )
            )

    def apply_to(self, obj: Any) -> None:
        super().apply_to(obj)
        obj.position = self.position.data or 0


def _role_field():
    return SelectField(
        _l("Role"),
        choices=enum_choices(ParticipationRole),
        coerce=_enum(ParticipationRole),
        default=ParticipationRole.DELEGATE.value,
        validators=[InputRequired()],
    )


def _presentation_field():
    return StringField(
        _l("Presentation title"),
        filters=[strip],
        validators=[Length(max=300)],
        description=_l("Leave empty if they presented nothing."),
    )


def _attendance_field(states=None, default=None):
    return SelectField(
        _l("Attendance"),
        choices=enum_choices(Attendance, states),
        coerce=_enum(Attendance),
        default=default,
        validators=[InputRequired()],
    )


def _municipality_choices(options, blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank), *options["municipalities"]]


# Staff record any state; "proposed" is how contacts' suggestions arrive.
STAFF_ATTENDANCE = [a for a in Attendance if a != Attendance.PROPOSED]


class ParticipationForm(TrackerForm):
    """Add an existing person, found by the search on the event page."""

    class Meta:
        id_prefix = "participation-"  # the event page shows it beside other forms

    person_id = SelectField(
        _l("Person"),
        coerce=optional_id,
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Choose a person from the search results."))
        ],
    )
    municipality_id = SelectField(
        _l("Represented municipality"),
        coerce=optional_id,
        widget=LongSelect(),
        description=_l("Leave as is to record the person's own municipality."),
    )
    role = _role_field()
    presentation_title = _presentation_field()
    attendance = _attendance_field(STAFF_ATTENDANCE, Attendance.REGISTERED.value)
    person_q = HiddenField()

    def fill_choices(self, options, people=()) -> None:
        self.municipality_id.choices = _municipality_choices(
            options, _("— the person's own municipality —")
        )
        self.person_id.choices = choices(
            (
                person.id,
                f"{person.full_name} ({person.affiliation or _('no affiliation')})",
            )
            for person in people
        )

    def validate_person_id(self, field) -> None:
        if field.data is None:
            raise ValidationError(_("Choose a person from the search results."))


class NewPersonParticipationForm(TrackerForm):
    """A person created on the spot, without leaving the event page."""

    class Meta:
        id_prefix = "new-person-"  # the event page shows it beside other forms

    full_name = StringField(
        _l("Full name"), filters=[strip], validators=[DataRequired(), Length(max=200)]
    )
    position = StringField(
        _l("Position or title"), filters=[strip], validators=[Length(max=200)]
    )
    organisation = StringField(
        _l("Organisation"),
        filters=[strip],
        validators=[Length(max=200)],
        description=_l("For people who do not act for a municipality."),
    )
    municipality_id = SelectField(
        _l("Municipality"),
        coerce=optional_id,
        widget=LongSelect(),
        description=_l("Their municipality, recorded as the one they represent here."),
    )
    email = EmailField(
        _l("E-mail"),
        filters=[blank_to_none],
        validators=[Optional(), Email(), Length(max=254)],
    )
    phone = StringField(_l("Phone"), filters=[strip], validators=[Length(max=50)])
    role = _role_field()
    presentation_title = _presentation_field()
    attendance = _attendance_field(STAFF_ATTENDANCE, Attendance.REGISTERED.value)

    def fill_choices(self, options) -> None:
        self.municipality_id.choices = _municipality_choices(options, _("— none —"))


class ParticipationEditForm(VersionedForm):
    municipality_id = SelectField(
        _l("Represented municipality"),
        coerce=optional_id,
        widget=LongSelect(),
        description=_l("As it was at the time of the event."),
    )
    role = _role_field()
    presentation_title = _presentation_field()
    attendance = _attendance_field()

    def fill_choices(self, options) -> None:
        self.municipality_id.choices = _municipality_choices(options, _("— none —"))


class BulkAttendanceForm(TrackerForm):
    """Mark many participants at once; refused whole if any one cannot be."""

    class Meta:
        id_prefix = "bulk-"  # the event page shows it beside other forms

    participation_ids = SelectMultipleField(
        _l("Participants"), coerce=int, validate_choice=False
    )
    attendance = SelectField(
        _l("Mark the selected participants as"),
        choices=enum_choices(
            Attendance, (Attendance.ATTENDED, Attendance.ABSENT, Attendance.REGISTERED)
        ),
        coerce=_enum(Attendance),
        default=Attendance.ATTENDED.value,
        validators=[InputRequired()],
    )

    def validate_participation_ids(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Select at least one participant."))
        # Ids are database keys: anything outside their range is not one of ours
        # (and would overflow the driver).
        if not all(is_db_id(number) for number in field.data):
            raise ValidationError(_("One of the selected participants does not exist."))


class ProposalForm(TrackerForm):
    """A contact proposes someone of their own municipality: an existing person,
    or a new one by name."""

    person_id = SelectField(
        _l("Person from your municipality"),
        coerce=optional_id,
        description=_l("Or leave this empty and enter a new person below."),
    )
    full_name = StringField(
        _l("New person's full name"), filters=[strip], validators=[Length(max=200)]
    )
    position = StringField(
        _l("New person's position"), filters=[strip], validators=[Length(max=200)]
    )
    email = EmailField(
        _l("New person's e-mail"),
        filters=[blank_to_none],
        validators=[Optional(), Email(), Length(max=254)],
    )
    phone = StringField(
        _l("New person's phone"), filters=[strip], validators=[Length(max=50)]
    )
    role = _role_field()
    presentation_title = _presentation_field()

    def fill_choices(self, people) -> None:
        self.person_id.choices = choices(
            [("", _("— a new person —")), *((p.id, p.full_name) for p in people)]
        )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.person_id.data is None and not self.full_name.data:
            self.person_id.errors.append(
                _("Choose a person of your municipality or enter a new person's name.")
            )
            return False
        if valid and self.person_id.data is not None and self.full_name.data:
            self.full_name.errors.append(
                _("Either choose an existing person or enter a new one, not both.")
            )
            return False
        return valid


class InvitationForm(TrackerForm):
    """Choose the participants who get an e-mail invitation."""

    participation_ids = SelectMultipleField(
        _l("Participants"), coerce=int, validate_choice=False
    )

    def validate_participation_ids(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Select at least one participant to invite."))
        if not all(is_db_id(number) for number in field.data):
            raise ValidationError(_("One of the selected participants does not exist."))
