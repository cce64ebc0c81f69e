"""Testimonial forms: writing one, and the reviewer's decisions."""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString, format_date, format_decimal
from flask_babel import gettext as _
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from tracker.forms import VersionedForm, strip
from tracker.models import Person, Testimonial, TestimonialStatus
from tracker.models.testimonials import QUOTE_MAX_LENGTH
from tracker.testimonials.queries import (
    attended_events,
    enrolled_programs,
    municipality_people,
)
from tracker.translation import lazy_gettext as _l

NOTE_MAX_LENGTH = 2000
NAME_MAX_LENGTH = 200


def plain_text(value: Any) -> Any:
    """Browsers send line breaks as CRLF; count and store them as one character,
    as the live counter does, and trim the ends."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value


def optional_id(value: Any) -> int | None:
    """A select's value: "" means none; junk becomes 0, which no choice has."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class TestimonialForm(VersionedForm):
    """What a contact writes; reviewers get the same form without the consent."""

    __test__ = False  # not a pytest test class despite the name

    quote = TextAreaField(
        _l("Quote"),
        filters=[plain_text],
        validators=[
            DataRequired(message=_l("Write the quote.")),
            Length(
                max=QUOTE_MAX_LENGTH,
                message=_l(
                    "The quote can be at most %(max)s characters.",
                    max=LazyString(format_decimal, QUOTE_MAX_LENGTH),
                ),
            ),
        ],
        description=_l(
            "Plain text, at most %(max)s characters. "
            "Line breaks are kept; formatting is not.",
            max=LazyString(format_decimal, QUOTE_MAX_LENGTH),
        ),
        # No maxlength attribute: a browser would silently cut a pasted text;
        # the live counter shows the excess and the server refuses it instead.
        render_kw={
            "data-maxlength": str(QUOTE_MAX_LENGTH),
            "rows": 8,
            "maxlength": False,
        },
    )
    person_id = SelectField(
        _l("Author"),
        coerce=optional_id,
        validate_choice=False,
        description=_l(
            "Pick a person of the municipality, or choose "
            "“Someone else” and type the name and position below."
        ),
    )
    author_name = StringField(
        _l("Author's name"),
        filters=[strip],
        validators=[
            Length(
                max=NAME_MAX_LENGTH,
                message=_l(
                    "The name can be at most %(max)d characters.", max=NAME_MAX_LENGTH
                ),
            )
        ],
        description=_l(
            "Needed when the author is not in the list above; "
            "otherwise the picked person's name is used."
        ),
    )
    author_position = StringField(
        _l("Author's position"),
        filters=[strip],
        validators=[
            Length(
                max=NAME_MAX_LENGTH,
                message=_l(
                    "The position can be at most %(max)d characters.",
                    max=NAME_MAX_LENGTH,
                ),
            )
        ],
        description=_l(
            "For example “Head of Finance”. Left empty, the picked "
            "person's position is used."
        ),
    )
    program_id = SelectField(
        _l("Program it is about"),
        coerce=optional_id,
        validate_choice=False,
        description=_l("Only programs the municipality is enrolled in."),
    )
    event_id = SelectField(
        _l("Event it is about"),
        coerce=optional_id,
        validate_choice=False,
        description=_l("Only events the municipality took part in."),
    )
    has_consent = BooleanField(
        _l("The author agrees to this quote being published"),
        description=_l(
            "Required to submit it for review. A draft can be saved without."
        ),
    )

    NOT_COPIED = VersionedForm.NOT_COPIED | {"person_id", "author_name"}

    def __init__(
        self,
        *args: Any,
        municipality_id: int,
        testimonial: Testimonial | None = None,
        for_reviewer: bool = False,
        needs_consent: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, obj=testimonial, **kwargs)
        # True when saving would submit, or keep it under review.
        self.needs_consent = needs_consent
        self.under_review = testimonial is not None and (
            testimonial.status == TestimonialStatus.SUBMITTED
        )
        if for_reviewer:
            # Consent is the author's statement, given through the contact.
            del self.has_consent
        people = municipality_people(municipality_id)
        programs = enrolled_programs(municipality_id)
        events = attended_events(municipality_id)
        # A link made earlier stays offered, so editing never forces a change.
        if testimonial is not None:
            if testimonial.person and testimonial.person not in people:
                people.append(testimonial.person)
            if testimonial.program and testimonial.program not in programs:
                programs.append(testimonial.program)
            if testimonial.event and testimonial.event not in events:
                events.append(testimonial.event)
        self.people = {person.id: person for person in people}
        self.person_id.choices = [("", _("Someone else (type the name below)"))] + [
            (person.id, _person_label(person)) for person in people
        ]
        self.program_id.choices = [("", _("No particular program"))] + [
            (program.id, f"{program.name} ({program.code})") for program in programs
        ]
        # The month as "Sep 2017" in English, the reader's language otherwise.
        self.event_id.choices = [("", _("No particular event"))] + [
            (event.id, f"{event.title} ({format_date(event.starts_on, 'MMM y')})")
            for event in events
        ]

    def _offered(self, field: SelectField) -> set[int]:
        return {value for value, _label in field.choices if value != ""}

    def validate_person_id(self, field: SelectField) -> None:
        if field.data is not None and field.data not in self._offered(field):
            raise ValidationError(_("Choose a person of this municipality."))

    def validate_author_name(self, field: StringField) -> None:
        if self.person_id.data is None and not field.data:
            raise ValidationError(_("Pick the author above or type their name here."))

    def validate_has_consent(self, field: BooleanField) -> None:
        if not self.needs_consent or field.data:
            return
        if self.under_review:
            raise ValidationError(
                _(
                    "Consent to publish is required while the testimonial is under "
                    "review. If the author no longer agrees, withdraw it instead."
                )
            )
        raise ValidationError(
            _(
                "Consent to publish is required to submit a testimonial for "
                "review: tick this box, or save it as a draft."
            )
        )

    def validate_program_id(self, field: SelectField) -> None:
        if field.data is not None and field.data not in self._offered(field):
            raise ValidationError(
                _("Choose a program the municipality is enrolled in.")
            )

    def validate_event_id(self, field: SelectField) -> None:
        if field.data is not None and field.data not in self._offered(field):
            raise ValidationError(_("Choose an event the municipality took part in."))

    def apply_to(self, obj: Testimonial) -> None:
        """Copy the fields; a picked person gives the author's name (and position)."""
        super().apply_to(obj)
        person = self.people.get(self.person_id.data) if self.person_id.data else None
        if person is None:
            obj.person_id = None
            obj.author_name = self.author_name.data
        else:
            obj.person_id = person.id
            obj.author_name = person.full_name
            obj.author_position = self.author_position.data or person.position


def _person_label(person: Person) -> str:
    return (
        f"{person.full_name}, {person.position}"
        if person.position
        else (person.full_name)
    )


class ActionForm(VersionedForm):
    """A one-button step (submit, approve, feature...): only the version it saw."""


class NoteForm(VersionedForm):
    """Reject or unpublish: the note to the submitter is required."""

    note = TextAreaField(
        _l("Note to the submitter"),
        filters=[plain_text],
        validators=[
            DataRequired(
                message=_l("Write a note for the submitter: it tells them why.")
            ),
            Length(
                max=NOTE_MAX_LENGTH,
                message=_l(
                    "The note can be at most %(max)s characters.",
                    max=LazyString(format_decimal, NOTE_MAX_LENGTH),
                ),
            ),
        ],
        render_kw={
            "data-maxlength": str(NOTE_MAX_LENGTH),
            "rows": 3,
            "maxlength": False,
        },
    )
