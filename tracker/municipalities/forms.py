"""Forms for countries, municipalities and people.

Edit forms name their fields after the model's columns, so ``apply_to``
copies exactly these fields and nothing a POST adds.
"""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString, format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select
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
    MAX_POPULATION,
    NOTES_MAX_LENGTH,
    PHONE_MESSAGE,
    PHONE_PATTERN,
    TrackerForm,
    VersionedForm,
    http_url,
    is_db_id,
    optional_int,
    strip,
)
from tracker.lists import MAX_SEARCH_LENGTH
from tracker.models import Country, Municipality, SizeClass
from tracker.municipalities.queries import country_choices, named_alike
from tracker.translation import lazy_gettext as _l

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


# Contact-detail fields, shared by the full form and the contact's form.
def website_field() -> URLField:
    return URLField(
        _l("Website"),
        validators=[Optional(), Length(max=255), http_url],
        filters=[strip],
    )


def address_field() -> StringField:
    return StringField(_l("Address"), validators=[Length(max=255)], filters=[strip])


def email_field() -> EmailField:
    return EmailField(
        _l("E-mail"),
        validators=[
            Optional(),
            Length(max=254),
            Email(message=_l("Enter an e-mail address such as office@city.example.")),
        ],
        filters=[strip],
    )


def phone_field() -> TelField:
    return TelField(
        _l("Phone"),
        validators=[
            Length(max=50),
            Regexp(
                PHONE_PATTERN,
                message=_l(PHONE_MESSAGE),
            ),
        ],
        filters=[strip],
    )


def confirm_duplicate_field() -> BooleanField:
    """Ticked to save a record whose name folds like an existing one's; the
    view shows it only once it has named that record."""
    return BooleanField(_l("It is a different one: save it anyway"))


#: what ``apply_to`` leaves out on forms that ask about duplicates
NOT_COPIED_WITH_CONFIRM = VersionedForm.NOT_COPIED | {"confirm_duplicate"}


class MunicipalityContactForm(VersionedForm):
    """What a municipality's own contact may change: how to reach it."""

    website = website_field()
    address = address_field()
    email = email_field()
    phone = phone_field()


class MunicipalityForm(VersionedForm):
    """Every field of a municipality, for coordinators and administrators."""

    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(message=_l("Enter the municipality's name.")),
            Length(max=120),
        ],
        filters=[strip],
    )
    country_id = SelectField(
        _l("Country"),
        coerce=optional_int,
        validators=[DataRequired(message=_l("Choose a country."))],
    )
    region = StringField(
        _l("Region"),
        validators=[Length(max=120)],
        filters=[strip],
        description=_l("County, canton, district or region."),
    )
    population = IntegerField(
        _l("Population"),
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=MAX_POPULATION,
                message=_l(
                    "Enter a whole number from 0 to %(max)s.",
                    max=LazyString(format_decimal, MAX_POPULATION),
                ),
            ),
        ],
        description=_l("The size class follows from it."),
    )
    website = website_field()
    address = address_field()
    email = email_field()
    phone = phone_field()
    notes = TextAreaField(
        _l("Notes"),
        validators=[Length(max=NOTES_MAX_LENGTH)],
        filters=[strip],
        render_kw={"rows": 4, "data-maxlength": NOTES_MAX_LENGTH},
    )
    confirm_duplicate = confirm_duplicate_field()

    NOT_COPIED = NOT_COPIED_WITH_CONFIRM

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record_id = getattr(kwargs.get("obj"), "id", None)
        self.country_id.choices = {"": _("Choose a country"), **country_choices()}

    def validate_name(self, field: StringField) -> None:
        if not field.data or not is_db_id(self.country_id.data):
            return
        # Case-folded in Python: SQLite's lower() leaves "Č" as it is.
        alike = named_alike(
            Municipality,
            field.data,
            lambda municipality: municipality.name,
            Municipality.country_id == self.country_id.data,
            Municipality.id != (self.record_id or 0),
        )
        if any(m.name.casefold() == field.data.casefold() for m in alike):
            raise ValidationError(
                _("This country already has a municipality with this name.")
            )


class CountryForm(VersionedForm):
    code = StringField(
        _l("ISO code"),
        validators=[
            DataRequired(message=_l("Enter the two-letter ISO 3166-1 code.")),
            Length(min=2, max=2, message=_l("The code has exactly two letters.")),
        ],
        filters=[strip, lambda value: value.upper() if value else value],
        description=_l("ISO 3166-1 alpha-2, such as HR or RS; XK for Kosovo."),
    )
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(message=_l("Enter the country's name.")),
            Length(max=100),
        ],
        filters=[strip],
    )
    is_program_country = BooleanField(
        _l("Program country"),
        description=_l("One of the South-East European countries the program serves."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record_id = getattr(kwargs.get("obj"), "id", None)

    def validate_code(self, field: StringField) -> None:
        if field.data not in ISO_3166_ALPHA2:
            raise ValidationError(
                _("This is not an ISO 3166-1 alpha-2 country code (XK for Kosovo).")
            )
        if self._taken(Country.code, field.data):
            raise ValidationError(_("Another country already has this code."))

    def validate_name(self, field: StringField) -> None:
        if field.data and self._taken(func.lower(Country.name), field.data.lower()):
            raise ValidationError(_("Another country already has this name."))

    def _taken(self, column: Any, value: str) -> bool:
        return (
            db.session.scalar(
                select(Country.id).where(
                    column == value, Country.id != (self.record_id or 0)
                )
            )
            is not None
        )


class MunicipalityFilterForm(TrackerForm):
    """The list's search and filters, read from the URL (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name or region"), validators=[Length(max=MAX_SEARCH_LENGTH)])
    country = SelectField(_l("Country"))
    # Choices set per request: the size labels read in the reader's language.
    size = SelectField(_l("Size"))

    def __init__(self, *args: Any, scoped: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if scoped:
            # A contact's list holds one municipality: nothing to filter.
            del self.country
            del self.size
        else:
            self.country.choices = {"": _("All countries"), **country_choices()}
            self.size.choices = {
                "": _("Any size"),
                **{size.value: size.label for size in SizeClass},
            }
