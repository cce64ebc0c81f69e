"""What every form shares: refused control characters; for edit forms, the
optimistic-locking version and whitelisted saves."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import (
    Field,
    HiddenField,
    PasswordField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    ValidationError,
)

from tracker.extensions import db
from tracker.text import ControlCharacter, find_control_character
from tracker.translation import N_, FormTranslations

# English, as tests and comparisons read it: shown through ``gettext``.
STALE_MESSAGE = N_(
    "Someone else changed this record while you were editing it. "
    "Your changes were not saved: open the record again to see the new version."
)


class LongSelect(widgets.Select):
    """WTForms' select widget for long lists (every municipality), same HTML.

    WTForms builds each option through ``html_params``, some 50 µs apiece:
    2,000 municipalities cost a page 100 ms. A plain option (no extra
    attributes) is written directly here, and remembered by its value, label
    and selection, so a list seen before costs a lookup per option; any other
    option goes through WTForms as before.
    """

    @classmethod
    def render_option(cls, choice: SelectChoice, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        label = choice.label or choice.value
        if isinstance(label, LazyString):  # cached by its text, in this language
            label = str(label)
        return _plain_option(choice.value, label, choice.selected)


@lru_cache(maxsize=32_768, typed=True)  # typed: a Markup label is not a str one
def _plain_option(value: Any, label: Any, selected: bool) -> Markup:
    # html_params sorts the attributes: "selected" comes before "value".
    # Markup.format escapes every argument; the template itself is constant.
    if selected:
        return Markup('<option selected value="{}">{}</option>').format(value, label)
    return Markup('<option value="{}">{}</option>').format(value, label)


FORM_TRANSLATIONS = FormTranslations()


class TrackerForm(FlaskForm):
    """The base of every form: no text field accepts control characters.

    One check for all forms, after their own validators, with the message
    beside the field. Multi-line fields (text areas) keep tabs and line
    breaks. Passwords are exempt: they are never stored or shown, only hashed.
    """

    class Meta:
        #: Set per form where several share a page, e.g.
        #: ``SessionForm(meta={"id_prefix": "session-"})``: the fields' ids
        #: (and so their labels' ``for``) start with it, their names do not.
        id_prefix = ""

        def get_translations(self, form):
            return FORM_TRANSLATIONS

        def bind_field(self, form, unbound_field, options):
            if self.id_prefix:
                options = {**options, "id": self.id_prefix + options["name"]}
            return unbound_field.bind(form=form, **options)

    #: False only where nothing typed is stored and a refusal would hide an
    #: event that must be audited (a failed sign-in with a forged e-mail)
    checks_control_characters = True

    def validate(self, extra_validators: Any = None) -> bool:
        is_valid = super().validate(extra_validators)
        if not self.checks_control_characters:
            return is_valid
        for field in self:
            if not isinstance(field, StringField) or isinstance(field, PasswordField):
                continue
            values = [field.data, *(field.raw_data or [])]
            for value in values:
                if not isinstance(value, str):
                    continue
                found = find_control_character(
                    value, multiline=isinstance(field, TextAreaField)
                )
                if found:
                    field.errors = [*field.errors, _control_character_message(found)]
                    is_valid = False
                    break
        return is_valid


def _control_character_message(found: ControlCharacter) -> str:
    if found.is_line_break:
        return _(
            "This text must be on one line (it holds a tab or line break, %(code)s).",
            code=found.code,
        )
    return _(
        "This text holds an invisible control character (%(code)s) at position "
        "%(position)s; remove it and try again.",
        code=found.code,
        position=found.position,
    )


class VersionedForm(TrackerForm):
    """An edit form that remembers which version of the record it was opened on."""

    version_id = HiddenField()

    #: fields that ``apply_to`` never copies onto the model
    NOT_COPIED = frozenset({"version_id", "csrf_token", "submit"})

    def load_version(self, obj: Any) -> None:
        """Call on GET: stamp the form with the record's current version."""
        self.version_id.data = str(obj.version_id)

    def is_stale(self, obj: Any) -> bool:
        """True, with an error on the form, when the record changed since opening.

        Judged on the version the client sent: a form built with ``obj=``
        would otherwise fill in the current version when the field is
        missing, and a client that leaves it out would never be refused.
        """
        sent = self.version_id.raw_data[0] if self.version_id.raw_data else ""
        if str(obj.version_id) != sent:
            self.form_errors.append(_(STALE_MESSAGE))
            return True
        return False

    def apply_to(self, obj: Any) -> None:
        """Copy this form's own fields onto ``obj``: nothing a POST adds beyond them."""
        for name, field in self._fields.items():
            if name not in self.NOT_COPIED:
                setattr(obj, name, field.data)


def put_error(form: FlaskForm, error: Any) -> None:
    """Show a domain rule's refusal (an error with ``field`` and ``message``)
    beside the field it concerns, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        form.form_errors.append(error.message)
    else:
        field.errors = [*field.errors, error.message]


def commit_or_stale(
    form: FlaskForm | None = None, clash: Field | None = None, clash_message: str = ""
) -> bool:
    """Commit the request's changes: the one way every edit is saved.

    A concurrent update becomes the stale message on ``form`` (the version
    check in ``is_stale`` catches a form opened on an older version; this
    catches the race where both saves passed it at once). When ``clash`` is
    given, a unique constraint the form's own checks missed (a concurrent
    save) becomes ``clash_message`` beside that field. Either way the session
    is rolled back and False returned, never a 500.
    """
    try:
        db.session.commit()
        return True
    except StaleDataError:
        message = _(STALE_MESSAGE)
    except IntegrityError:
        if clash is None:
            raise
        db.session.rollback()
        clash.errors.append(clash_message)
        return False
    except OperationalError as error:
        # SQLite in WAL mode refuses a write from a transaction whose snapshot
        # another writer has moved past ("database is locked") instead of
        # letting the version check run: for the user it is the same conflict.
        if "database is locked" not in str(error.orig):
            raise
        message = _(STALE_MESSAGE)
    db.session.rollback()
    if form is not None:
        form.form_errors.append(message)
    return False


MAX_ID = 2**31 - 1  # integer keys are 32-bit on PostgreSQL


def is_db_id(value: Any) -> bool:
    """Whether ``value`` could be one of our row ids (and is safe to query with)."""
    return isinstance(value, int) and 0 < value <= MAX_ID


def blank_to_none(value: Any) -> Any:
    """WTForms filter: an empty text box means "no value" (NULL), not ""."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


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


# Municipal records, checked alike by the forms and the CSV import.
# Larger than any city on Earth, small enough for a 32-bit integer column.
MAX_POPULATION = 100_000_000
NOTES_MAX_LENGTH = 5_000
PHONE_PATTERN = r"^[0-9+()./\- ]*$"

# English (the CSV import reports them too): forms show them through gettext.
WEB_ADDRESS_MESSAGE = N_(
    "Enter a full web address starting with https://, such as https://www.rijeka.hr."
)
PHONE_MESSAGE = N_("Use digits, spaces and + ( ) - . / only.")


def is_web_address(value: str) -> bool:
    """Whether ``value`` is an http(s) address (the form and the CSV import ask)."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def http_url(form: FlaskForm, field: Any) -> None:
    """Only http(s) addresses: the page links to them."""
    if field.data and not is_web_address(field.data):
        raise ValidationError(_(WEB_ADDRESS_MESSAGE))


def form_status(form: FlaskForm) -> int:
    """The status a re-shown form answers with: 409 when the record went stale."""
    return 409 if _(STALE_MESSAGE) in form.form_errors else 200


def choices(
    pairs: Iterable[tuple[Any, str]], group: str | None = None
) -> list[SelectChoice]:
    return [SelectChoice(str(value), text, optgroup=group) for value, text in pairs]


def placeholder(text: str) -> list[SelectChoice]:
    return [SelectChoice("", text)]
