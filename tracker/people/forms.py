"""Forms for people: the record and the list's filters."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from wtforms import (
    EmailField,
    SearchField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    Optional,
    ValidationError,
)

from tracker.extensions import db
from tracker.forms import (
    LongSelect,
    TrackerForm,
    VersionedForm,
    lower_blank_to_none,
    optional_int,
    strip,
)
from tracker.lists import MAX_SEARCH_LENGTH
from tracker.models import Person
from tracker.municipalities.forms import (
    NOT_COPIED_WITH_CONFIRM,
    confirm_duplicate_field,
    phone_field,
)
from tracker.municipalities.queries import country_choices, municipality_choices
from tracker.translation import lazy_gettext as _l


class PersonForm(VersionedForm):
    full_name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(message=_l("Enter the person's name.")),
            Length(max=200),
        ],
        filters=[strip],
    )
    position = StringField(
        _l("Position"), validators=[Length(max=200)], filters=[strip]
    )
    municipality_id = SelectField(
        _l("Municipality"),
        coerce=optional_int,
        widget=LongSelect(),
        validators=[Optional()],
        description=_l("Leave empty for people from outside the municipalities."),
    )
    organisation = StringField(
        _l("Organisation"),
        validators=[Length(max=200)],
        filters=[strip],
        description=_l("For people who do not act for a municipality."),
    )
    email = EmailField(
        _l("E-mail"),
        validators=[
            Optional(),
            Length(max=254),
            Email(message=_l("Enter an e-mail address such as name@city.example.")),
        ],
        filters=[lower_blank_to_none],
    )
    phone = phone_field()
    confirm_duplicate = confirm_duplicate_field()

    NOT_COPIED = NOT_COPIED_WITH_CONFIRM

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record_id = getattr(kwargs.get("obj"), "id", None)
        self.municipality_id.choices = municipality_choices(_("None"))

    def validate_email(self, field: EmailField) -> None:
        if not field.data:
            return
        clash = db.session.scalar(
            select(Person.id).where(
                func.lower(Person.email) == field.data,
                Person.id != (self.record_id or 0),
            )
        )
        if clash is not None:
            raise ValidationError(_("Another person already has this e-mail address."))


class PersonFilterForm(TrackerForm):
    class Meta:
        csrf = False

    q = SearchField(
        _l("Name, position or e-mail"), validators=[Length(max=MAX_SEARCH_LENGTH)]
    )
    municipality = SelectField(_l("Municipality"), widget=LongSelect())
    country = SelectField(_l("Country"))

    def __init__(self, *args: Any, scoped: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if scoped:
            # A contact sees one municipality's people: only the search applies.
            del self.municipality
            del self.country
        else:
            self.municipality.choices = municipality_choices(_("All municipalities"))
            self.country.choices = {"": _("All countries"), **country_choices()}
