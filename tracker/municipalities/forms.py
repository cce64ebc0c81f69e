"""Forms for countries, municipalities and people.

Edit forms name their fields after the model's columns, so ``apply_to``
copies exactly these fields and nothing a POST adds.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SearchField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from tracker.extensions import db
from tracker.forms import (
    STALE_MESSAGE,
    LongSelect,
    TrackerForm,
    VersionedForm,
    blank_to_none,
    commit_or_stale,
    is_db_id,
    strip,
)
from tracker.lists import MAX_SEARCH_LENGTH
from tracker.models import Country, Municipality, Person, SizeClass
from tracker.municipalities.queries import country_choices, municipality_choices

# Assigned ISO 3166-1 alpha-2 codes (Debian iso-codes 4.x), plus XK, the
# user-assigned code used for Kosovo by the EU, the World Bank and the UN.
ISO_3166_ALPHA2 = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL
    BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV
    CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD
    GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM
    IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK
    LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW
    MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR
    PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS
    ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY
    UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK
    """.split()
)

# Larger than any city on Earth, small enough for a 32-bit integer column.
MAX_POPULATION = 100_000_000
NOTES_MAX_LENGTH = 5_000
PHONE_PATTERN = r"^[0-9+()./\- ]*$"


# The ids a database integer column holds: a larger number is no choice at
# all, and PostgreSQL refuses to compare a column with it.
MAX_ID = 2**31 - 1


def optional_int(value: Any) -> int | None:
    """Select-field coercion where the empty choice means "none"."""
    if value in (None, "", "None"):
        return None
    number = int(value)
    if not -MAX_ID <= number <= MAX_ID:
        raise ValueError("Not a valid choice.")
    return number


def lower_blank_to_none(value: Any) -> Any:
    """E-mail filter: trimmed, lower case, and NULL (not "") when empty."""
    value = blank_to_none(value)
    return value.lower() if isinstance(value, str) else value


WEB_ADDRESS_MESSAGE = (
    "Enter a full web address starting with https://, such as https://www.rijeka.hr."
)
PHONE_MESSAGE = "Use digits, spaces and + ( ) - . / only."


def is_web_address(value: str) -> bool:
    """Whether ``value`` is an http(s) address (the form and the CSV import ask)."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def http_url(form: FlaskForm, field: Any) -> None:
    """Only http(s) addresses: the page links to them."""
    if field.data and not is_web_address(field.data):
        raise ValidationError(WEB_ADDRESS_MESSAGE)


def form_status(form: FlaskForm) -> int:
    """The status a re-shown form answers with: 409 when the record went stale."""
    return 409 if STALE_MESSAGE in form.form_errors else 200


def commit_form(form: VersionedForm, field: Any, clash_message: str) -> bool:
    """Commit the request's changes; a stale record or a constraint the form's own
    checks missed (a concurrent save) becomes a message, never a 500."""
    try:
        return commit_or_stale(form)
    except IntegrityError:
        db.session.rollback()
        field.errors.append(clash_message)
        return False
    except OperationalError as error:
        # SQLite in WAL mode refuses a write from a transaction whose snapshot
        # another writer has moved past ("database is locked") instead of
        # letting the version check run: for the user it is the same conflict.
        if "database is locked" not in str(error.orig):
            raise
        db.session.rollback()
        form.form_errors.append(STALE_MESSAGE)
        return False


# Contact-detail fields, shared by the full form and the contact's form.
def _website() -> URLField:
    return URLField(
        "Website", validators=[Optional(), Length(max=255), http_url], filters=[strip]
    )


def _address() -> StringField:
    return StringField("Address", validators=[Length(max=255)], filters=[strip])


def _email() -> EmailField:
    return EmailField(
        "E-mail",
        validators=[
            Optional(),
            Length(max=254),
            Email(message="Enter an e-mail address such as office@city.example."),
        ],
        filters=[strip],
    )


def _phone() -> TelField:
    return TelField(
        "Phone",
        validators=[
            Length(max=50),
            Regexp(
                PHONE_PATTERN,
                message=PHONE_MESSAGE,
            ),
        ],
        filters=[strip],
    )


class MunicipalityContactForm(VersionedForm):
    """What a municipality's own contact may change: how to reach it."""

    website = _website()
    address = _address()
    email = _email()
    phone = _phone()


class MunicipalityForm(VersionedForm):
    """Every field of a municipality, for coordinators and administrators."""

    name = StringField(
        "Name",
        validators=[
            DataRequired(message="Enter the municipality's name."),
            Length(max=120),
        ],
        filters=[strip],
    )
    country_id = SelectField(
        "Country",
        coerce=optional_int,
        validators=[DataRequired(message="Choose a country.")],
    )
    region = StringField(
        "Region",
        validators=[Length(max=120)],
        filters=[strip],
        description="County, canton, district or region.",
    )
    population = IntegerField(
        "Population",
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=MAX_POPULATION,
                message=f"Enter a whole number from 0 to {MAX_POPULATION:,}.",
            ),
        ],
        description="The size class follows from it.",
    )
    website = _website()
    address = _address()
    email = _email()
    phone = _phone()
    notes = TextAreaField(
        "Notes",
        validators=[Length(max=NOTES_MAX_LENGTH)],
        filters=[strip],
        render_kw={"rows": 4, "data-maxlength": NOTES_MAX_LENGTH},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record_id = getattr(kwargs.get("obj"), "id", None)
        self.country_id.choices = {"": "Choose a country", **country_choices()}

    def validate_name(self, field: StringField) -> None:
        if not field.data or not is_db_id(self.country_id.data):
            return
        clash = db.session.scalar(
            select(Municipality.id).where(
                Municipality.country_id == self.country_id.data,
                func.lower(Municipality.name) == field.data.lower(),
                Municipality.id != (self.record_id or 0),
            )
        )
        if clash is not None:
            raise ValidationError(
                "This country already has a municipality with this name."
            )


class CountryForm(VersionedForm):
    code = StringField(
        "ISO code",
        validators=[
            DataRequired(message="Enter the two-letter ISO 3166-1 code."),
            Length(min=2, max=2, message="The code has exactly two letters."),
        ],
        filters=[strip, lambda value: value.upper() if value else value],
        description="ISO 3166-1 alpha-2, such as HR or RS; XK for Kosovo.",
    )
    name = StringField(
        "Name",
        validators=[DataRequired(message="Enter the country's name."), Length(max=100)],
        filters=[strip],
    )
    is_program_country = BooleanField(
        "Program country",
        description="One of the South-East European countries the program serves.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record_id = getattr(kwargs.get("obj"), "id", None)

    def validate_code(self, field: StringField) -> None:
        if field.data not in ISO_3166_ALPHA2:
            raise ValidationError(
                "This is not an ISO 3166-1 alpha-2 country code (XK for Kosovo)."
            )
        if self._taken(Country.code, field.data):
            raise ValidationError("Another country already has this code.")

    def validate_name(self, field: StringField) -> None:
        if field.data and self._taken(func.lower(Country.name), field.data.lower()):
            raise ValidationError("Another country already has this name.")

    def _taken(self, column: Any, value: str) -> bool:
        return (
            db.session.scalar(
                select(Country.id).where(
                    column == value, Country.id != (self.record_id or 0)
                )
            )
            is not None
        )


class PersonForm(VersionedForm):
    full_name = StringField(
        "Full name",
        validators=[DataRequired(message="Enter the person's name."), Length(max=200)],
        filters=[strip],
    )
    position = StringField("Position", validators=[Length(max=200)], filters=[strip])
    municipality_id = SelectField(
        "Municipality",
        coerce=optional_int,
        widget=LongSelect(),
        validators=[Optional()],
        description="Leave empty for people from outside the municipalities.",
    )
    organisation = StringField(
        "Organisation",
        validators=[Length(max=200)],
        filters=[strip],
        description="For people who do not act for a municipality.",
    )
    email = EmailField(
        "E-mail",
        validators=[
            Optional(),
            Length(max=254),
            Email(message="Enter an e-mail address such as name@city.example."),
        ],
        filters=[lower_blank_to_none],
    )
    phone = _phone()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record_id = getattr(kwargs.get("obj"), "id", None)
        self.municipality_id.choices = municipality_choices("None")

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
            raise ValidationError("Another person already has this e-mail address.")


class MunicipalityFilterForm(TrackerForm):
    """The list's search and filters, read from the URL (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = SearchField("Name or region", validators=[Length(max=MAX_SEARCH_LENGTH)])
    country = SelectField("Country")
    size = SelectField(
        "Size",
        choices={"": "Any size", **{size.value: size.label for size in SizeClass}},
    )

    def __init__(self, *args: Any, scoped: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if scoped:
            # A contact's list holds one municipality: nothing to filter.
            del self.country
            del self.size
        else:
            self.country.choices = {"": "All countries", **country_choices()}


class PersonFilterForm(TrackerForm):
    class Meta:
        csrf = False

    q = SearchField(
        "Name, position or e-mail", validators=[Length(max=MAX_SEARCH_LENGTH)]
    )
    municipality = SelectField("Municipality", widget=LongSelect())
    country = SelectField("Country")

    def __init__(self, *args: Any, scoped: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if scoped:
            # A contact sees one municipality's people: only the search applies.
            del self.municipality
            del self.country
        else:
            self.municipality.choices = municipality_choices("All municipalities")
            self.country.choices = {"": "All countries", **country_choices()}
