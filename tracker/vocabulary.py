"""Words for database columns and their values, in the reader's language.

The History panel and the XLSX downloads both speak to people, not to the
database: a column reads "Stage" rather than ``current_stage_id``, a country
code reads "Montenegro", ``True`` reads "Yes". Both take their words from
here, so a field is called the same everywhere.
"""

from __future__ import annotations

from babel import Locale
from flask_babel import get_locale, gettext

from tracker.models.enrollments import ASSESSMENT_AREAS
from tracker.models.enums import label
from tracker.translation import lazy_gettext as _l

# Column and export-column names, by name. A column missing here reads as
# its name in words ("presentation_title" -> "Presentation title").
FIELD_LABELS = {
    "address": _l("Address"),
    "applied_on": _l("Applied on"),
    "assessed_on": _l("Assessed on"),
    "attendance": _l("Attendance"),
    "author_name": _l("Author"),
    "author_position": _l("Author's position"),
    "city": _l("City"),
    "code": _l("Code"),
    "cohort": _l("Cohort"),
    "cohort_id": _l("Cohort"),
    "country": _l("Country"),
    "country_code": _l("Country code"),
    "country_id": _l("Country"),
    "country_name": _l("Country"),
    "current_stage_id": _l("Stage"),
    "description": _l("Description"),
    "effective_on": _l("Effective on"),
    "email": _l("E-mail"),
    "ends_on": _l("Ends on"),
    "enrollment_id": _l("Enrollment"),
    "event": _l("Event"),
    "event_city": _l("Event city"),
    "event_country": _l("Event country"),
    "event_ends_on": _l("Event ends on"),
    "event_id": _l("Event"),
    "event_kind": _l("Event kind"),
    "event_starts_on": _l("Event starts on"),
    "event_title": _l("Event"),
    "failed_logins": _l("Failed sign-ins"),
    "featured": _l("Featured"),
    "from_stage_id": _l("From stage"),
    "full_name": _l("Full name"),
    "has_consent": _l("Consent to publish"),
    "held_on": _l("Held on"),
    "id": _l("Number"),
    "is_active": _l("Active"),
    "is_featured": _l("Featured"),
    "is_program_country": _l("Program country"),
    "is_public": _l("Public"),
    "kind": _l("Kind"),
    "last_login_at": _l("Last sign-in"),
    "locale": _l("Language"),
    "locked_until": _l("Locked until"),
    "municipality": _l("Municipality"),
    "municipality_country": _l("Municipality's country"),
    "municipality_id": _l("Municipality"),
    "name": _l("Name"),
    "note": _l("Note"),
    "notes": _l("Notes"),
    "organisation": _l("Organisation"),
    "organisers": _l("Organisers"),
    "password_hash": _l("Password"),
    "person_email": _l("E-mail"),
    "person_full_name": _l("Person"),
    "person_id": _l("Person"),
    "person_position": _l("Position or title"),
    "phone": _l("Phone"),
    "population": _l("Population"),
    "position": _l("Position"),
    "presentation_title": _l("Presentation title"),
    "program": _l("Program"),
    "program_id": _l("Program"),
    "proposed_by_id": _l("Proposed by"),
    "public": _l("Public"),
    "quote": _l("Quote"),
    "recorded_at": _l("Recorded"),
    "recorded_by_id": _l("Recorded by"),
    "region": _l("Region"),
    "required_trainings": _l("Trainings required"),
    "review_note": _l("Reviewer's note"),
    "reviewed_at": _l("Reviewed"),
    "reviewed_by_id": _l("Reviewed by"),
    "role": _l("Role"),
    "session_token": _l("Sessions"),
    "speakers": _l("Speakers"),
    "stage": _l("Stage"),
    "stage_since": _l("In stage since"),
    "started_on": _l("Started on"),
    "starts_on": _l("Starts on"),
    "status": _l("Status"),
    "submitted_at": _l("Submitted"),
    "submitted_by_id": _l("Submitted by"),
    "timezone": _l("Time zone"),
    "title": _l("Title"),
    "to_stage_id": _l("To stage"),
    "user_id": _l("User"),
    "venue": _l("Venue"),
    "website": _l("Website"),
    "year": _l("Year"),
    # The assessment's areas.
    **ASSESSMENT_AREAS,
}


def field_label(name: str) -> str:
    """A column's name in words, in the reader's language."""
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    return label(name.removesuffix("_id"))


def yes_no(value: bool) -> str:
    return gettext("Yes") if value else gettext("No")


def country_name(code: str | None) -> str:
    """An ISO country code (Kosovo ``XK`` too) as the reader's language names
    the country; the code itself when the language has no name for it."""
    if not code:
        return ""
    locale = get_locale() or Locale.parse("en")
    return locale.territories.get(code.upper(), code)
